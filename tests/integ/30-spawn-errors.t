#!/bin/bash
# Bad input: each case exits 125 with one line naming the cause, and leaves the mount
# table and the process list as they were. Each case runs in a throwaway pid and mount
# namespace whose PID 1 is a shell that looks at both before and after.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init # (before our trap: it sets one of its own, which ours replaces)
TREE=$(nsb_pub_tree busybox) # nobody reads it too
TMP=$(mktemp -d /tmp/nsb-30err.XXXXXX)
chmod 755 "$TMP"
trap 'rm -rf "$TMP" "${NSB_PUB:-/nonexistent}"' EXIT
NSBOOT=$NSB_BUILD/nsboot
PUB=$NSB_PUB/bin/nsboot
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

# The probe, PID 1 of the throwaway namespaces: optional setup (SETUP, e.g. test subid
# files), the mount table, CMD, the mount table and the processes again (a glob, no fork).
# CMD's stderr goes to a file of its own (its $$ is 1 in every namespace: no name from it).
probe='eval "$SETUP"
m0=$(cat /proc/self/mountinfo)
e=$(mktemp /tmp/nsb-30err-probe.XXXXXX)
"$@" >/dev/null 2>"$e" </dev/null; rc=$?
m1=$(cat /proc/self/mountinfo)
procs=(/proc/[0-9]*)
echo "rc=$rc"
[ "$m0" = "$m1" ] && echo mounts=same || echo mounts=changed
echo "procs=${procs[*]#/proc/}"
cat "$e"; rm -f "$e"'

# bad DESC REGEX [LINES] -- CMD...: exit 125, LINES (1) lines on stderr, nsboot's one line
# ("nsboot: ...") matching REGEX
bad() {
	local desc=$1 want=$2 lines=1
	shift 2
	[ "$1" != -- ] && { lines=$1; shift; }
	shift
	local res err
	res=$(SETUP=${SETUP:-} timeout "$GUARD" unshare -pf --mount-proc bash -c "$probe" probe "$@" 2>&1)
	err=$(printf '%s\n' "$res" | sed '1,3d')
	is "$desc: exit status 125" "$(printf '%s\n' "$res" | sed -n 's/^rc=//p')" 125
	is "$desc: $lines line(s) on stderr" "$(printf '%s\n' "$err" | grep -c .)" "$lines"
	like "$desc: nsboot's line names the cause" "$(printf '%s\n' "$err" | grep '^nsboot: ')" "^nsboot: .*$want"
	is "$desc: mount table unchanged" "$(printf '%s\n' "$res" | sed -n 's/^mounts=//p')" same
	is "$desc: no process left" "$(printf '%s\n' "$res" | sed -n 's/^procs=//p')" 1
}

bad "missing TREE" "/nonexistent-tree: No such file or directory" -- "$NSBOOT" -D /nonexistent-tree -- /bin/true
bad "TREE a file" "/etc/passwd: Not a directory" -- "$NSBOOT" -D /etc/passwd -- /bin/true
bad "bad bind source" "/nonexistent-src.*No such file or directory" -- \
	"$NSBOOT" --bind=/nonexistent-src:/mnt -D "$TREE" -- /bin/true
bad "unknown option (then the usage line)" "unknown option '--no-such-option'" 2 -- \
	"$NSBOOT" --no-such-option -D "$TREE" -- /bin/true
bad "a mistyped verb" "missing -D TREE \(or --tmpfs-root\); 'lsit' is no verb of nsboot \(list, exec," 2 -- \
	"$NSBOOT" lsit
bad "no tree, a command after options: no verb hint" "missing -D TREE \(or --tmpfs-root\)$" 2 -- \
	"$NSBOOT" -q sh
# an option given twice, or options that contradict each other (then the usage line)
bad "two -D" "-D given twice \(the last would win\); give it once" 2 -- \
	"$NSBOOT" -D "$TREE" -D /nonexistent -- /bin/true
bad "two --hostname" "--hostname given twice" 2 -- "$NSBOOT" --hostname=a --hostname=b -D "$TREE" -- /bin/true
bad "two --private-users" "--private-users given twice" 2 -- \
	"$NSBOOT" --private-users=pick --private-users=identity -D "$TREE" -- /bin/true
bad "--bind-ro with rw" "--bind-ro=/etc:/mnt:rw: rw contradicts --bind-ro \(use --bind\)" 2 -- \
	"$NSBOOT" --bind-ro=/etc:/mnt:rw -D "$TREE" -- /bin/true
# a bind source the container's root cannot reach: the folder in the way is named
mkdir -p "$TMP/private/data" && chmod 700 "$TMP/private"
for o in "" :idmap :ro; do
	bad "a bind source below a 0700 folder (pick${o:+, $o})" \
		"bind: --bind=$TMP/private/data: the container's root \(host uid [0-9]+\) cannot enter $TMP/private \(mode 0700\): give it o\+x" -- \
		"$NSBOOT" --bind="$TMP/private/data:/mnt$o" -D "$TREE" -- /bin/true
done
bad "a bind source below a 0700 folder (nobody, single)" \
	"bind: --bind-ro=$TMP/private/data: the container's root \(host uid 65534\) cannot enter $TMP/private " -- \
	$NOBODY "$PUB" --private-users=single --bind-ro="$TMP/private/data:/mnt" -D "$TREE" -- /bin/true

# a BASE range over the host's own users and groups
bad "a BASE range over host users" \
	"--private-users=12: ids 12-65547 hold [0-9]+ host users \(.+\) and [0-9]+ host groups .*--private-users-force takes this one" -- \
	"$NSBOOT" --private-users=12 -D "$TREE" -- /bin/true
bad "--private-users-force without BASE" "--private-users-force goes with --private-users=BASE\[:COUNT\] only" -- \
	"$NSBOOT" --private-users-force -D "$TREE" -- /bin/true
bad "unknown --private-users mode" "--private-users=sometimes: want pick, identity" -- \
	"$NSBOOT" --private-users=sometimes -D "$TREE" -- /bin/true
bad "a file system refusing idmapped mounts (sysfs) under pick" \
	"idmapped mount of /sys/kernel: Invalid argument \(its file system refuses idmapping; --private-users=identity does without\)" -- \
	"$NSBOOT" -D /sys/kernel -- /bin/true
bad "idmap under identity" "idmap needs --private-users=pick or BASE \(this is identity\)" -- \
	"$NSBOOT" --private-users=identity --bind=/tmp:/mnt:idmap -D "$TREE" -- /bin/true
bad "a closed --ready-fd" "--ready-fd=77: Bad file descriptor" -- \
	"$NSBOOT" --ready-fd=77 -D "$TREE" -- /bin/true
bad "nobody asking for pick" "--private-users=pick needs root" -- \
	$NOBODY "$PUB" --private-users=pick -D "$TREE" -- /bin/true
bad "nobody asking for identity" "--private-users=identity needs root" -- \
	$NOBODY "$PUB" --private-users=identity -D "$TREE" -- /bin/true
bad "nobody asking for subid without a range" "no range for user nobody \(uid 65534\) in /etc/subuid" -- \
	$NOBODY "$PUB" --private-users=subid -D "$TREE" -- /bin/true
# the init dies before READY (busybox knows no applet nsboot-init), and cannot be exec'd
mkdir -p "$TMP/dies" "$TMP/noexec"
cp "$NSBOOT" "$TMP/dies/nsboot" && cp "$TREE/bin/busybox" "$TMP/dies/nsboot-init"
# (busybox's own "applet not found" is the other line)
bad "the init dies before READY" "the container's init exited with status 127 before READY" 2 -- \
	"$TMP/dies/nsboot" -D "$TREE" -- /bin/true
cp "$NSBOOT" "$TMP/noexec/nsboot" && printf '#!/nonexistent/interpreter\n' >"$TMP/noexec/nsboot-init"
chmod 755 "$TMP/noexec/nsboot-init"
bad "the init cannot be executed" "exec: execute nsboot-init: No such file or directory" -- \
	"$TMP/noexec/nsboot" -D "$TREE" -- /bin/true

if [ -e /etc/subuid ] && [ -e /etc/subgid ]; then
	echo 'nobody:200000:65536' >"$TMP/subuid"
	cp "$TMP/subuid" "$TMP/subgid"
	chmod 644 "$TMP/subuid" "$TMP/subgid"
	SETUP="mount --bind $TMP/subuid /etc/subuid && mount --bind $TMP/subgid /etc/subgid" \
		bad "subid with newuidmap missing from PATH" "newuidmap not found in PATH" -- \
		$NOBODY env PATH=/nonexistent "$PUB" --private-users=subid -D "$TREE" -- /bin/true
else
	for _ in 1 2 3 4 5; do skip "no /etc/subuid or /etc/subgid to bind test copies over"; done
fi
done_testing
