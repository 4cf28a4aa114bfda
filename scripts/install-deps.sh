#!/bin/sh
# scripts/install-deps.sh — install the Debian packages Vireo needs to
# build, test and boot its test guests.
#
# Usage: scripts/install-deps.sh [--check]
#   --check   only report what is missing (exit 1 if anything is)
#
# Runs apt-get as root, through sudo otherwise, or prints the command to
# run. Works without a terminal (CI runs with stdin=/dev/null).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)

# Build: compiler, meson/ninja and the libraries in DESIGN.md.
build_pkgs="gcc make meson ninja-build pkg-config python3
libfdt-dev libjansson-dev zlib1g-dev libzstd-dev liburing-dev
libslirp-dev libglib2.0-dev libcapstone-dev libcmocka-dev"
# Tests: harness, cross toolchains, peers for interop and comparison.
test_pkgs="python3-pytest python3-pexpect socat
gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
qemu-system-misc qemu-user qemu-utils gdb-multiarch"

guest_pkgs=""
if [ -f "$here/guest/deps.txt" ]; then
    guest_pkgs=$(grep -v '^#' "$here/guest/deps.txt" | tr '\n' ' ')
fi

missing=""
for p in $build_pkgs $test_pkgs $guest_pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing Debian packages:$missing"
    exit 1
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run="sudo"
else
    echo "install-deps: not root and no password-less sudo; please run:" >&2
    echo "  sudo apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq </dev/null
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $missing </dev/null
