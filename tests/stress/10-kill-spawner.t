#!/bin/bash
# SIGKILL to nsboot at random moments, from its start until well after READY: its
# container goes with it (the builder and the init have a parent-death signal until READY,
# then the init sees the channel hang up), whatever the moment; no process, mount or range
# lock of it is left, and bash sees 137. A pid file nsboot wrote stays (nothing catches
# SIGKILL): that is the one thing it leaves, and the test removes it.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init kill-spawner
N=$(stress_count 100 50)
ARGS=(-q -D "$TREE" -- /bin/sleep 1000)

# the kills are spread evenly over twice the time nsboot takes to READY
calibrate_ready "${ARGS[@]}"
WINDOW=$((2 * READY_US))
before=0 stops=()
for ((i = 1; i <= N; i++)); do
	rm -f "$TMP"/pid*
	d=$((SRANDOM % (WINDOW + 1)))
	stress_spawn "$TMP/n" "$NSBOOT" --pid-file="$TMP/pid" "${ARGS[@]}"
	snooze_until $((T0 + d))
	ready=0
	[ -e "$TMP/pid" ] && ready=1
	kill -KILL "$SPID"
	now_us_to tk
	stress_wait "$SPID"
	[ "$ready" = 0 ] && before=$((before + 1))
	what="trial $i (killed $((d / 1000)) ms after the start, $([ $ready = 1 ] && echo after || echo before) READY)"
	[ "$RC" = 137 ] || bad status "$what: status $RC: $(head -c 300 "$TMP/n.err")"
	trial_leftovers "$i"
	stops+=($(((GONE_AT - tk) / 1000)))
	rm -f "$TMP"/pid*
done
stats stop "${stops[@]}"
verdict status "$N spawner kills: bash sees 137 every time"
verdict left "... no process of the container is left"
verdict mounts "... no mount of it appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
# a killed spawner leaves its registry entry; one killed between making it and locking
# it, or while it removed a stale one, leaves a half-made (.new-) or half-removed
# (.gone-) one: the next nsboot command that meets them removes them (those two once old
# enough that no live start or cleaner can still be at work on them)
half=$(compgen -G "/run/nsboot/machines/.[ng][eo]*-*" | wc -l)
[ "$half" -gt 0 ] && sleep 11
live=$("$NSBOOT" list | tail -n +2 | wc -l)
is "... the next nsboot list leaves only live machines in the registry ($half half-made or half-removed entries were there)" \
	"$(ls -A /run/nsboot/machines | wc -l)" "$live"
if [ "$N" -ge 10 ]; then
	check "... the kills came both before READY ($before) and after it ($((N - before)))" \
		[ "$before" -gt 0 -a "$before" -lt "$N" ]
fi
summary "$N spawner kills ($before before READY, READY after $((READY_US / 1000)) ms): $(count_bad left) leftovers, median stop ${stop_med} ms (max ${stop_max} ms)"
stress_finish
