# Sourced by every integration test (bash). TAP output; counts are checked at the end.
# NSB_BUILD: the build folder (binaries, tests/helpers); NSB_SRC: the source tree.
set -u
: "${NSB_BUILD:?run through make check-integration}"
: "${NSB_SRC:?run through make check-integration}"
T_N=0
T_FAIL=0
GUARD=${NSB_TEST_TIMEOUT:-60}   # seconds: a guard against hangs, never a measure

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
diag() { echo "# $*" | sed '2,$s/^/# /'; }
# fdiag: a failure's diagnostics, on stderr too, so that prove shows them without -v
fdiag() { diag "$@"; diag "$@" >&2; }
# check DESC CMD...: passes when CMD exits 0
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# is DESC GOT WANT
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; fdiag "got '$2', want '$3'"; fi; }
# like DESC TEXT REGEX (grep -E)
like() { if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1"; fdiag "'$2' does not match /$3/"; fi; }
unlike() { if printf '%s\n' "$2" | grep -Eq -- "$3"; then not_ok "$1"; fdiag "'$2' matches /$3/"; else ok "$1"; fi; }
done_testing() { echo "1..$T_N"; [ "$T_FAIL" -eq 0 ]; exit $?; }

# nsb_need_subid_prep: ends the file with a skip unless root can prepare a rootless subid
# run (root, for debootstrap and the test range; /etc/subuid, /etc/subgid, newuidmap).
nsb_need_subid_prep() {
	if [ "$(id -u)" != 0 ]; then
		skip "needs root to prepare (debootstrap, the test subid range)"
		done_testing
	fi
	if [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ] || ! command -v newuidmap >/dev/null; then
		skip "/etc/subuid, /etc/subgid or newuidmap missing"
		done_testing
	fi
}

# nsb_pub_init: sets NSB_PUB to a world-readable copy of the binaries ($NSB_PUB/bin),
# the test helpers ($NSB_PUB/bin/helpers) and data ($NSB_PUB/data), for tests run as nobody.
nsb_pub_init() {
	[ -n "${NSB_PUB:-}" ] && return 0
	NSB_PUB=$(mktemp -d /tmp/nsb-pub.XXXXXX)
	mkdir -p "$NSB_PUB/bin"
	cp -a "$NSB_BUILD"/nsboot "$NSB_BUILD"/nsboot-init "$NSB_BUILD"/nsboot-mount "$NSB_PUB/bin/"
	if [ -d "$NSB_BUILD/tests/helpers" ]; then cp -a "$NSB_BUILD/tests/helpers" "$NSB_PUB/bin/helpers"; fi
	if [ -d "$NSB_SRC/data" ]; then cp -a "$NSB_SRC/data" "$NSB_PUB/data"; fi
	chmod -R a+rX "$NSB_PUB"
	chmod 755 "$NSB_PUB"
	nsb_at_exit "rm -rf '$NSB_PUB'"
}
# nsb_pub_tree KIND: prints the path of a copy of the tree scripts/mkrootfs KIND builds,
# for tests that run it as nobody too: the tree cache is private (0700), so the tree is
# copied (owners and modes kept: a root-owned tree stays root's) into $NSB_PUB/trees once,
# where nobody can read it. Call nsb_pub_init first (this may run in a command
# substitution). For the small busybox tree (2 MB, a few ms); a Debian tree is shown to
# nobody by a bind mount in a private mount namespace instead (40-debian-rootless.t).
nsb_pub_tree() {
	local src dst
	if [ -z "${NSB_PUB:-}" ]; then
		echo "nsb_pub_tree: nsb_pub_init first" >&2
		return 1
	fi
	dst=$NSB_PUB/trees/$1
	if [ ! -e "$dst/.nsboot-complete" ]; then
		src=$("$NSB_SRC/scripts/mkrootfs" "$1") || return 1
		mkdir -p "$NSB_PUB/trees" && chmod 755 "$NSB_PUB/trees" &&
			rm -rf "$dst.tmp" && cp -a "$src" "$dst.tmp" && mv "$dst.tmp" "$dst" || return 1
	fi
	echo "$dst"
}
# nsb_at_exit CMD: runs CMD at exit after whatever EXIT trap the test set before.
nsb_at_exit() {
	local cur
	cur=$(trap -p EXIT)
	cur=${cur#trap -- }
	cur=${cur% EXIT}
	if [ -n "$cur" ]; then eval "cur=$cur"; fi
	trap "${cur:+$cur; }$1" EXIT
}
# Runs CMD as nobody (uid/gid 65534, no supplementary groups).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
