#!/bin/bash
# Install what guest/build.sh needs (the packages in guest/deps.txt) and make
# sure apt knows about Debian *source* packages, which `apt-get source busybox`
# requires.  Debian 12 images ship only "Types: deb" entries, so we add a
# deb-src twin of every stanza in the existing deb822 sources file.
#
# Needs root (it edits /etc/apt and runs apt-get install).  Safe to re-run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
    echo "guest/deps.sh: must run as root (apt-get install)" >&2
    exit 1
fi

srcfile=/etc/apt/sources.list.d/vireo-deb-src.sources
have_deb_src() {
    grep -qsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources
}

need_update=0
if ! have_deb_src; then
    base=/etc/apt/sources.list.d/debian.sources
    if [ ! -f "$base" ]; then
        echo "guest/deps.sh: no deb-src entry and no $base to derive one from;" \
             "add a deb-src line for Debian main by hand" >&2
        exit 1
    fi
    # Same URIs/Suites/Components/Signed-By, only the type changes.
    sed -E 's/^Types:.*/Types: deb-src/' "$base" > "$srcfile.tmp"
    mv "$srcfile.tmp" "$srcfile"
    echo "guest/deps.sh: added $srcfile"
    need_update=1
fi

mapfile -t pkgs < <(grep -vE '^[[:space:]]*(#|$)' "$here/deps.txt")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done

# apt-cache showsrc answers from the local lists; refresh them if the source
# lists were never downloaded (fresh machine or newly added deb-src).
if [ "$need_update" = 1 ] || [ "${#missing[@]}" -gt 0 ] \
   || ! apt-cache showsrc busybox >/dev/null 2>&1; then
    apt-get update -q
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
