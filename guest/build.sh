#!/bin/bash
# Build (or find in the cache) the riscv64 test guest: kernel, busybox
# initramfs and ext4 disk, all from Debian packages.
#
# Usage: guest/build.sh [--print-dir | --key | --inputs]
#   --print-dir  print the guest directory as the last line of stdout:
#                GUEST=$(guest/build.sh --print-dir | tail -1)
#   --key        print the cache key only (no build)
#   --inputs     print what the key is made of (no build)
# Progress and messages go to stderr.
#
# Result: $VIREO_CACHE/guest-<key>/ (default ~/.cache/vireo), described by
# the README written into it.  The key covers every input: the scripts, the
# config fragments, guest/init, and the versions of the Debian packages used
# (linux-source-6.1, busybox source, the riscv64 cross gcc/binutils/libc,
# e2fsprogs), so a complete directory is simply reused and a changed input
# yields a new one.  The kernel (~8 min) and busybox (~1 min) are cached as
# components of their own, so changing, say, guest/init costs seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DISK_SIZE=64M
# Known content of the test disk; tests compare against disk-manifest.txt.
HELLO_TEXT="Hello from the Vireo test disk."

guest_inputs() {
    input_lines \
        "kernel=$("$GUEST_DIR/kernel.sh" --key)" \
        "busybox=$("$GUEST_DIR/busybox.sh" --key)" \
        "e2fsprogs=$(pkg_version e2fsprogs)" \
        -- "$GUEST_DIR/build.sh" "$GUEST_DIR/lib.sh" "$GUEST_DIR/init" \
        "$GUEST_DIR/udhcpc.script"
}

# Put a file into the guest directory without copying 100 MB twice: a hard
# link to the component cache when possible (same file system).
place() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }

# The initramfs is written by the kernel's own gen_init_cpio from a list of
# entries, so it can hold /dev/console and root-owned files without root
# privileges.  /dev/console must exist before /init runs: the kernel opens it
# as init's stdin/stdout/stderr.
make_rootfs() {
    local out=$1 kdir=$2 bdir=$3 list=$1/rootfs.list etc=$1/etc
    mkdir -p "$etc"
    printf 'root::0:0:root:/root:/bin/sh\n' > "$etc/passwd"
    printf 'root:x:0:\n' > "$etc/group"
    printf 'vireo\n' > "$etc/hostname"
    {
        local d
        for d in /dev /proc /sys /run /mnt /etc /bin /sbin /usr /usr/bin \
                 /usr/sbin /usr/share /usr/share/udhcpc /var; do
            echo "dir $d 0755 0 0"
        done
        echo "dir /tmp 1777 0 0"
        echo "dir /root 0700 0 0"
        echo "slink /var/run /run 0777 0 0"
        echo "nod /dev/console 0600 0 0 c 5 1"
        echo "file /init $GUEST_DIR/init 0755 0 0"
        echo "file /bin/busybox $bdir/busybox 0755 0 0"
        echo "file /usr/share/udhcpc/default.script $GUEST_DIR/udhcpc.script 0755 0 0"
        echo "file /etc/passwd $etc/passwd 0644 0 0"
        echo "file /etc/group $etc/group 0644 0 0"
        echo "file /etc/hostname $etc/hostname 0644 0 0"
        # One symlink per applet, at the path busybox itself lists.
        local link
        while IFS= read -r link; do
            [ "$link" = /bin/busybox ] && continue
            echo "slink $link /bin/busybox 0777 0 0"
        done < "$bdir/busybox.links"
    } > "$list"
    # A fixed timestamp and gzip -n keep the archive byte-for-byte
    # reproducible for the same inputs.
    "$kdir/gen_init_cpio" -t 0 "$list" | gzip -9 -n > "$out/rootfs.cpio.gz"
    rm -rf "$etc" "$list"
}

# ext4 image built from a directory by mke2fs -d (no root, no loop mount).
# Fixed UUID, hash seed and time make it reproducible.
make_disk() {
    local out=$1 tree=$1/disk-tree
    mkdir -p "$tree/dir"
    printf '%s\n' "$HELLO_TEXT" > "$tree/hello.txt"
    # 1 MiB of fixed pseudo-random data, for block-I/O checks with
    # sha256sum (zeros would hide misplaced sectors).
    python3 -c 'import hashlib, sys
sys.stdout.buffer.write(hashlib.shake_256(b"vireo test disk").digest(1 << 20))' \
        > "$tree/dir/data.bin"
    (cd "$tree" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum) \
        | sed 's|  |  /|' > "$out/disk-manifest.txt"
    E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -L vireo \
        -U 6d1e7a3c-0000-4000-8000-766972656f00 \
        -E root_owner=0:0,hash_seed=6d1e7a3c-0000-4000-8000-766972656f01 \
        -d "$tree" "$out/disk.ext4" "$DISK_SIZE" >"$out/mke2fs.log" 2>&1 \
        || { cat "$out/mke2fs.log" >&2; die "mke2fs failed"; }
    rm -f "$out/mke2fs.log"
    rm -rf "$tree"
}

write_readme() {
    local out=$1
    cat > "$out/README" <<EOF
Vireo riscv64 test guest, built by guest/build.sh from Debian packages.
This directory never changes once complete (.complete exists); a change of
any input makes a new guest-<key> directory.  inputs.txt lists the inputs
(the kernel= and busybox= lines are the keys of those components, whose own
inputs follow).

Image             Linux $(pkg_version linux-source-6.1) (Debian linux-source-6.1) for riscv64,
                  tinyconfig + guest/linux.config; for -kernel
vmlinux           the same kernel as ELF with DWARF, for gdb
                  (sources: tar xf /usr/src/linux-source-6.1.tar.xz -C /usr/src)
System.map        kernel symbols
kernel.config     the kernel's full .config
rootfs.cpio.gz    initramfs: static busybox $(source_version busybox) and guest/init;
                  prints "vireo-guest: ready", then a shell with prompt "~ # ";
                  powers off when the shell exits; vireo.cmd=... (last kernel
                  parameter) runs a command instead of the shell, then powers off
busybox.config    busybox's full .config
disk.ext4         $DISK_SIZE ext4 image (label vireo), not mounted by init:
                  mount /dev/vda /mnt.  Boot a COPY of it (or snapshot=on):
                  mounting writes to the image, and the cache must not change.
disk-manifest.txt sha256 of each file on disk.ext4 (sha256sum format, paths
                  from the file system root); /hello.txt holds
                  "$HELLO_TEXT"

Boot with Debian's QEMU:
  qemu-system-riscv64 -M virt -m 512M -smp 4 -nographic \\
    -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin \\
    -kernel Image -initrd rootfs.cpio.gz -append console=ttyS0 \\
    -drive file=disk.ext4,if=none,format=raw,id=d0,snapshot=on \\
    -device virtio-blk-device,drive=d0 \\
    -device virtio-rng-device
EOF
}

build_guest() {
    local out=$1 kdir bdir
    kdir=$("$GUEST_DIR/kernel.sh" --print-dir | tail -1)
    bdir=$("$GUEST_DIR/busybox.sh" --print-dir | tail -1)
    log "assembling initramfs and disk"
    place "$kdir/Image" "$out/Image"
    place "$kdir/vmlinux" "$out/vmlinux"
    place "$kdir/System.map" "$out/System.map"
    place "$kdir/config" "$out/kernel.config"
    place "$bdir/config" "$out/busybox.config"
    make_rootfs "$out" "$kdir" "$bdir"
    make_disk "$out"
    {
        guest_inputs
        echo "# kernel:"; "$GUEST_DIR/kernel.sh" --inputs
        echo "# busybox:"; "$GUEST_DIR/busybox.sh" --inputs
    } > "$out/inputs.txt"
    write_readme "$out"
}

main() {
    local inputs key
    case ${1:-} in
        ""|--print-dir|--key|--inputs) ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    inputs=$(guest_inputs)
    key=$(key_of <<<"$inputs")
    case ${1:-} in
        --key) printf '%s\n' "$key"; return ;;
        --inputs) printf '%s\n' "$inputs"; return ;;
    esac
    cached_build guest "$key" build_guest
    log "guest ready: $CACHED_DIR"
    [ "${1:-}" = --print-dir ] && printf '%s\n' "$CACHED_DIR"
    return 0
}

main "$@"
