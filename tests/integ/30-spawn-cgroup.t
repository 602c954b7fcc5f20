#!/bin/bash
# The container's own cgroup: with a writable cgroup v2 hierarchy a cgroup nsboot-PID below
# nsboot's own holds the container and roots its cgroup namespace (a cgroup2 mount inside
# shows only the container), it is the container's root's to divide, and it is removed at
# exit (also what the container made below it, and the leftover of a SIGKILLed nsboot);
# --memory-max and --pids-max are written to it or refused with the reason. Without a
# writable hierarchy (as nobody here) nsboot runs as before and -v says why.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30cg.XXXXXX)
chmod 755 "$TMP"
nsb_pub_init
nsb_at_exit "kill -KILL \$(jobs -p) 2>/dev/null; rm -rf '$TMP'"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# the v2 hierarchy and nsboot's own cgroup in it (this shell's: nsboot is its child)
V2=
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { V2=$m; break; }
done
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
PARENT=$V2${own%/}
if [ -z "$V2" ] || ! [ -w "$PARENT" ]; then
	skip "no writable cgroup v2 hierarchy here"
	done_testing
fi

# inside: the namespace's root is the container's cgroup; a cgroup2 mount shows only it
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'cat /proc/self/cgroup; mkdir /tmp/cg &&
	mount -t cgroup2 none /tmp/cg && echo "procs $(wc -l </tmp/cg/cgroup.procs)" &&
	echo "ps $(ps -o pid | tail -n +2 | wc -l)"; ls -d /tmp/cg/*/ 2>/dev/null | wc -l |
	sed "s/^/subdirs /"; mkdir /tmp/cg/mine && echo $$ >/tmp/cg/mine/cgroup.procs &&
	echo delegated' 2>&1)
is "exit status 0" "$?" 0
like "the container's cgroup is the root of its cgroup namespace" "$out" '^0::/$'
procs=$(printf '%s\n' "$out" | sed -n 's/^procs //p'); ps=$(printf '%s\n' "$out" | sed -n 's/^ps //p')
check "a cgroup2 mount inside holds only the container's processes ($procs, ps: $ps)" \
	sh -c '[ -n "$1" ] && [ "$1" -le $(($2 + 1)) ] && [ "$1" -ge 1 ]' sh "$procs" "$ps"
like "...and none of the host's cgroups" "$out" '^subdirs 0$'
like "the container's root can make cgroups of its own below it" "$out" '^delegated$'

# on the host, while it runs: nsboot-PID below nsboot's own, with PID 1 in it
rm -f "$TMP/pid"
run "$NSBOOT" -q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c 'mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg &&
	mkdir /tmp/cg/leftover && { sleep 30 & echo $! >/tmp/cg/leftover/cgroup.procs; }; sleep 30' >/dev/null 2>&1 &
bg=$!
wait_for "$TMP/pid"
pid1=$(cat "$TMP/pid" 2>/dev/null)
spawner=$(awk '{print $4}' "/proc/$pid1/stat" 2>/dev/null)
CG=$PARENT/nsboot-$spawner
check "the container's cgroup $CG exists while it runs" [ -d "$CG" ]
check "...and PID 1 ($pid1) is in it" grep -qx "$pid1" "$CG/cgroup.procs"
for _ in $(seq 50); do [ -d "$CG/leftover" ] && break; sleep 0.1; done
check "...with the cgroup the container made below it" [ -d "$CG/leftover" ]
kill -TERM "$spawner"
wait "$bg"
check "at exit the cgroup is removed, with what the container made below it" [ ! -e "$CG" ]

# the container cannot make its cgroup unremovable: its depth is limited, and what it
# made below is removed at exit however deep
# (nsboot itself in the background, its pid names its cgroup)
"$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg &&
	cat /tmp/cg/cgroup.max.depth; cd /tmp/cg; n=0; while mkdir d 2>/dev/null && cd d; do
	n=$((n + 1)); [ $n -ge 40 ] && break; done; echo "depth $n"' >"$TMP/deep" 2>&1 &
deep=$!
timeout "$GUARD" tail --pid="$deep" -f /dev/null || kill -KILL "$deep"
wait "$deep"
out=$(cat "$TMP/deep")
like "the container's cgroup has a depth limit" "$out" '^16$'
like "...which its root meets when it nests cgroups" "$out" '^depth 16$'
check "...and no cgroup of it is left ($PARENT/nsboot-$deep)" [ ! -e "$PARENT/nsboot-$deep" ]

# a SIGKILLed nsboot leaves its cgroup; the next nsboot removes it
rm -f "$TMP/pid"
run "$NSBOOT" -q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sleep 30 >/dev/null 2>&1 &
bg=$!
wait_for "$TMP/pid"
pid1=$(cat "$TMP/pid" 2>/dev/null)
spawner=$(awk '{print $4}' "/proc/$pid1/stat" 2>/dev/null)
kill -KILL "$spawner"
wait "$bg" 2>/dev/null
for _ in $(seq 50); do kill -0 "$pid1" 2>/dev/null || break; sleep 0.1; done
check "a SIGKILLed nsboot's cgroup is left ($PARENT/nsboot-$spawner)" [ -d "$PARENT/nsboot-$spawner" ]
run "$NSBOOT" -q -D "$TREE" -- /bin/true
check "...and the next nsboot removes it" [ ! -e "$PARENT/nsboot-$spawner" ]

# two nsboots in two pid namespaces with the same pid there: each gets a cgroup of its
# own (nsboot-PID, nsboot-PID-1), and a third nsboot takes neither for stale
X=$(( $(cat /proc/sys/kernel/pid_max) - 100 ))
same_pid() { # PIDFILE: an nsboot with pid X in a pid namespace of its own
	unshare -pf --mount-proc sh -c 'echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid &&
		"$2" -q --pid-file="$3" -D "$4" -- /bin/sleep 30; exit $?' sh "$X" "$NSBOOT" "$1" "$TREE" \
		>/dev/null 2>&1 &
}
rm -f "$TMP/p1" "$TMP/p2"
same_pid "$TMP/p1"; bg1=$!
wait_for "$TMP/p1"
same_pid "$TMP/p2"; bg2=$!
wait_for "$TMP/p2"
check "two nsboots with pid $X in two pid namespaces: cgroups nsboot-$X and nsboot-$X-1" \
	sh -c 'grep -q . "$1/nsboot-$2/cgroup.procs" && grep -q . "$1/nsboot-$2-1/cgroup.procs"' sh "$PARENT" "$X"
run "$NSBOOT" -q -D "$TREE" -- /bin/true
check "...a third nsboot leaves both alone" [ -d "$PARENT/nsboot-$X" ] && [ -d "$PARENT/nsboot-$X-1" ]
for f in p1 p2; do
	p1=$(cat "$TMP/$f" 2>/dev/null)
	sp=$(awk '{print $4}' "/proc/$p1/stat" 2>/dev/null)
	[ -n "$sp" ] && kill -TERM "$sp"
done
wait "$bg1" "$bg2"
check "...and both are removed when their nsboots end" [ ! -e "$PARENT/nsboot-$X" ] && [ ! -e "$PARENT/nsboot-$X-1" ]

# limits: written where the controller is there, else refused with the reason
for lim in memory:--memory-max=64m:67108864 pids:--pids-max=50:50; do
	ctl=${lim%%:*}; rest=${lim#*:}; opt=${rest%%:*}; want=${rest#*:}
	if grep -qw "$ctl" "$V2/cgroup.controllers"; then
		out=$(run "$NSBOOT" -q "$opt" -D "$TREE" -- /bin/sh -c "mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg && cat /tmp/cg/$ctl.max" 2>&1)
		is "$opt: the container's $ctl.max" "$out" "$want"
	else
		out=$(run "$NSBOOT" -q "$opt" -D "$TREE" -- /bin/true 2>&1)
		is "$opt without the $ctl controller in the v2 hierarchy: exit 125" "$?" 125
		like "...saying which controller is missing where" "$out" \
			"^nsboot: ${opt%%=*}: the $ctl controller is not enabled for $PARENT/nsboot-[0-9]+ "
	fi
done
check "no cgroup of a refused start is left" [ -z "$(ls -d "$PARENT"/nsboot-* 2>/dev/null | while read -r d; do
	p=${d##*nsboot-}; kill -0 "$p" 2>/dev/null || echo "$d"; done)" ]

# bad values
out=$(run "$NSBOOT" -q --memory-max=lots -D "$TREE" -- /bin/true 2>&1)
is "--memory-max=lots: exit 125" "$?" 125
like "...named" "$out" '^nsboot: --memory-max=lots: not a size'
out=$(run "$NSBOOT" -q --pids-max=-3 -D "$TREE" -- /bin/true 2>&1)
is "--pids-max=-3: exit 125" "$?" 125
like "...named" "$out" '^nsboot: --pids-max=-3: not a positive whole number'

# as nobody the hierarchy is not writable: nsboot runs as before, -v says why
tree=$(nsb_pub_tree busybox)
out=$(run setpriv --reuid=65534 --regid=65534 --clear-groups "$NSB_PUB/bin/nsboot" -v -D "$tree" -- /bin/true 2>&1)
is "nobody: exit status 0 without a cgroup of its own" "$?" 0
like "...and -v says why" "$out" '^nsboot: no cgroup of its own: the cgroup .* belongs to uid 0, not to us$'
out=$(run setpriv --reuid=65534 --regid=65534 --clear-groups "$NSB_PUB/bin/nsboot" -q --pids-max=10 -D "$tree" -- /bin/true 2>&1)
is "nobody, --pids-max: exit 125 (a limit asked for is never dropped)" "$?" 125
like "...named" "$out" '^nsboot: --pids-max: the cgroup .* belongs to uid 0, not to us$'
done_testing
