#!/bin/bash
# Signals: SIGTERM, SIGINT, SIGHUP and SIGUSR1 sent to nsboot reach the boot command (its
# handler's exit code comes back); SIGKILL to nsboot leaves no process of the container.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30sig.XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
NSBOOT=$NSB_BUILD/nsboot
wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
spawner_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }

# relay SIG CODE: the command traps SIG with "exit CODE"; nsboot gets SIG once it is armed
relay() {
	local sig=$1 code=$2 out=$TMP/out-$1
	rm -f "$TMP/pid"
	timeout "$GUARD" "$NSBOOT" -q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c \
		"trap 'exit $code' $sig; echo armed; while :; do sleep 0.05; done" >"$out" &
	local bg=$!
	wait_for "$out"
	wait_for "$TMP/pid"
	kill -"$sig" "$(spawner_of "$(cat "$TMP/pid")")"
	wait "$bg"
	is "SIG$sig to nsboot reaches the command (its handler's exit code comes back)" "$?" "$code"
}
relay TERM 42
relay INT 43
relay HUP 44
relay USR1 45

# SIGKILL to nsboot: every process of the container is gone within moments
rm -f "$TMP/pid"
timeout "$GUARD" "$NSBOOT" -q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c 'sleep 300 & sleep 300 & sleep 300' &
bg=$!
wait_for "$TMP/pid"
pid=$(cat "$TMP/pid")
sleep 0.2
pidns=$(readlink "/proc/$pid/ns/pid")
members() { for p in /proc/[0-9]*; do [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$pidns" ] && echo "${p#/proc/}"; done; }
n_before=$(members | wc -l)
check "the container runs PID 1 and three sleeps ($n_before)" [ "$n_before" -ge 4 ]
kill -KILL "$(spawner_of "$pid")"
wait "$bg" 2>/dev/null
for _ in $(seq $((GUARD * 10))); do [ -z "$(members)" ] && break; sleep 0.1; done
is "SIGKILL to nsboot leaves no process of the container" "$(members | tr '\n' ' ')" ""

# ... even when the boot command ignores SIGTERM and the grace is long: the init's
# deadline after the spawner's hang-up, not the grace, ends it (guard: 5 s < the 60 s grace)
rm -f "$TMP/pid"
timeout "$GUARD" "$NSBOOT" -q --grace=60 --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c \
	"trap '' TERM; sleep 300 & while :; do sleep 1; done" &
bg=$!
wait_for "$TMP/pid"
pid=$(cat "$TMP/pid")
sleep 0.2
pidns=$(readlink "/proc/$pid/ns/pid")
check "a TERM-ignoring container runs" [ "$(members | wc -l)" -ge 3 ]
kill -KILL "$(spawner_of "$pid")"
wait "$bg" 2>/dev/null
for _ in $(seq 50); do [ -z "$(members)" ] && break; sleep 0.1; done
is "SIGKILL to nsboot ends a container whose command ignores SIGTERM" "$(members | tr '\n' ' ')" ""
for p in $(members); do kill -KILL "$p" 2>/dev/null; done
done_testing
