#!/bin/bash
# Stopping: SIGTERM or SIGINT to nsboot stops the container in order, and whatever the
# container does it is gone --grace seconds later; a second request kills at once; a setup
# that hangs (a bind source on a FUSE file system that never answers) is given up after
# --setup-timeout with exit 125, and nothing of the container is left.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30stop.XXXXXX)
chmod 755 "$TMP"
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
NSBOOT=$NSB_BUILD/nsboot
wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
spawner_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }
now_ms() { date +%s%3N; }
gone() { [ -n "$1" ] && ! kill -0 "$1" 2>/dev/null; }

# start ARGS...: a container of ARGS in the background, its pid file awaited; sets PID1,
# SPAWNER and BG (the timeout guard around nsboot)
start() {
	rm -f "$TMP/pid" "$TMP/out"
	timeout -k 5 "$GUARD" "$NSBOOT" -q --pid-file="$TMP/pid" -D "$TREE" "$@" >"$TMP/out" 2>&1 &
	BG=$!
	wait_for "$TMP/pid"
	PID1=$(cat "$TMP/pid" 2>/dev/null)
	SPAWNER=$(spawner_of "$PID1")
}

# a command that ignores SIGTERM: the grace runs out, then SIGKILL
start --grace=1 -- /bin/sh -c 'trap "" TERM; echo armed; while :; do sleep 0.05; done'
wait_for "$TMP/out"
t0=$(now_ms)
kill -TERM "$SPAWNER"
wait "$BG"
rc=$? t=$(($(now_ms) - t0))
is "a command that ignores SIGTERM: killed when the grace runs out (137)" "$rc" 137
check "...about a second after the request ($t ms)" [ "$t" -ge 900 -a "$t" -lt 4000 ]
like "...and nsboot says so" "$(cat "$TMP/out")" 'did not stop within 1.000 s \(--grace\): killing it'
check "...its PID 1 is gone" gone "$PID1"

# an orderly stop whose leftover ignores SIGTERM: the command's own status comes back
# (the init, told at the end of the grace, kills the leftover and keeps it)
start --grace=1 -- /bin/sh -c '(trap "" TERM; while :; do sleep 0.05; done) & trap "exit 0" TERM; echo armed; while :; do sleep 0.05; done'
wait_for "$TMP/out"
kill -TERM "$SPAWNER"
wait "$BG"
is "a stop whose leftover ignores SIGTERM: the command's status (0), not 137" "$?" 0
check "...its PID 1 is gone" gone "$PID1"

# a second request kills at once, long before the grace
start --grace=30 -- /bin/sh -c 'trap "" TERM INT; echo armed; while :; do sleep 0.05; done'
wait_for "$TMP/out"
t0=$(now_ms)
kill -TERM "$SPAWNER"
sleep 0.5
kill -INT "$SPAWNER"
wait "$BG"
rc=$? t=$(($(now_ms) - t0))
is "a second stop request: killed at once (137)" "$rc" 137
check "...well before the 30 s grace ($t ms)" [ "$t" -lt 5000 ]
check "...its PID 1 is gone" gone "$PID1"

unlike "...about which nsboot says nothing more (it did it)" "$(cat "$TMP/out")" 'killed by SIG'

# the container's init killed from outside: nsboot says so
start -- /bin/sleep 60
kill -KILL "$PID1"
wait "$BG"
is "the init killed from outside: 137" "$?" 137
is "...and nsboot says what happened" "$(cat "$TMP/out")" "nsboot: the container's init was killed by SIGKILL"

# the OOM killer ending the boot command is named (where the cgroup has a memory controller)
rm -f "$TMP/out"
timeout -k 5 "$GUARD" "$NSBOOT" -q --memory-max=32m -D "$TREE" -- \
	/bin/sh -c 'exec dd if=/dev/zero of=/dev/null bs=256M count=1' >"$TMP/out" 2>&1
rc=$?
if grep -q 'controller is not enabled' "$TMP/out"; then
	skip "no memory controller for the container's cgroup: $(cat "$TMP/out")"
	skip "no memory controller"
else
	is "a command the OOM killer ends: 137" "$rc" 137
	like "...and nsboot names the OOM killer" "$(cat "$TMP/out")" \
		"^nsboot: the container's boot command was killed by the OOM killer \(--memory-max\)"
fi

# the same request sent twice in a row (timeout(1) signals nsboot and then its process
# group) is one request: the command's own handler runs
start -- /bin/sh -c 'trap "exit 7" TERM; echo armed; while :; do sleep 0.05; done'
wait_for "$TMP/out"
kill -TERM "$SPAWNER"; kill -TERM "$SPAWNER"
wait "$BG"
is "SIGTERM twice at once counts once: the command's handler exits 7" "$?" 7

# a stop request in nsboot's first moments (before the container exists) waits for it:
# nsboot is held in its reading of /etc/subuid (a FIFO bound over it in a private mount
# namespace) when SIGTERM comes; the container is then started (READY is reported on
# --ready-fd) and stopped through the command's handler
mkfifo "$TMP/subuid"
rm -f "$TMP/ready"
unshare -m sh -c 'mount --bind "$1" /etc/subuid && shift && exec "$@"' sh "$TMP/subuid" \
	"$NSBOOT" -q --ready-fd=3 -D "$TREE" -- /bin/sh -c 'trap "exit 9" TERM; echo armed; while :; do sleep 0.05; done' \
	3>"$TMP/ready" >"$TMP/early.out" 2>&1 &
p=$!
for _ in $(seq $((GUARD * 100))); do [ "$(readlink "/proc/$p/exe")" = "$NSBOOT" ] && break; sleep 0.01; done
sleep 0.2 # it opens the FIFO and waits for a writer
kill -TERM "$p"
sleep 0.2
# a writer: nsboot reads an empty /etc/subuid and goes on (if it is still there)
timeout 2 sh -c ': >"$1"' sh "$TMP/subuid"
timeout "$GUARD" tail --pid="$p" -f /dev/null || kill -KILL "$p"
rc=0
wait "$p" || rc=$?
check "SIGTERM while nsboot reads its inputs: the container is still started (READY)" [ -s "$TMP/ready" ]
like "...then stopped: the command's handler or SIGTERM itself ends it" "$rc" '^(9|143)$'

# a process of the container that cannot die (frozen by the v1 freezer, in the kernel
# until thawed) holds PID 1's exit back: nsboot still exits, soon after the init gave up,
# with the command's status (the init's EXIT record)
FRZ=/sys/fs/cgroup/freezer
if [ -w "$FRZ" ] && [ -e "$FRZ/freezer.state" -o -d "$FRZ" ] && mkdir "$FRZ/nsb-test-$$" 2>/dev/null; then
	start --grace=0.5 -- /bin/sh -c 'sleep 60 & echo armed; sleep 1; exit 7'
	wait_for "$TMP/out"
	sh_pid=$(pgrep -P "$PID1" -x sh | head -1)
	stuck=$(pgrep -P "$sh_pid" -x sleep | head -1)
	echo "$stuck" >"$FRZ/nsb-test-$$/tasks"
	echo FROZEN >"$FRZ/nsb-test-$$/freezer.state"
	t0=$(now_ms)
	wait "$BG"
	rc=$? t=$(($(now_ms) - t0))
	is "a process stuck in the kernel: nsboot exits with the command's status" "$rc" 7
	check "...within seconds of the init giving up ($t ms)" [ "$t" -lt 10000 ]
	like "...and says why it did not wait" "$(cat "$TMP/out")" 'stuck in the kernel'
	echo THAWED >"$FRZ/nsb-test-$$/freezer.state"
	for _ in $(seq 50); do kill -0 "$stuck" 2>/dev/null || break; sleep 0.1; done
	check "...once thawed, the stuck process dies with its namespace" gone "$stuck"
	rmdir "$FRZ/nsb-test-$$"
else
	for _ in 1 2 3 4; do skip "no writable cgroup v1 freezer"; done
fi

# a setup that hangs: a bind source on a FUSE file system that never answers
if [ -c /dev/fuse ]; then
	mkdir "$TMP/fuse"
	t0=$(now_ms)
	out=$(timeout -k 5 "$GUARD" "$NSB_BUILD/tests/helpers/fuse-hang" "$TMP/fuse" \
		"$NSBOOT" -q --setup-timeout=2 --bind="$TMP/fuse/x:/mnt" -D "$TREE" -- /bin/true 2>&1)
	rc=$? t=$(($(now_ms) - t0))
	is "a hanging setup: exit 125" "$rc" 125
	like "...naming the setup and the option" "$out" '^nsboot: setup: the container was not ready within 2 s \(--setup-timeout\)$'
	check "...after about the timeout ($t ms)" [ "$t" -ge 1900 -a "$t" -lt 6000 ]
	check "...and no builder or init of it is left" [ -z "$(pgrep -f "nsboot -q --setup-timeout=2 --bind=$TMP" )" ]
	# a server that answers INIT and nothing else: the builder sleeps in the kernel
	# where not even SIGKILL reaches it, and nsboot does not wait for it for ever
	mkdir "$TMP/fuse-i"
	t0=$(now_ms)
	out=$(timeout -k 5 "$GUARD" "$NSB_BUILD/tests/helpers/fuse-hang" -i "$TMP/fuse-i" \
		"$NSBOOT" -q --setup-timeout=2 --bind="$TMP/fuse-i/x:/mnt" -D "$TREE" -- /bin/true 2>&1)
	rc=$? t=$(($(now_ms) - t0))
	is "a builder stuck in the kernel: exit 125" "$rc" 125
	like "...saying so" "$out" 'the builder \(PID [0-9]+\) is stuck in the kernel: not waiting for it'
	check "...within seconds of the timeout ($t ms)" [ "$t" -lt 8000 ]
	out=$(timeout -k 5 "$GUARD" "$NSBOOT" -q --setup-timeout=0 -D "$TREE" -- /bin/true 2>&1)
	is "--setup-timeout=0 is refused" "$?" 125
	like "...naming the option" "$out" '^nsboot: --setup-timeout=0: not a positive decimal number of seconds$'
else
	for _ in 1 2 3 4 5 6 7 8 9; do skip "no /dev/fuse"; done
fi
done_testing
