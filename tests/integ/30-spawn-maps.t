#!/bin/bash
# nsboot's user mapping: pick (the root default), identity,
# BASE:COUNT, and as nobody single and subid (test ranges bind-mounted over /etc/subuid and
# /etc/subgid in a private mount namespace; the host's files are never edited).
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init # (before our trap: it sets one of its own, which ours replaces)
TREE=$(nsb_pub_tree busybox) # nobody reads it too
TMP=$(mktemp -d /tmp/nsb-30maps.XXXXXX)
chmod 755 "$TMP"
trap 'rm -rf "$TMP" "${NSB_PUB:-/nonexistent}"' EXIT
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
# the first map line's fields, squeezed: "INSIDE OUTSIDE COUNT"
# the first two lines (id -u, id -g) joined
ids() { printf '%s\n' "$1" | sed -n 1,2p | tr '\n' ' ' | sed 's/ $//'; }
first_map() { printf '%s\n' "$1" | grep -m1 -E '^ *[0-9]+ +[0-9]+ +[0-9]+ *$' | awk '{print $1, $2, $3}'; }

# host_maps RUNNER... NSBOOT-ARGS...: runs a container of the args (a sleep), then prints
# the uid_map, "gid", and the gid_map of its PID 1 as the host sees them (inside, the
# maps are the nested namespace's, one to one onto the outer one's ids)
mkdir -m 777 "$TMP/hm"
host_maps() {
	local pf args=() pid
	pf=$(mktemp -u "$TMP/hm/pid.XXXXXX")
	args=("$@" --pid-file="$pf" -- /bin/sleep "$GUARD")
	"${args[@]}" >/dev/null 2>&1 &
	local job=$!
	for _ in $(seq $((GUARD * 10))); do [ -s "$pf" ] && break; sleep 0.1; done
	pid=$(cat "$pf" 2>/dev/null)
	if [ -n "$pid" ]; then
		cat "/proc/$pid/uid_map"; echo gid; cat "/proc/$pid/gid_map"
		# the spawner is PID 1's parent: SIGTERM to it stops the container
		kill -TERM "$(awk '{print $4}' "/proc/$pid/stat")" 2>/dev/null
	fi
	wait "$job" 2>/dev/null
}

probe='id -u; id -g; stat -c "owner %u:%g" /bin/busybox; cat /proc/self/uid_map; echo gid; cat /proc/self/gid_map; echo "setgroups $(cat /proc/self/setgroups)"'

# --- pick, the default as root ---
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c "$probe" 2>&1)
is "pick: exit status 0" "$?" 0
is "pick: id is 0:0 inside" "$(ids "$out")" "0 0"
like "pick: the root-owned tree appears owned by 0:0 (idmapped)" "$out" 'owner 0:0'
is "pick: inside, the nested namespace maps its ids one to one" "$(first_map "$out")" "0 0 65536"
hm=$(host_maps "$NSBOOT" -q -D "$TREE")
umap=$(first_map "$hm")
base=${umap#0 }; base=${base% 65536}
like "pick: uid_map maps 0 to a 65536-id range (host view)" "$umap" '^0 [0-9]+ 65536$'
check "pick: the range is not host root's ($base) and above 0x80000" [ "${base:-0}" -ge 524288 ]
gmap=$(printf '%s\n' "$hm" | sed -n '/^gid$/,$p' | sed 1d)
is "pick: gid_map is the same range" "$(first_map "$gmap")" "$umap"

# two containers at once get different ranges (a lock per range)
# (timeout itself in the background, not the run function: $! must be a process that
# passes SIGTERM on, not a subshell that dies alone and leaves the container running)
timeout "$GUARD" "$NSBOOT" -q --pid-file="$TMP/first.pid" -D "$TREE" -- /bin/sleep 30 &
first=$!
for _ in $(seq 100); do [ -s "$TMP/first.pid" ] && break; sleep 0.1; done
p1=$(cat "$TMP/first.pid" 2>/dev/null)
m1=$(first_map "$(cat "/proc/$p1/uid_map" 2>/dev/null)")
m2=$(first_map "$(host_maps "$NSBOOT" -q -D "$TREE")")
like "pick: a running container has a range" "$m1" '^0 [0-9]+ 65536$'
check "pick: a second container picks another range ($m1 / $m2)" [ -n "$m2" -a "$m1" != "$m2" ]
kill -TERM "$first" 2>/dev/null
wait "$first" 2>/dev/null
gone() { [ -n "$1" ] && ! kill -0 "$1" 2>/dev/null; }
check "pick: SIGTERM to it (through timeout) ended the first container" gone "$p1"

# a host kernel parameter stays out of reach: /proc/sys is locked read-only (it cannot be
# unmounted), and under pick the container's root is not host root anyway
cur=$(cat /proc/sys/vm/swappiness)
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c "umount /proc/sys && echo umounted; echo $cur >/proc/sys/vm/swappiness && echo WROTE" 2>&1)
unlike "pick: the container's root cannot unmount its read-only /proc/sys" "$out" umounted
unlike "pick: ...nor write /proc/sys/vm/swappiness" "$out" WROTE
# with identity the container's root is host uid 0: only the lock keeps the same write
# (of the current value) out
out=$(run "$NSBOOT" -q --private-users=identity -D "$TREE" -- /bin/sh -c "umount /proc/sys && echo umounted; mount -o remount,rw /proc/sys && echo remounted; echo $cur >/proc/sys/vm/swappiness && echo WROTE" 2>&1)
unlike "identity: the container's root cannot unmount /proc/sys" "$out" umounted
unlike "identity: ...nor remount it writable" "$out" remounted
unlike "identity: ...nor write a host sysctl" "$out" WROTE

# files created in a --writable tree land with the owner the idmapped mount gives them
mkdir "$TMP/w" && cp -a "$TREE" "$TMP/w/tree"
out=$(run "$NSBOOT" -q --writable -D "$TMP/w/tree" -- /bin/sh -c 'echo hi >/created && mkdir /home1000 && chown 1000:1001 /home1000 && echo done' 2>&1)
like "pick --writable: creating files works" "$out" done
is "pick --writable: a file made by the container's root is owned by 0:0 on the host" \
	"$(stat -c %u:%g "$TMP/w/tree/created" 2>&1)" 0:0
is "pick --writable: a directory chowned to 1000:1001 inside is 1000:1001 on the host" \
	"$(stat -c %u:%g "$TMP/w/tree/home1000" 2>&1)" 1000:1001

# a user bind with the idmap option: its host owners appear as they are, and the
# container's root writes as host root there; without it they are unmapped (nobody)
mkdir "$TMP/src" && echo hi >"$TMP/src/f" && chown 1000:1000 "$TMP/src/f"
mounts_before=$(grep -c "$TMP" /proc/self/mountinfo)
out=$(run "$NSBOOT" -q --bind="$TMP/src:/mnt:idmap" -D "$TREE" -- /bin/sh -c 'stat -c "f %u:%g" /mnt/f; echo new >/mnt/g && echo wrote' 2>&1)
like "pick, --bind=...:idmap: a file of host 1000:1000 is 1000:1000 inside" "$out" '^f 1000:1000$'
like "pick, --bind=...:idmap: the container's root can write there" "$out" '^wrote$'
is "pick, --bind=...:idmap: its file lands owned by 0:0 on the host" "$(stat -c %u:%g "$TMP/src/g" 2>&1)" 0:0
out=$(run "$NSBOOT" -q --bind-ro="$TMP/src:/mnt:idmap" -D "$TREE" -- /bin/sh -c 'stat -c "f %u:%g" /mnt/f; echo x >/mnt/h || echo refused' 2>&1)
like "pick, --bind-ro=...:idmap: idmapped" "$out" '^f 1000:1000$'
like "pick, --bind-ro=...:idmap: still read-only" "$out" '^refused$'
out=$(run "$NSBOOT" -q --bind="$TMP/src:/mnt" -D "$TREE" -- /bin/stat -c "f %u:%g" /mnt/f 2>&1)
like "pick, a plain --bind: host owners are unmapped inside" "$out" '^f 65534:65534$'
is "the host's mount table is unchanged" "$(grep -c "$TMP" /proc/self/mountinfo)" "$mounts_before"

# --- identity and BASE:COUNT ---
out=$(run "$NSBOOT" -q --private-users=identity -D "$TREE" -- /bin/sh -c "$probe" 2>&1)
is "identity: uid_map is 0 0 65536" "$(first_map "$(host_maps "$NSBOOT" -q --private-users=identity -D "$TREE")")" "0 0 65536"
is "identity: id is 0:0" "$(ids "$out")" "0 0"
out=$(run "$NSBOOT" -q --private-users=3000000:65536 -D "$TREE" -- /bin/sh -c "$probe" 2>&1)
is "BASE:COUNT: uid_map is 0 3000000 65536" "$(first_map "$(host_maps "$NSBOOT" -q --private-users=3000000:65536 -D "$TREE")")" "0 3000000 65536"
like "BASE:COUNT: the tree is idmapped (owned by 0:0 inside)" "$out" 'owner 0:0'

# --- as nobody ---
PUB=$NSB_PUB/bin/nsboot
out=$(run setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" -q --private-users=single -D "$TREE" -- /bin/sh -c "$probe" 2>&1)
is "single (nobody): exit status 0" "$?" 0
is "single (nobody): id is 0:0" "$(ids "$out")" "0 0"
hm=$(host_maps setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" -q --private-users=single -D "$TREE")
is "single (nobody): uid_map is 0 65534 1" "$(first_map "$hm")" "0 65534 1"
gmap=$(printf '%s\n' "$hm" | sed -n '/^gid$/,$p' | sed 1d)
is "single (nobody): gid_map is 0 65534 1" "$(first_map "$gmap")" "0 65534 1"
like "single (nobody): setgroups is denied" "$out" 'setgroups deny'

# a plain writable bind whose source the container's root cannot write: a warning
mkdir -m 755 "$TMP/rootdir"
out=$(timeout "$GUARD" "$NSBOOT" -q --bind="$TMP/rootdir:/mnt" -D "$TREE" -- /bin/true 2>&1)
is "a plain --bind of a root-owned 0755 folder under pick: exit 0" "$?" 0
is "... a warning suggesting :idmap or --bind-ro" "$out" \
	"nsboot: warning: --bind=$TMP/rootdir: the container's root cannot write there (its host owner is not mapped: nobody inside); add :idmap (--bind=SRC:DST:idmap) to write as the host owner, or bind it read-only (--bind-ro)"
for o in :idmap :ro; do
	out=$(timeout "$GUARD" "$NSBOOT" -q --bind="$TMP/rootdir:/mnt$o" -D "$TREE" -- /bin/true 2>&1)
	is "... not with $o" "$out" ""
done
out=$(timeout "$GUARD" "$NSBOOT" -q --bind-ro="$TMP/rootdir:/mnt" -D "$TREE" -- /bin/true 2>&1)
is "... nor with --bind-ro" "$out" ""
chmod 1777 "$TMP/rootdir"
out=$(timeout "$GUARD" "$NSBOOT" -q --bind="$TMP/rootdir:/mnt" -D "$TREE" -- /bin/true 2>&1)
is "... nor for a folder anyone may write" "$out" ""

# an fstab overlay line with a host upper dir: one the container's root cannot write is
# refused (the kernel would mount it read-only); one of the container's range keeps writes
mkdir -p "$TMP/ov/lower" "$TMP/ov/upper" "$TMP/ov/work" && echo low >"$TMP/ov/lower/l"
echo "overlay /mnt overlay lowerdir=$TMP/ov/lower,upperdir=$TMP/ov/upper,workdir=$TMP/ov/work 0 0" >"$TMP/ov.fstab"
out=$(timeout "$GUARD" "$NSBOOT" -q --fstab="$TMP/ov.fstab" -D "$TREE" -- /bin/sh -c 'echo w >/mnt/w' 2>&1)
is "an fstab overlay over a root-owned upper dir under pick: exit 125" "$?" 125
like "... refused, naming the upper dir and the fix" "$out" \
	"^nsboot: fstab: $TMP/ov.fstab:1: overlay -> /mnt: upperdir=$TMP/ov/upper: the container's root cannot write there .*--private-users=BASE, chown BASE:BASE"
chown 3000000:3000000 "$TMP/ov/upper" "$TMP/ov/work"
out=$(timeout "$GUARD" "$NSBOOT" -q --private-users=3000000 --fstab="$TMP/ov.fstab" -D "$TREE" -- \
	/bin/sh -c 'cat /mnt/l; echo w >/mnt/w' 2>&1)
is "... an upper dir of the BASE range: exit 0" "$?" 0
is "... the lower layer shows" "$out" "low"
is "... and the write is kept in the upper dir, owned by BASE" "$(stat -c '%u %s' "$TMP/ov/upper/w" 2>&1)" "3000000 2"

# BASE over the host's users: with --private-users-force, or inside root's own subid range
out=$(timeout "$GUARD" "$NSBOOT" -q --private-users=12 --private-users-force -D "$TREE" -- /bin/cat /proc/self/uid_map 2>&1)
is "BASE over host users with --private-users-force: exit 0" "$?" 0
echo 'root:0:131072' >"$TMP/root-subids" && chmod 644 "$TMP/root-subids"
out=$(timeout "$GUARD" unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && exec "$@"' \
	sh "$TMP/root-subids" "$NSBOOT" -q --private-users=12 -D "$TREE" -- /bin/true 2>&1)
is "BASE over host users inside root's own /etc/subuid and /etc/subgid ranges: exit 0" "$?" 0
is "... without a word" "$out" ""

# subid: a test range for nobody, and a tree shifted into it (0 -> nobody, 1000 -> 200999)
if [ -e /etc/subuid ] && [ -e /etc/subgid ] && command -v newuidmap >/dev/null; then
	echo 'nobody:200000:65536' >"$TMP/subuid"
	echo 'nobody:300000:65536' >"$TMP/subgid"
	chmod 644 "$TMP/subuid" "$TMP/subgid"
	mkdir "$TMP/s" && cp -a "$TREE" "$TMP/s/tree"
	chown -R -h 65534:65534 "$TMP/s/tree"
	echo marker >"$TMP/s/tree/etc/u1000" && chown 200999:300999 "$TMP/s/tree/etc/u1000"
	chmod 755 "$TMP/s"
	with_subids() {
		timeout "$GUARD" unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec "$@"' \
			sh "$TMP/subuid" "$TMP/subgid" "$@"
	}
	out=$(with_subids setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" -q -D "$TMP/s/tree" -- \
		/bin/sh -c "$probe; stat -c 'u1000 %u:%g' /etc/u1000" 2>&1)
	is "subid (nobody, the rootless default): exit status 0" "$?" 0
	is "subid: id is 0:0" "$(ids "$out")" "0 0"
	hm=$(host_maps with_subids setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" -q -D "$TMP/s/tree")
	like "subid: uid_map maps 0 to the caller" "$hm" '^ *0 +65534 +1 *$'
	like "subid: uid_map maps 1.. to the range" "$hm" '^ *1 +200000 +65536 *$'
	like "subid: gid_map maps 1.. to the gid range" "$hm" '^ *1 +300000 +65536 *$'
	like "subid: inside, the nested map has the same two ranges" "$out" '^ *1 +1 +65536 *$'
	like "subid: a file of host 200999:300999 is 1000:1000 inside" "$out" 'u1000 1000:1000'
	like "subid: setgroups is allowed" "$out" 'setgroups allow'
	out=$(with_subids setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" -q --private-users=subid -D "$TMP/s/tree" -- /bin/true 2>&1)
	is "subid asked: exit status 0" "$?" 0
	# the printed nsenter command, run as nobody, enters the live container
	mkdir "$TMP/s/run" && chown 65534:65534 "$TMP/s/run"
	with_subids setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB" --pid-file="$TMP/s/run/pid" \
		-D "$TMP/s/tree" -- /bin/sleep 60 2>"$TMP/s/run/err" &
	bg=$!
	for _ in $(seq $((GUARD * 10))); do [ -s "$TMP/s/run/pid" ] && [ -s "$TMP/s/run/err" ] && break; sleep 0.1; done
	pid=$(cat "$TMP/s/run/pid" 2>/dev/null)
	cmd=$(sed -n 's/^nsboot: container running as PID [0-9]*; enter it with: //p' "$TMP/s/run/err")
	is "subid: the hint is plain nsenter -a" "$cmd" "nsenter -a -t $pid"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups timeout "$GUARD" $cmd /bin/sh -c 'id -u; cat /etc/nsboot-marker; ps -o args' 2>&1)
	like "subid: nsenter as nobody reads the tree's marker" "$out" '^nsboot busybox tree$'
	like "subid: ...and sees the container's processes" "$out" '^/bin/sleep 60$'
	[ -n "$pid" ] && kill -TERM "$(awk '{print $4}' "/proc/$pid/stat")"
	wait "$bg"
	# ranges but no newuidmap in PATH: single, with a warning naming the package
	out=$(with_subids setpriv --reuid=65534 --regid=65534 --clear-groups env PATH=/nonexistent \
		"$PUB" -D "$TMP/s/tree" -- /bin/cat /proc/self/uid_map 2>&1)
	like "subid ranges without newuidmap: a warning naming Debian's uidmap" "$out" \
		'^nsboot: warning: --private-users=subid: newuidmap not found in PATH \(Debian package uidmap\); using --private-users=single'
	like "... and the single map (inside: 0 0 1)" "$out" '^ *0 +0 +1 *$'
	unlike "... without the range" "$out" '65536'
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env PATH=/nonexistent "$PUB" -q -D "$TREE" -- /bin/true 2>&1)
	is "no range, no newuidmap: single without a word" "$out" ""
else
	for _ in $(seq 16); do skip "subid: /etc/subuid, /etc/subgid or newuidmap missing"; done
fi
done_testing
