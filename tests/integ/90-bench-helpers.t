# The helpers `make bench` measures with (tests/helpers/bench-pid1.c, bench-floor.c): they
# must measure what they claim, and fail (exit non-zero, one line) rather than report a
# number when a run goes wrong.
source "$NSB_SRC/tests/integ/lib.sh"
H=$NSB_BUILD/tests/helpers
G="timeout $GUARD"

if [ "$(id -u)" != 0 ]; then
	skip "bench helpers need root (new pid namespaces)"
	done_testing
fi
tree=$("$NSB_SRC/scripts/mkrootfs" busybox)
init=$NSB_BUILD/nsboot-init

# is_number DESC TEXT: a positive decimal number
is_number() { like "$1" "$2" '^[0-9]+(\.[0-9]+)?$'; }

# --- bench-pid1 with nsboot-init (and tini when installed) as PID 1
out=$($G "$H/bench-pid1" reap 200 -- "$init" --); st=$?
is "reap: exit 0" "$st" 0
is_number "reap: prints microseconds" "$out"
out=$($G "$H/bench-pid1" signal -- "$init" --); st=$?
is "signal: exit 0" "$st" 0
is_number "signal: prints microseconds" "$out"
out=$($G "$H/bench-pid1" footprint -- "$init" --); st=$?
is "footprint: exit 0" "$st" 0
like "footprint: VmRSS Pss Private in kB" "$out" '^[1-9][0-9]* [0-9]+ [0-9]+$'
if command -v tini >/dev/null; then
	out=$($G "$H/bench-pid1" reap 200 -- tini --); st=$?
	is "reap with tini: exit 0" "$st" 0
	is_number "reap with tini: prints microseconds" "$out"
else
	skip "tini not installed (scripts/install-deps bench)"
	skip "tini not installed"
fi

# an init that never runs the worker: a failure, not a number
out=$($G "$H/bench-pid1" signal -- /bin/false 2>&1); st=$?
is "an init that does not run its command: exit 1" "$st" 1
like "... with a message saying so" "$out" 'did not report its start'
# a PID 1 that exits non-zero on SIGTERM: reported as such, not timed
out=$($G "$H/bench-pid1" signal -- /bin/sh -c 'trap "exit 3" TERM; "$@" & wait' sh 2>&1); st=$?
is "a PID 1 that exits 3: exit 1" "$st" 1
like "... naming PID 1's status" "$out" 'PID 1 exited with status 3'
# a PID 1 that never exits on SIGTERM (sleep: no handler, so the kernel drops the signal
# sent to a pid namespace's init): the guard says so
out=$(NSB_BENCH_GUARD_MS=1500 $G "$H/bench-pid1" signal -- /bin/sh -c '"$@" & exec sleep 1000' sh 2>&1); st=$?
is "a PID 1 that never exits: exit 1" "$st" 1
like "... naming the signal" "$out" 'did not exit within 1500 ms of SIGTERM'
# a PID 1 that never reaps (sleep, with the worker as its child): the guard says so
out=$(NSB_BENCH_GUARD_MS=1500 $G "$H/bench-pid1" reap 20 -- /bin/sh -c 'exec 3<&0; "$@" <&3 3<&- & exec sleep 1000' sh 2>&1); st=$?
is "a PID 1 that does not reap: exit 1" "$st" 1
like "... saying so" "$out" 'did not reap 20 zombies'

# --- bench-floor: the setup works and runs the command inside it
out=$($G "$H/bench-floor" "$tree" /bin/sh -c 'cat /etc/nsboot-marker; hostname; id -u; test -c /dev/null && test -L /dev/ptmx && grep -q " /proc proc" /proc/mounts && grep -q " / overlay" /proc/mounts && echo mounts-ok; echo $$'); st=$?
is "floor: the command exits 0" "$st" 0
like "floor: the tree is the root" "$out" 'nsboot busybox tree'
like "floor: the hostname is the tree's name" "$out" '(^|[[:space:]])busybox($|[[:space:]])'
like "floor: uid 0 inside, overlay root, /proc, /dev nodes" "$out" 'mounts-ok'
like "floor: the command is PID 2 (PID 1 waits for it)" "$(echo "$out" | tail -1)" '^2$'
$G "$H/bench-floor" "$tree" /bin/sh -c 'exit 7'; st=$?
is "floor: exits with the command's status" "$st" 7
out=$($G "$H/bench-floor" -t "$tree" /bin/true 2>&1 >/dev/null)
like "floor -t: prints the setup time" "$out" '^bench-floor: setup [0-9.]+ us$'
like "floor -t: the child's phases" "$out" '^bench-floor: phases: GO received [0-9.]+, mounts [0-9.]+, pivot [0-9.]+ us$'
like "floor -t: the parent's phases" "$out" '^bench-floor: parent: clone3 [0-9.]+, maps [0-9.]+, until PID 1 gone [0-9.]+ us$'
out=$($G "$H/bench-floor" -n "$tree" /bin/sh -c 'wc -l </proc/net/dev; touch /sys/x 2>/dev/null || echo sys-ro'); st=$?
is "floor -n: exit 0" "$st" 0
is "floor -n: the host's network, a read-only /sys" "$(echo $out)" "$(wc -l </proc/net/dev) sys-ro"
out=$($G "$H/bench-floor" "$tree" /bin/sh -c 'wc -l </proc/net/dev')
is "floor: its own network (lo only)" "$out" 3
# -l: the locking step on top: a nested namespace, every mount locked for its root
out=$($G "$H/bench-floor" -l "$tree" /bin/sh -c 'cat /proc/self/uid_map; mount -o remount,rw /proc/sys 2>/dev/null && echo REMOUNTED; umount /proc/keys 2>/dev/null && echo UMOUNTED; exit 3'); st=$?
is "floor -l: exits with the command's status" "$st" 3
like "floor -l: the command runs in a nested namespace mapped one to one" "$out" '^ *0 +0 +[0-9]+ *$'
unlike "floor -l: /proc/sys cannot be made writable" "$out" REMOUNTED
unlike "floor -l: a mask cannot be unmounted" "$out" UMOUNTED
out=$($G "$H/bench-floor" /nonexistent/tree 2>&1); st=$?
is "floor: a missing tree is exit 125" "$st" 125
like "... naming it" "$out" '/nonexistent/tree'
grep -q "$tree" /proc/self/mountinfo && not_ok "floor: nothing mounted on the host" || ok "floor: nothing mounted on the host"
done_testing
