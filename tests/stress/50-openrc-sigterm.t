#!/bin/bash
# SIGTERM to nsboot at random moments of a Debian OpenRC boot (the preset it detects),
# from nsboot's start until a little after the boot is up: before READY the request waits
# for the container, before the preset's script has its handler the init holds it, while
# a runlevel is entered the script handles it once it is up; whatever the moment, the
# tree's own shutdown runs and nsboot exits 0, leaving no process, mount, range lock or
# pid file. The signal is sent once nsboot's own code runs (its SigBlk has SIGTERM: the
# constructor that blocks it ran; before that the dynamic loader runs, and SIGTERM would
# kill it as it would any program), to nsboot's pid itself. Skipped when the tree cannot
# be built (debootstrap cannot run).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init openrc-sigterm
N=$(stress_count 40 16)
if ! DTREE=$("$NSB_SRC/scripts/mkrootfs" debian-openrc 2>"$TMP/mkrootfs.err"); then
	skip "scripts/mkrootfs debian-openrc failed (debootstrap cannot run here?): $(tail -n 1 "$TMP/mkrootfs.err")"
	stress_finish
fi
ARGS=(--console=pipe --pid-file="$TMP/pid" -D "$DTREE")

# own_code: waits until nsboot ($SPID) runs its own code: the exe is nsboot and SIGTERM is
# blocked; false when nsboot exited first or the guard ran out
own_code() {
	local end=$((T0 + GUARD * 1000000))
	while :; do
		live "$SPID" || return 1
		[ "/proc/$SPID/exe" -ef "$NSBOOT" ] && (((16#$P_SIGBLK >> 14) & 1)) && return 0
		[ "$(now_us)" -ge "$end" ] && return 1
	done
}
# booted_line FILE: true when nsboot said "booted in N ms" in FILE
booted_line() {
	local l
	while read -r l; do
		[[ $l == "nsboot: booted in "* ]] && return 0
	done <"$1"
	return 1
}

# the boot's length: start to READY (the pid file) and to "booted" (twice, the longer):
# every other signal is spread over the boot and a fifth more, the others over twice the
# time to READY (the moments before and after the container starts)
cal=0 cal_ready=0
for i in 1 2; do
	rm -f "$TMP"/pid*
	stress_spawn "$TMP/cal" "$NSBOOT" "${ARGS[@]}"
	end=$((T0 + GUARD * 1000000))
	ready=0
	until booted_line "$TMP/cal.err" || ! live "$SPID" || [ "$(now_us)" -ge "$end" ]; do
		[ "$ready" = 0 ] && [ -e "$TMP/pid" ] && ready=$(($(now_us) - T0))
		snooze 1000
	done
	[ "$ready" -gt "$cal_ready" ] && cal_ready=$ready
	t=$(($(now_us) - T0))
	[ "$t" -gt "$cal" ] && cal=$t
	kill -TERM "$SPID"
	stress_wait "$SPID"
	if [ "$RC" != 0 ] || ! booted_line "$TMP/cal.err"; then
		echo "Bail out! a boot to measure: status $RC: $(tail -n 3 "$TMP/cal.err" | tr '\n' ';')"
		exit 1
	fi
	trial_leftovers "calibration $i"
done
WINDOWS=($((cal * 6 / 5)) $((cal_ready * 2)))

n_ready=0 n_booted=0 stops=() delays=()
for ((i = 1; i <= N; i++)); do
	rm -f "$TMP"/pid*
	d=$((SRANDOM % (WINDOWS[i % 2] + 1)))
	stress_spawn "$TMP/b" "$NSBOOT" "${ARGS[@]}"
	if ! own_code; then
		bad own "trial $i: nsboot never ran its own code: $(head -c 300 "$TMP/b.err")"
	fi
	snooze_until $((T0 + d))
	phase="before READY"
	[ -e "$TMP/pid" ] && phase="after READY" && n_ready=$((n_ready + 1))
	booted_line "$TMP/b.err" && phase="after booted" && n_booted=$((n_booted + 1))
	now_us_to tk
	delays+=($(((tk - T0) / 1000)))
	kill -TERM "$SPID"
	stress_wait "$SPID"
	now_us_to te
	stops+=($(((te - tk) / 1000)))
	what="trial $i (SIGTERM $(((tk - T0) / 1000)) ms after the start, $phase)"
	[ "$RC" = 0 ] || bad status "$what: status $RC: $(tail -n 3 "$TMP/b.err" | tr '\n' ';')"
	compgen -G "$TMP/pid*" >/dev/null && bad pidfile "$what: left $(cd "$TMP" && echo pid*)"
	trial_leftovers "$i"
done
stats stop "${stops[@]}"
stats delay "${delays[@]}"
verdict own "$N SIGTERMs at random moments of an OpenRC boot: nsboot's own code ran first every time"
verdict status "... nsboot exits 0 every time"
verdict pidfile "... nsboot removed its pid file every time"
verdict left "... no process of the container is left"
verdict mounts "... no mount of it appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
summary "$N SIGTERMs during OpenRC boots (READY after $((cal_ready / 1000)) ms, booted after $((cal / 1000)) ms; signals at ${delay_med} ms median, $((N - n_ready)) before READY, $((n_ready - n_booted)) between READY and booted, $n_booted after booted): $(count_bad status) wrong statuses, $(count_bad left) leftovers, median SIGTERM to exit ${stop_med} ms (max ${stop_max} ms)"
stress_finish
