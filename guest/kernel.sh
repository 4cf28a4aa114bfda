#!/bin/bash
# Cross-build the guest's riscv64 Linux kernel from Debian's linux-source-6.1:
# `make tinyconfig` plus guest/linux.config, nothing else.
#
# Usage: guest/kernel.sh [--print-dir | --key | --inputs]
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

kernel_inputs() {
    input_lines "linux-source=$(pkg_version $KSRC_PKG)" "toolchain=$(toolchain_id)" \
        -- "$FRAGMENT" "$GUEST_DIR/kernel.sh" "$GUEST_DIR/lib.sh"
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
    "${kmake[@]}" -s olddefconfig </dev/null >>"$out/merge.log" 2>&1
    check_fragment kernel "$FRAGMENT" "$obj/.config"

    log "kernel: compiling with -j$JOBS (a progress line every $PROGRESS_EVERY files;" \
        "8 to 15 minutes on 2 cores)"
    # The debug info names sources as /usr/src/linux-source-6.1/..., where
    # `tar xf $KSRC_TAR -C /usr/src` puts them for gdb, instead of this
    # temporary build directory.  That and the KBUILD_BUILD_* values keep
    # the output free of the build's paths, user, host and date.
    local map="-fdebug-prefix-map=$src=/usr/src/linux-source-6.1"
    map+=" -fdebug-prefix-map=$obj=/usr/src/linux-source-6.1"
    run_make_quiet "$out/build.log" kernel "${kmake[@]}" -j"$JOBS" \
        KCFLAGS="$map" KAFLAGS="$map" \
        KBUILD_BUILD_USER=vireo KBUILD_BUILD_HOST=vireo \
        KBUILD_BUILD_TIMESTAMP="$(pkg_version $KSRC_PKG)" \
        Image vmlinux
    check_fragment kernel "$FRAGMENT" "$obj/.config"

    cp "$obj/arch/riscv/boot/Image" "$obj/vmlinux" "$obj/System.map" "$out/"
    cp "$obj/.config" "$out/config"
    kernel_inputs > "$out/inputs.txt"
    # A host tool: built here with the host compiler from the same source.
    cc -O2 -o "$out/gen_init_cpio" "$src/usr/gen_init_cpio.c"
    rm -rf "$src" "$obj"
    log "kernel: built in $(elapsed "$t0")"
}

# --key prints the cache key and --inputs what it is made of, without
# building; --print-dir builds if needed and prints the directory.
main() {
    local inputs key
    inputs=$(kernel_inputs)
    key=$(key_of <<<"$inputs")
    case ${1:-} in
        --key) printf '%s\n' "$key"; return ;;
        --inputs) printf '%s\n' "$inputs"; return ;;
    esac
    cached_build kernel "$key" build_kernel
    [ "${1:-}" = --print-dir ] && printf '%s\n' "$CACHED_DIR"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
