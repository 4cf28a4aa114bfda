#!/bin/bash
# Cross-build the guest's riscv64 Linux kernel from Debian's linux-source-6.1:
# `make tinyconfig` plus guest/linux.config, nothing else.
#
# Usage: guest/kernel.sh [--print-dir]
# Result: $VIREO_CACHE/kernel-<key>/ with
#   Image          the kernel to pass to -kernel
#   vmlinux        the same kernel as an ELF with DWARF, for gdb
#   System.map     symbol addresses
#   config         the full .config that was built
#   gen_init_cpio  the kernel's host tool that writes initramfs archives
#                  (guest/build.sh uses it: it can add /dev/console without root)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KSRC_PKG=linux-source-6.1
KSRC_TAR=/usr/src/linux-source-6.1.tar.xz
FRAGMENT=$GUEST_DIR/linux.config

kernel_key() {
    make_key "linux=$(pkg_version $KSRC_PKG)" "toolchain=$(toolchain_id)" \
        -- "$FRAGMENT" "$GUEST_DIR/kernel.sh" "$GUEST_DIR/lib.sh"
}

# Every option line of the fragment must hold in the final .config.  Kconfig
# silently drops a request whose dependencies are unmet (and merge_config.sh
# only warns), which would give a kernel that boots but lacks, say, 9p.
check_fragment() {
    local config=$1 line opt bad=0
    while IFS= read -r line; do
        case $line in
            CONFIG_*=*)
                grep -qxF -- "$line" "$config" && continue
                opt=${line%%=*} ;;
            "# CONFIG_"*" is not set")
                opt=${line#\# }; opt=${opt%% *}
                # Absent (dependencies unmet) counts as "not set" too.
                grep -q "^$opt=" "$config" || continue ;;
            *) continue ;;
        esac
        log "kernel: fragment asks '$line' but .config has:" \
            "$(grep -E "^(# )?$opt[= ]" "$config" || echo "(nothing: a dependency is off)")"
        bad=1
    done < "$FRAGMENT"
    [ "$bad" = 0 ] || die "kernel: options of guest/linux.config were dropped; add their dependencies"
}

build_kernel() {
    local out=$1 src=$1/src obj=$1/obj t0
    t0=$(date +%s)
    [ -r "$KSRC_TAR" ] || die "$KSRC_TAR missing (install $KSRC_PKG)"
    log "kernel: unpacking $KSRC_TAR"
    mkdir -p "$src" "$obj"
    tar -xf "$KSRC_TAR" -C "$src" --strip-components=1

    local kmake=(make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE="$CROSS")
    log "kernel: configuring (tinyconfig + guest/linux.config)"
    "${kmake[@]}" -s tinyconfig </dev/null >/dev/null
    # merge_config.sh -m only merges; olddefconfig then resolves dependencies.
    (cd "$obj" && ARCH=riscv CROSS_COMPILE=$CROSS \
        "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$FRAGMENT") \
        >"$out/merge.log" 2>&1 || { cat "$out/merge.log" >&2; die "kernel: merge_config failed"; }
    "${kmake[@]}" -s olddefconfig </dev/null >/dev/null
    check_fragment "$obj/.config"

    log "kernel: compiling with -j$JOBS (a progress line every $PROGRESS_EVERY files;" \
        "about 8 minutes on 2 idle cores)"
    # KBUILD_BUILD_* make the build reproducible (no user, host or date baked
    # into `uname -v` beyond these fixed values).
    run_make_quiet "$out/build.log" kernel "${kmake[@]}" -j"$JOBS" \
        KBUILD_BUILD_USER=vireo KBUILD_BUILD_HOST=vireo \
        KBUILD_BUILD_TIMESTAMP="$(pkg_version $KSRC_PKG)" \
        Image vmlinux
    check_fragment "$obj/.config"

    cp "$obj/arch/riscv/boot/Image" "$obj/vmlinux" "$obj/System.map" "$out/"
    cp "$obj/.config" "$out/config"
    # A host tool: built here with the host compiler from the same source.
    cc -O2 -o "$out/gen_init_cpio" "$src/usr/gen_init_cpio.c"
    rm -rf "$src" "$obj"
    log "kernel: built in $(elapsed "$t0")"
}

main() {
    local key
    key=$(kernel_key)
    cached_build kernel "$key" build_kernel
    if [ "${1:-}" = --print-dir ]; then
        printf '%s\n' "$CACHED_DIR"
    fi
}

# Sourced by build.sh for kernel_key/main; run directly as a script.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
