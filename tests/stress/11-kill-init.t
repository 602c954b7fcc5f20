#!/bin/bash
# SIGKILL to the container's init (PID 1 inside, nsboot's child outside) at random moments
# from nsboot's start until well after READY: before the pid file (READY) it is nsboot's
# child in a pid namespace of its own, then the PID of --pid-file. nsboot relays the kill
# as the container's status (137), or exits 125 with a reason when it came before READY;
# it removes its pid file, and no process, mount or range lock of the container is left.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init kill-init
N=$(stress_count 100 50)
ARGS=(-q -D "$TREE" -- /bin/sleep 1000)

calibrate_ready "${ARGS[@]}"
WINDOW=$((2 * READY_US))
before=0 n125=0 stops=() reasons=()
for ((i = 1; i <= N; i++)); do
	rm -f "$TMP"/pid*
	d=$((SRANDOM % (WINDOW + 1)))
	stress_spawn "$TMP/n" "$NSBOOT" --pid-file="$TMP/pid" "${ARGS[@]}"
	snooze_until $((T0 + d))
	# the init: the pid file's once READY was reported, else nsboot's child in a pid
	# namespace of its own, waited for when the builder has not started it yet
	init='' ready=0
	end=$((T0 + GUARD * 1000000))
	while [ -z "$init" ] && live "$SPID" && [ "$(now_us)" -lt "$end" ]; do
		if [ -e "$TMP/pid" ]; then
			ready=1
			read -r init <"$TMP/pid"
			break
		fi
		child_pids "$SPID"
		for k in "${KIDS[@]}"; do
			pstat "$k"
			[ "$P_DEPTH" -ge 2 ] && init=$k
		done
	done
	now_us_to tk
	if [ -z "$init" ]; then
		bad found "trial $i: no init found (nsboot $(live "$SPID" && echo runs || echo exited))"
	elif ! kill_child KILL "$init" "$SPID"; then
		bad found "trial $i: the init $init is not nsboot's live child (state '$P_STATE', parent '$P_PPID')"
	fi
	stress_wait "$SPID"
	[ "$ready" = 0 ] && before=$((before + 1))
	what="trial $i (killed $(((tk - T0) / 1000)) ms after the start, $([ $ready = 1 ] && echo after || echo before) READY)"
	case $ready:$RC in
	1:137 | 0:137) ;;
	0:125)
		n125=$((n125 + 1))
		reasons+=("$(head -n 1 "$TMP/n.err")")
		# one line saying why: the init's death, or the builder's ERROR it caused
		grep -Eq '^nsboot: (the container.s init was killed by SIGKILL before READY|[a-z]+: .+)$' "$TMP/n.err" ||
			bad reason "$what: 125 with: $(head -c 300 "$TMP/n.err")"
		;;
	*) bad status "$what: status $RC: $(head -c 300 "$TMP/n.err")" ;;
	esac
	compgen -G "$TMP/pid*" >/dev/null && bad pidfile "$what: left $(cd "$TMP" && echo pid*)"
	trial_leftovers "$i"
	stops+=($(((GONE_AT - tk) / 1000)))
done
stats stop "${stops[@]}"
[ "$n125" -gt 0 ] && diag "the reasons of the 125s: $(printf '%s\n' "${reasons[@]}" | sed 's/[0-9]\{3,\}/N/g' | sort | uniq -c | tr -s ' \n' ' ')"
verdict found "$N init kills: the init was found and killed every time"
verdict status "... nsboot exits 137 (after READY) or 125 (before) every time"
verdict reason "... a 125 comes with a one-line reason"
verdict pidfile "... nsboot removed its pid file every time"
verdict left "... no process of the container is left"
verdict mounts "... no mount of it appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
if [ "$N" -ge 10 ]; then
	check "... the kills came both before READY ($before) and after it ($((N - before)))" \
		[ "$before" -gt 0 -a "$before" -lt "$N" ]
fi
summary "$N init kills ($before before READY, $n125 of them 125; READY after $((READY_US / 1000)) ms): $(count_bad left) leftovers, median stop ${stop_med} ms (max ${stop_max} ms)"
stress_finish
