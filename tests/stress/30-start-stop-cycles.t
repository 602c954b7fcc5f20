#!/bin/bash
# Start/stop cycles (200): a busybox container whose command traps SIGTERM (exit 7) and
# leaves a sleeping child behind, stopped with SIGTERM to nsboot once it runs. Every cycle
# exits with the command's status (7) and leaves no process, mount, range lock or pid
# file; the open fds of nsboot, of the init and of the command, counted in every cycle
# while the command runs, never grow.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init start-stop
N=$(stress_count 200 100)
ARGS=(-q --pid-file="$TMP/pid" -D "$TREE" -- /bin/sh -c 'trap "exit 7" TERM; sleep 1000 & echo armed; wait')

# nfds PID: the number of PID's open fds (no fork)
nfds() { local f=(/proc/"$1"/fd/*); [ -e "${f[0]}" ] && echo "${#f[@]}" || echo 0; }
fds_spawner=() fds_init=() fds_cmd=() stops=() starts=()
file_nr0=$(awk '{ print $1 }' /proc/sys/fs/file-nr)
for ((i = 1; i <= N; i++)); do
	stress_spawn "$TMP/n" "$NSBOOT" "${ARGS[@]}"
	# armed: the command's trap is set
	end=$((T0 + GUARD * 1000000))
	line=
	while [ "$line" != armed ] && live "$SPID" && [ "$(now_us)" -lt "$end" ]; do
		snooze 1000
		read -r line <"$TMP/n.out"
	done
	now_us_to ta
	if [ "$line" = armed ] && [ -e "$TMP/pid" ]; then
		starts+=($(((ta - T0) / 1000)))
		read -r p1 <"$TMP/pid"
		child_pids "$p1"
		fds_spawner+=("$(nfds "$SPID")")
		fds_init+=("$(nfds "$p1")")
		fds_cmd+=("$(nfds "${KIDS[0]:-0}")")
	else
		bad armed "cycle $i: the command did not run: $(head -c 300 "$TMP/n.err")"
	fi
	now_us_to tk
	kill -TERM "$SPID"
	stress_wait "$SPID"
	now_us_to te
	stops+=($(((te - tk) / 1000)))
	[ "$RC" = 7 ] || bad status "cycle $i: status $RC: $(head -c 300 "$TMP/n.err")"
	compgen -G "$TMP/pid*" >/dev/null && bad pidfile "cycle $i: left $(cd "$TMP" && echo pid*)"
	trial_leftovers "$i"
done
file_nr1=$(awk '{ print $1 }' /proc/sys/fs/file-nr)
stats stop "${stops[@]}"
stats start "${starts[@]}"
verdict armed "$N start/stop cycles: the command ran every time"
verdict status "... SIGTERM to nsboot: the command's status (7) every time"
verdict pidfile "... nsboot removed its pid file every time"
verdict left "... no process of the container is left"
verdict mounts "... no mount of it appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
# spread FDS...: "MIN-MAX" of the counts
spread() { printf '%s\n' "$@" | sort -n | sed -n '1p;$p' | paste -sd- | sed 's/^\([0-9]*\)-\1$/\1/'; }
for who in spawner init cmd; do
	declare -n fds=fds_$who
	s=$(spread "${fds[@]}")
	like "... the open fds of the $who are the same in every cycle ($s)" "$s" '^[0-9]+$'
	unset -n fds
done
summary "$N start/stop cycles: $(count_bad status) wrong statuses, $(count_bad left) leftovers; median start to armed ${start_med} ms, median SIGTERM to exit ${stop_med} ms (max ${stop_max} ms); fds: nsboot $(spread "${fds_spawner[@]}"), init $(spread "${fds_init[@]}"), command $(spread "${fds_cmd[@]}"); host file handles $file_nr0 before, $file_nr1 after"
stress_finish
