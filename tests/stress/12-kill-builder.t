#!/bin/bash
# SIGKILL to the builder (nsboot's first child: an nsboot in a new user namespace that
# starts the init, builds the root and exits) at random moments of its short life, found
# by watching nsboot's children from its start. A builder killed at work makes nsboot
# exit 125 with a reason (the init never gets its root); one that was done already
# changes nothing (the command's status, 7). Either way nsboot removes its pid file and
# no process, mount or range lock of the container is left.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init kill-builder
N=$(stress_count 100 50)
ARGS=(-q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c 'exit 7')

# watch_builder: waits for nsboot's ($SPID) first child; sets BUILDER (empty when nsboot
# exited first) and SEEN (us), and DEPTH1 to 1 when that child is still the builder (in
# nsboot's pid namespace), 0 when only the init (a pid namespace deeper) was seen.
watch_builder() {
	local end=$((T0 + GUARD * 1000000)) now
	BUILDER='' DEPTH1=0
	while :; do
		child_pids "$SPID"
		if [ "${#KIDS[@]}" -gt 0 ]; then
			now_us_to SEEN
			BUILDER=${KIDS[0]}
			pstat "$BUILDER"
			[ "$P_DEPTH" = 1 ] && DEPTH1=1
			return
		fi
		now_us_to now
		{ [ "$now" -lt "$end" ] && live "$SPID"; } || return
	done
}

# the builder's life as seen from here, from its appearance to its exit (5 times): the
# kills are spread over two thirds of it (watched, it lives longer than it does alone)
lives=()
for i in 1 2 3 4 5; do
	stress_spawn "$TMP/cal" "$NSBOOT" "${ARGS[@]}"
	watch_builder
	while pstat "$BUILDER"; [ -n "$P_STATE" ] && [ "$P_STATE" != Z ] && [ "$P_PPID" = "$SPID" ]; do
		snooze 200
	done
	lives+=($(($(now_us) - SEEN)))
	stress_wait "$SPID"
	[ "$RC" = 7 ] || { echo "Bail out! nsboot ${ARGS[*]}: status $RC, not 7: $(cat "$TMP/cal.err")"; exit 1; }
	trial_leftovers "calibration $i"
done
stats life "${lives[@]}"
WINDOW=$((life_med * 2 / 3))

hit=0 missed=0 stops=() reasons=()
for ((i = 1; i <= N; i++)); do
	rm -f "$TMP"/pid*
	d=$((SRANDOM % (WINDOW + 1)))
	stress_spawn "$TMP/n" "$NSBOOT" "${ARGS[@]}"
	watch_builder
	if [ "$DEPTH1" = 1 ]; then
		snooze_until $((SEEN + d))
		kill_child KILL "$BUILDER" "$SPID"
	else
		missed=$((missed + 1))
	fi
	now_us_to tk
	stress_wait "$SPID"
	what="trial $i (killed $(((tk - SEEN) / 1000)) ms after the builder appeared)"
	case $RC in
	7) ;;
	125)
		hit=$((hit + 1))
		reasons+=("$(head -n 1 "$TMP/n.err")")
		grep -Eq '^nsboot: .+' "$TMP/n.err" || bad reason "$what: 125 without a reason"
		;;
	*) bad status "$what: status $RC: $(head -c 300 "$TMP/n.err")" ;;
	esac
	compgen -G "$TMP/pid*" >/dev/null && bad pidfile "$what: left $(cd "$TMP" && echo pid*)"
	trial_leftovers "$i"
	stops+=($(((GONE_AT - tk) / 1000)))
done
stats stop "${stops[@]}"
[ "$hit" -gt 0 ] && diag "the reasons of the 125s: $(printf '%s\n' "${reasons[@]}" | sed 's/[0-9]\{3,\}/N/g' | sort | uniq -c | tr -s ' \n' ' ')"
verdict status "$N builder kills: nsboot exits 125 (a builder at work) or 7 (one done) every time"
verdict reason "... a 125 comes with a one-line reason"
verdict pidfile "... nsboot removed its pid file every time"
verdict left "... no process of the container is left"
verdict mounts "... no mount of it appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
if [ "$N" -ge 30 ]; then
	check "... some kills found the builder at work ($hit), some too late ($((N - hit)))" \
		[ "$hit" -gt 0 -a "$hit" -lt "$N" ]
fi
summary "$N builder kills ($hit at work: 125; builder life $((life_med / 1000)) ms, $missed not seen): $(count_bad left) leftovers, median stop ${stop_med} ms (max ${stop_max} ms)"
stress_finish
