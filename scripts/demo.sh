#!/bin/sh
# scripts/demo.sh — `make demo`: build the test guest (cached) and boot it
# to an interactive busybox shell on the terminal, as QEMU's -nographic
# does. `poweroff` in the guest, or Ctrl-A x, returns to the host shell.
#
# Usage: scripts/demo.sh [BUILD_DIR]
set -eu

cd "$(dirname "$0")/.."
build=${1:-build}
vireo="$build/vireo-system-riscv64"

if [ ! -x "$vireo" ]; then
    echo "demo: $vireo is missing; run make first" >&2
    exit 1
fi

echo "demo: preparing the test guest (the first build takes about ten minutes)" >&2
guest=$(guest/build.sh --print-dir | tail -1)

# The demo disk is a scratch copy: the cached image stays pristine.
disk="$build/demo-disk.ext4"
cp "$guest/disk.ext4" "$disk"

echo "demo: booting; type 'poweroff' in the guest or Ctrl-A x to quit" >&2
exec "$vireo" -M virt -m 512M -smp 2 -nographic \
    -bios default \
    -kernel "$guest/Image" \
    -initrd "$guest/rootfs.cpio.gz" \
    -append "console=ttyS0" \
    -drive "file=$disk,if=virtio,format=raw" \
    -device virtio-rng-device
