# Helpers shared by guest/kernel.sh, guest/busybox.sh and guest/build.sh.
# Sourced, not run.
#
# Cache layout (outside the work tree, so `git clean` and fresh clones keep it):
#   $VIREO_CACHE/kernel-<key>/   Image, vmlinux, config, gen_init_cpio
#   $VIREO_CACHE/busybox-<key>/  busybox, busybox.links, config
#   $VIREO_CACHE/guest-<key>/    what tests use (see guest/build.sh)
#   $VIREO_CACHE/src/            downloaded Debian source packages
# Each <key> hashes everything that can change the output, so a directory,
# once complete, is never rebuilt or modified; a changed input simply yields a
# new directory.  Components are cached separately so that editing guest/init
# rebuilds the initramfs in seconds instead of the kernel in minutes.

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${VIREO_CACHE:-$HOME/.cache/vireo}
CROSS=riscv64-linux-gnu-
JOBS=${VIREO_JOBS:-$(nproc)}
# Stamp written last into a finished cache directory.
STAMP=.complete

# All messages go to stderr: stdout is reserved for --print-dir's answer.
log() { printf 'guest: %s\n' "$*" >&2; }
die() { printf 'guest: error: %s\n' "$*" >&2; exit 1; }

# Elapsed time since $1 (seconds since epoch) as "4m05s".
elapsed() {
    local s=$(( $(date +%s) - $1 ))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# Installed version of a Debian package; fails with a hint if it is missing,
# because every package that feeds the build is part of a cache key.
pkg_version() {
    local v
    v=$(dpkg-query -W -f='${Status}|${Version}' "$1" 2>/dev/null) || v=
    case $v in
        "install ok installed|"*) printf '%s\n' "${v#*|}" ;;
        *) die "Debian package $1 is not installed (run guest/deps.sh as root)" ;;
    esac
}

# Version of the Debian *source* package that the current binary package of
# the same name was built from (binNMUs append +bN to the binary version only).
# It comes from the binary package lists, so it is known without deb-src
# entries and names exactly what `apt-get source NAME=VERSION` fetches.
source_version() {
    local info src ver
    info=$(apt-cache show --no-all-versions "$1" 2>/dev/null) \
        || die "apt does not know package $1 (run apt-get update / guest/deps.sh)"
    src=$(printf '%s\n' "$info" | sed -n 's/^Source: [^ ]* (\(.*\))$/\1/p' | head -1)
    ver=$(printf '%s\n' "$info" | sed -n 's/^Version: //p' | head -1)
    printf '%s\n' "${src:-$ver}"
}

# Cache key: sha256 over "label value" lines and over the named files'
# contents, shortened to 16 hex digits (collisions are not a concern here).
# Usage: make_key "label=value"... -- file...
make_key() {
    {
        while [ $# -gt 0 ] && [ "$1" != -- ]; do printf '%s\n' "$1"; shift; done
        [ $# -gt 0 ] && shift
        local f
        for f in "$@"; do
            printf 'file %s %s\n' "$(basename "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
        done
    } | sha256sum | cut -c1-16
}

# Version of the cross toolchain, shared by the kernel and busybox keys.
toolchain_id() {
    printf 'gcc=%s binutils=%s' \
        "$(pkg_version gcc-12-riscv64-linux-gnu)" \
        "$(pkg_version binutils-riscv64-linux-gnu)"
}

# cached_build NAME KEY FUNCTION
# Ensures $CACHE_ROOT/NAME-KEY exists and is complete, calling
# `FUNCTION <tmpdir>` to fill a fresh temporary directory if it is not, then
# renaming that directory into place.  rename(2) is atomic, so readers see
# either nothing or a finished directory, and an interrupted build leaves only
# a .tmp-* directory that the next attempt deletes.  A lock serialises
# concurrent builds of the same thing (two test runs starting together).
# Sets CACHED_DIR to the final path.
cached_build() {
    local name=$1 key=$2 fn=$3
    local final=$CACHE_ROOT/$name-$key
    CACHED_DIR=$final
    [ -e "$final/$STAMP" ] && return 0
    mkdir -p "$CACHE_ROOT"
    local lockfd
    exec {lockfd}>"$CACHE_ROOT/.lock-$name-$key"
    flock "$lockfd"
    if [ ! -e "$final/$STAMP" ]; then
        # Whatever is here is left over from a killed build of this key.
        rm -rf "$final" "$CACHE_ROOT/.tmp-$name-$key".*
        local tmp
        tmp=$(mktemp -d "$CACHE_ROOT/.tmp-$name-$key.XXXXXX")
        # Remove the half-built directory if we are interrupted or fail.
        trap 'rm -rf "'"$tmp"'"' EXIT
        "$fn" "$tmp"
        touch "$tmp/$STAMP"
        chmod 755 "$tmp"
        mv -T "$tmp" "$final"
        trap - EXIT
    fi
    flock -u "$lockfd"
    # The lock file stays: deleting it could let a third process lock a new
    # file while a second one still waits on the old one.
    exec {lockfd}>&-
}

# run_make_quiet LOGFILE LABEL make-args...
# Runs make with its normal short output ("  CC  foo.o") sent to LOGFILE and
# prints a progress line every PROGRESS_EVERY compiled files, so a long build
# is visibly alive without flooding the terminal.  On failure the end of the
# log is shown.  VIREO_GUEST_VERBOSE=1 shows every line instead.
PROGRESS_EVERY=${VIREO_PROGRESS_EVERY:-100}
run_make_quiet() {
    local logf=$1 label=$2; shift 2
    local t0 rc=0
    t0=$(date +%s)
    if [ "${VIREO_GUEST_VERBOSE:-0}" = 1 ]; then
        make "$@" </dev/null 2>&1 | tee "$logf" >&2 || rc=$?
    else
        make "$@" </dev/null 2>&1 | tee "$logf" | awk -v every="$PROGRESS_EVERY" \
            -v label="$label" -v t0="$t0" '
            /^  (CC|AS|HOSTCC)[ \t]/ { n++
                if (n % every == 0) {
                    s = systime() - t0
                    printf "guest: %s: %d files compiled (%dm%02ds)\n", label, n, s / 60, s % 60 > "/dev/stderr"
                    fflush("/dev/stderr")
                } }
            END { printf "guest: %s: %d files compiled in total\n", label, n > "/dev/stderr" }' \
            || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        tail -n 40 "$logf" >&2
        die "$label: make failed (full log: $logf)"
    fi
    log "$label: done in $(elapsed "$t0")"
}
