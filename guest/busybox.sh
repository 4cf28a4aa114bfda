#!/bin/bash
# Cross-build a static riscv64 busybox from Debian's busybox source package,
# starting from Debian's own busybox-static configuration plus
# guest/busybox.config.
#
# Usage: guest/busybox.sh [--print-dir | --key | --inputs]
# Result: $VIREO_CACHE/busybox-<key>/ with
#   busybox        static riscv64 binary (stripped)
#   busybox.links  one applet path a line (/bin/sh, /sbin/poweroff, ...)
#   config         the full busybox .config
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FRAGMENT=$GUEST_DIR/busybox.config

busybox_inputs() {
    input_lines "busybox-source=$BB_VERSION" "toolchain=$(toolchain_id)" \
        "libc=$(pkg_version libc6-dev-riscv64-cross)" \
        -- "$FRAGMENT" "$GUEST_DIR/busybox.sh" "$GUEST_DIR/lib.sh"
}

# Downloads the source package once into $CACHE_ROOT/src-busybox-<version>/,
# so that rebuilding busybox (a new compiler, an edited fragment) needs no
# network.  `apt-get source` needs a deb-src entry, which a fresh Debian
# image lacks: as root we let guest/deps.sh add it and retry once.
BB_VERSION=
fetch_source() {
    local out=$1
    # apt's unprivileged _apt user cannot write into a root-only directory;
    # an open one avoids its "unsandboxed download" warning.
    chmod 755 "$out"
    if ! (cd "$out" && apt-get source --download-only "busybox=$BB_VERSION") \
            >"$out/apt.log" 2>&1; then
        if [ "$(id -u)" = 0 ] && grep -q "deb-src" "$out/apt.log"; then
            log "busybox: apt has no source packages; running guest/deps.sh"
            "$GUEST_DIR/deps.sh" </dev/null >&2
        fi
        if ! (cd "$out" && apt-get source --download-only "busybox=$BB_VERSION") \
                >"$out/apt.log" 2>&1; then
            cat "$out/apt.log" >&2
            die "could not download Debian's busybox $BB_VERSION source" \
                "(is there a deb-src entry? run guest/deps.sh as root)"
        fi
    fi
    rm -f "$out/apt.log"
}

build_busybox() {
    local out=$1 src=$1/src t0
    t0=$(date +%s)
    cached_build src-busybox "${BB_VERSION//:/_}" fetch_source
    local srcdir=$CACHED_DIR
    log "busybox: unpacking Debian source $BB_VERSION"
    dpkg-source --no-copy -x "$srcdir"/busybox_*.dsc "$src" >"$out/unpack.log" 2>&1 \
        || { cat "$out/unpack.log" >&2; die "busybox: dpkg-source -x failed"; }

    # Debian's recipe (debian/rules): OS overrides, then the flavour's
    # config, then oldconfig.  This old Kconfig keeps the FIRST assignment of
    # an option, so our fragment goes in front.
    cat "$FRAGMENT" "$src/debian/config/os/linux" "$src/debian/config/pkg/static" \
        > "$src/.config"
    local bmake=(make -C "$src" CROSS_COMPILE="$CROSS" KCONFIG_NOTIMESTAMP=1)
    # Answer every new question with its default; a process substitution
    # rather than a pipe, since `yes` dies of SIGPIPE and pipefail sees it.
    "${bmake[@]}" oldconfig < <(yes "") >"$out/config.log" 2>&1 \
        || { tail -n 20 "$out/config.log" >&2; die "busybox: oldconfig failed"; }
    check_fragment busybox "$FRAGMENT" "$src/.config"

    log "busybox: compiling with -j$JOBS"
    # One target at a time: busybox's makefile cannot build several in
    # parallel (debian/rules notes the same).
    run_make_quiet "$out/build.log" busybox "${bmake[@]}" -j"$JOBS" \
        BB_EXTRA_VERSION="Debian $BB_VERSION, Vireo guest" busybox
    "${bmake[@]}" -s busybox.links >/dev/null </dev/null
    # A static busybox is the whole point: a dynamic one would not run from
    # an initramfs without a libc.
    LC_ALL=C ${CROSS}readelf -h "$src/busybox" | grep -q 'RISC-V' \
        || die "busybox: result is not a RISC-V binary"
    if LC_ALL=C ${CROSS}readelf -l "$src/busybox" | grep -q INTERP; then
        die "busybox: result is dynamically linked"
    fi

    cp "$src/busybox" "$src/busybox.links" "$out/"
    cp "$src/.config" "$out/config"
    busybox_inputs > "$out/inputs.txt"
    rm -rf "$src"
    log "busybox: built in $(elapsed "$t0")"
}

# Options as for guest/kernel.sh.
main() {
    local inputs key
    BB_VERSION=$(source_version busybox)
    inputs=$(busybox_inputs)
    key=$(key_of <<<"$inputs")
    case ${1:-} in
        --key) printf '%s\n' "$key"; return ;;
        --inputs) printf '%s\n' "$inputs"; return ;;
    esac
    cached_build busybox "$key" build_busybox
    [ "${1:-}" = --print-dir ] && printf '%s\n' "$CACHED_DIR"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
