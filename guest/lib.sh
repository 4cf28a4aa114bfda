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
    local info src ver stamp memo
    # apt-cache takes 1-4 s here (these machines keep no binary package cache
    # and gzip the lists), on every build.sh run; so remember the answer for
    # as long as the package lists stay the same.
    stamp=$(ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | key_of)
    memo=$CACHE_ROOT/.apt-source-$1-$stamp
    if [ -s "$memo" ]; then
        cat "$memo"
        return
    fi
    info=$(apt-cache show --no-all-versions "$1" 2>/dev/null) \
        || die "apt does not know package $1 (run apt-get update / guest/deps.sh)"
    src=$(printf '%s\n' "$info" | sed -n 's/^Source: [^ ]* (\(.*\))$/\1/p' | head -1)
    ver=$(printf '%s\n' "$info" | sed -n 's/^Version: //p' | head -1)
    mkdir -p "$CACHE_ROOT"
    printf '%s\n' "${src:-$ver}" > "$memo.$$"
    mv "$memo.$$" "$memo"
    printf '%s\n' "${src:-$ver}"
}

# Cache keys.  A component describes its inputs as text lines with
# input_lines ("label=value" lines, then "--", then files whose contents
# count); its key is the sha256 of those lines, shortened to 16 hex digits
# (collisions are not a concern here).  The lines themselves are saved next to
# the output (inputs.txt) so one can see why a cache directory exists.
input_lines() {
    while [ $# -gt 0 ] && [ "$1" != -- ]; do printf '%s\n' "$1"; shift; done
    [ $# -gt 0 ] && shift
    local f
    for f in "$@"; do
        printf 'file:%s=%s\n' "$(basename "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
    done
}
key_of() { sha256sum | cut -c1-16; }

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
CLEANUP_DIRS=()
trap 'rm -rf "${CLEANUP_DIRS[@]}"' EXIT
cached_build() {
    local name=$1 key=$2 fn=$3
    local final=$CACHE_ROOT/$name-$key
    if [ ! -e "$final/$STAMP" ]; then
        mkdir -p "$CACHE_ROOT"
        local lockfd
        exec {lockfd}>"$CACHE_ROOT/.lock-$name-$key"
        flock "$lockfd"
        if [ ! -e "$final/$STAMP" ]; then
            # Whatever is here is left over from a killed build of this key.
            rm -rf "$final" "$CACHE_ROOT/.tmp-$name-$key".*
            local tmp
            tmp=$(mktemp -d "$CACHE_ROOT/.tmp-$name-$key.XXXXXX")
            # Removed by the EXIT trap if we fail or are interrupted.
            CLEANUP_DIRS+=("$tmp")
            "$fn" "$tmp"
            touch "$tmp/$STAMP"
            chmod 755 "$tmp"
            mv -T "$tmp" "$final"
            unset 'CLEANUP_DIRS[-1]'
        fi
        # The lock file stays: deleting it could let a third process lock a
        # new file while a second one still waits on the old one.
        exec {lockfd}>&-
    fi
    CACHED_DIR=$final
}

# check_fragment LABEL FRAGMENT CONFIG
# Every option line of FRAGMENT must hold in the final CONFIG.  Kconfig
# silently drops a request whose dependencies are unmet (merge tools only
# warn), which would give, say, a kernel that boots but lacks 9p.
check_fragment() {
    local label=$1 fragment=$2 config=$3 line opt bad=0
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
        log "$label: $(basename "$fragment") asks '$line' but the config has:" \
            "$(grep -E "^(# )?$opt[= ]" "$config" || echo "(nothing: a dependency is off)")"
        bad=1
    done < "$fragment"
    [ "$bad" = 0 ] || die "$label: options of $(basename "$fragment") were dropped; add what they depend on"
}

# run_make_quiet LOGFILE LABEL make-command...
# Runs a make command with its normal short output ("  CC  foo.o") sent to LOGFILE and
# prints a progress line every PROGRESS_EVERY compiled files, so a long build
# is visibly alive without flooding the terminal.  On failure the end of the
# log is shown.  VIREO_GUEST_VERBOSE=1 shows every line instead.
PROGRESS_EVERY=${VIREO_PROGRESS_EVERY:-100}
run_make_quiet() {
    local logf=$1 label=$2; shift 2
    local t0 rc=0
    t0=$(date +%s)
    if [ "${VIREO_GUEST_VERBOSE:-0}" = 1 ]; then
        "$@" </dev/null 2>&1 | tee "$logf" >&2 || rc=$?
    else
        # A shell loop rather than awk: mawk reads its input in big blocks,
        # which would delay the progress lines.
        "$@" </dev/null 2>&1 | tee "$logf" | {
            n=0
            while IFS= read -r line; do
                case $line in
                    "  CC "*|"  AS "*|"  HOSTCC "*)
                        n=$((n + 1))
                        [ $((n % PROGRESS_EVERY)) = 0 ] &&
                            log "$label: $n files compiled ($(elapsed "$t0"))" ;;
                    # The kernel's final links take minutes with debug info.
                    "  LD "*vmlinux*)
                        log "$label: linking ${line##* } ($(elapsed "$t0"))" ;;
                esac
            done
            log "$label: $n files compiled in total"
        } || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        tail -n 40 "$logf" >&2
        # The build directory is about to be deleted; keep the log.
        cp "$logf" "$CACHE_ROOT/failed-$label.log"
        die "$label: make failed (full log: $CACHE_ROOT/failed-$label.log)"
    fi
    log "$label: done in $(elapsed "$t0")"
}
