# Shared by the stress tests (tests/stress/*.t, bash); sourced after tests/integ/lib.sh.
#
# Each test runs whatever it starts (nsboot, or fuse-hang around it) in a cgroup v2 of its
# own: the builder and the init outlive a killed nsboot and are reparented away from the
# test, but never leave their cgroup, so "no process of the container is left" is "the
# cgroup is empty". Everything a test makes on the host is named after STRESS_TAG
# (nsb-stress-NAME-PID: its folder under /tmp, its cgroup); stress_finish removes them and
# then checks that nothing of that name is left in /tmp, /run or the cgroup hierarchy,
# that /run/nsboot holds what it held before (ranges/ aside: a block's lock file stays once
# made; machines/ aside: a SIGKILLed nsboot's entry stays until a command meets it), that
# the host's mount table is the one it was, and that every range lock is free
# (`flock -n`) unless a live nsboot of another session holds it.
#
# Counts: NSB_STRESS_SCALE=1 (the default: the full counts), ci (the slice of `make
# stress-ci`, about two minutes on 2 cores), or a factor (0.5: half of every full count, at
# least 1). Timeouts are hang guards (GUARD seconds, from lib.sh), never measures.
export LC_ALL=C
NSB_STRESS_SCALE=${NSB_STRESS_SCALE:-1}
case $NSB_STRESS_SCALE in
ci) ;;
*[!0-9.]* | '' | *.*.* | .)
	echo "Bail out! NSB_STRESS_SCALE=$NSB_STRESS_SCALE: want 1, ci or a factor such as 0.5"
	exit 1
	;;
esac
NSBOOT=$NSB_BUILD/nsboot
STRESS_BAD=()     # "what: detail" of every failed trial, shown under the check it fails
STRESS_HANGS=0    # trials the hang guard ended

# stress_count FULL CI: the count to run, after NSB_STRESS_SCALE.
stress_count() {
	if [ "$NSB_STRESS_SCALE" = ci ]; then
		echo "$2"
	else
		awk -v f="$NSB_STRESS_SCALE" -v n="$1" 'BEGIN { c = int(n * f + 0.5); print (c < 1 ? 1 : c) }'
	fi
}

# now_us: prints the wall clock in microseconds ($(now_us) forks a subshell).
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
# now_us_to NAME: the same into the variable NAME, for loops that must not fork.
now_us_to() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%d' "$((10#$t))"; }

# snooze US: sleeps US microseconds without a fork (a read that times out on a FIFO no
# one writes to).
snooze() {
	local s
	[ "$1" -le 0 ] && return 0
	printf -v s '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
	read -r -t "$s" -u "$SNOOZE_FD" _ || :
}
# snooze_until T_US: sleeps until the wall clock reads T_US.
snooze_until() { local now; now_us_to now; snooze $(($1 - now)); }

# mounts_now: the host's mount table as "root mountpoint fstype source", sorted.
mounts_now() {
	awk '{ n = index($0, " - "); split(substr($0, n + 3), b, " "); print $4, $5, b[1], b[2] }' \
		/proc/self/mountinfo | sort
}
# runnsb_now: /run/nsboot but ranges/ and machines/, names, types and modes.
runnsb_now() {
	[ -d /run/nsboot ] || return 0
	find /run/nsboot -mindepth 1 \( -path /run/nsboot/ranges -o -path /run/nsboot/machines \) -prune \
		-o -printf '%P %y %m\n' | sort
}

# stress_init NAME: root and a cgroup v2 hierarchy or the whole test is skipped; sets
# STRESS_TAG, TMP (0755), CG (the cgroup), TREE (the busybox tree), the baselines.
stress_init() {
	if [ "$(id -u)" != 0 ]; then
		skip "needs root (pick ranges, a cgroup to find the container's processes)"
		done_testing
	fi
	STRESS_TAG=nsb-stress-$1-$$
	CGROOT=$(awk '{ n = index($0, " - "); split(substr($0, n + 3), b, " ") }
		b[1] == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	if [ -z "$CGROOT" ] || ! mkdir "$CGROOT/$STRESS_TAG" 2>/dev/null; then
		skip "needs a writable cgroup v2 hierarchy (to find every process of a container)"
		done_testing
	fi
	CG=$CGROOT/$STRESS_TAG
	MOUNTS0=$(mounts_now)
	RUNNSB0=$(runnsb_now)
	LS_TMP0=$(ls -A /tmp)
	LS_RUN0=$(ls -A /run)
	TMP=$(mktemp -d "/tmp/$STRESS_TAG.XXXXXX")
	chmod 755 "$TMP"
	mkfifo "$TMP/.snooze"
	exec {SNOOZE_FD}<>"$TMP/.snooze"
	nsb_at_exit stress_cleanup
	if ! TREE=$("$NSB_SRC/scripts/mkrootfs" busybox); then
		echo "Bail out! scripts/mkrootfs busybox failed"
		exit 1
	fi
}

# child_pids PID: sets KIDS to the children of PID (no fork).
child_pids() {
	local f k
	KIDS=()
	for f in /proc/"$1"/task/*/children; do
		k=()
		read -r -a k 2>/dev/null <"$f"
		KIDS+=("${k[@]}")
	done
}
# pstat PID: reads /proc/PID/status (no fork) into P_STATE (empty once PID is gone),
# P_PPID, P_DEPTH (how many pid namespaces PID is in: NSpid's fields) and P_SIGBLK (hex).
# The file is read whole in one read(2): read line by line, bash seeks back after each
# line and the kernel writes the file anew for the next, so an exec in between (the init
# becoming nsboot-init: a longer Name line) shifts every later line.
pstat() {
	local buf='' nl=$'\n' ns=()
	P_STATE='' P_PPID='' P_DEPTH=0 P_SIGBLK=0
	read -r -d '' buf 2>/dev/null <"/proc/$1/status"
	[[ $buf =~ ${nl}State:[[:space:]]*([A-Za-z]) ]] && P_STATE=${BASH_REMATCH[1]}
	[[ $buf =~ ${nl}PPid:[[:space:]]*([0-9]+) ]] && P_PPID=${BASH_REMATCH[1]}
	[[ $buf =~ ${nl}SigBlk:[[:space:]]*([0-9a-fA-F]+) ]] && P_SIGBLK=${BASH_REMATCH[1]}
	if [[ $buf =~ ${nl}NSpid:([^$nl]*) ]]; then
		read -r -a ns <<<"${BASH_REMATCH[1]}"
		P_DEPTH=${#ns[@]}
	fi
}
# live PID: true while PID runs (a zombie has ended: it only waits for its parent).
live() { pstat "$1"; [ -n "$P_STATE" ] && [ "$P_STATE" != Z ]; }
# kill_child SIG PID PARENT: SIG to PID if it is still a live child of PARENT (a pid
# seen a moment ago is checked again: never a stranger that reused it); true when sent.
kill_child() {
	pstat "$2"
	[ "$P_PPID" = "$3" ] && [ -n "$P_STATE" ] && [ "$P_STATE" != Z ] && kill -"$1" "$2" 2>/dev/null
}

# stress_cleanup: at exit, whatever is left is killed and removed (the checks were made
# before, in stress_finish, when it ran).
stress_cleanup() {
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then
		echo 1 >"$CG/cgroup.kill" 2>/dev/null
		stress_gone 10 >/dev/null
		rmdir "$CG" 2>/dev/null
	fi
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	return 0
}

# stress_spawn PREFIX CMD...: runs CMD in the background in the test's cgroup, stdin
# /dev/null, stdout and stderr into PREFIX.out and PREFIX.err (emptied before the fork:
# the caller may read them at once, never a previous run's); sets SPID and T0 (us).
stress_spawn() {
	local o=$1
	shift
	: >"$o.out"
	: >"$o.err"
	now_us_to T0
	(
		exec {SNOOZE_FD}>&-
		echo "$BASHPID" >"$CG/cgroup.procs" && exec "$@"
	) </dev/null >"$o.out" 2>"$o.err" &
	SPID=$!
}

# stress_wait PID: waits for the background PID, which gets SIGKILL after GUARD seconds
# (a hang); sets RC, and HUNG to 1 when the guard ended it.
stress_wait() {
	local pid=$1 wd
	(
		read -r -t "$GUARD" -u "$SNOOZE_FD" _
		kill -KILL "$pid" 2>/dev/null && : >"$TMP/.hung.$pid"
	) &
	wd=$!
	wait "$pid" 2>/dev/null
	RC=$?
	kill -KILL "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	HUNG=0
	if [ -e "$TMP/.hung.$pid" ]; then
		HUNG=1
		STRESS_HANGS=$((STRESS_HANGS + 1))
		rm -f "$TMP/.hung.$pid"
	fi
}

# cg_populated: true while a process is in the test's cgroup.
cg_populated() {
	local k v
	while read -r k v; do
		[ "$k" = populated ] && { [ "$v" = 1 ]; return; }
	done <"$CG/cgroup.events"
	return 1
}
# stress_gone SECONDS: waits (SECONDS at most, a guard) until the cgroup is empty; prints
# the microseconds it took; false when something is still there.
stress_gone() {
	local t0 now end
	now_us_to t0
	end=$((t0 + $1 * 1000000))
	while cg_populated; do
		now_us_to now
		if [ "$now" -ge "$end" ]; then
			echo $((now - t0))
			return 1
		fi
		snooze 1000
	done
	now_us_to now
	echo $((now - t0))
}
# cg_list: the processes in the test's cgroup, one "PID STATE CMDLINE" a line.
cg_list() {
	local p st
	for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
		st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)
		echo "$p $st $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}
# cg_clear: kills what is left in the cgroup after a failed check, so that one leftover is
# not counted again by the next trials; true when the cgroup empties.
cg_clear() {
	echo 1 >"$CG/cgroup.kill" 2>/dev/null
	stress_gone "$GUARD" >/dev/null
}

# mounts_leaked: prints the difference between the host's mount table and the test's
# start; empty when they are the same (a difference must last 2 s: a concurrent session
# may be mounting something of its own this very moment).
mounts_leaked() {
	local d i
	for i in $(seq 20); do
		d=$(diff <(echo "$MOUNTS0") <(mounts_now) | grep '^[<>]') || return 0
		snooze 100000
	done
	echo "$d"
}

# locks_orphaned: prints "PID FILE" for every range lock held although the nsboot that
# took it (its PID in /proc/locks) is gone: a process of its container kept its lock. A
# lock must stay so for 2 s (another session's killed nsboot's builder may be dying).
locks_orphaned() {
	local i out
	for i in $(seq 20); do
		out=$(held_range_locks | while read -r pid file; do
			live "$pid" || echo "$pid $file"
		done)
		[ -z "$out" ] && return 0
		snooze 100000
	done
	echo "$out"
}
# held_range_locks: "PID FILE" for every held lock of /run/nsboot/ranges, PID being the
# process that took it (from /proc/locks).
held_range_locks() {
	compgen -G '/run/nsboot/ranges/*.lock' >/dev/null || return 0
	awk 'NR == FNR { f[$1] = $2; next }
	     $2 == "FLOCK" { split($6, d, ":"); if (d[3] in f) print $5, f[d[3]] }' \
		<(stat -c '%i %n' /run/nsboot/ranges/*.lock) /proc/locks
}

# calibrate_ready ARGS...: runs nsboot --pid-file=$TMP/pid ARGS three times, each stopped
# with SIGTERM once its pid file is there (READY); sets READY_US to the median time from
# the start to the pid file. A run that does not get there fails the test.
calibrate_ready() {
	local i now end took=()
	for i in 1 2 3; do
		rm -f "$TMP/pid"
		stress_spawn "$TMP/cal" "$NSBOOT" --pid-file="$TMP/pid" "$@"
		end=$((T0 + GUARD * 1000000))
		now=$T0
		while [ ! -e "$TMP/pid" ] && live "$SPID" && [ "$now" -lt "$end" ]; do
			snooze 1000
			now_us_to now
		done
		took+=($((now - T0)))
		kill -TERM "$SPID" 2>/dev/null
		stress_wait "$SPID"
		if [ "$RC" != 143 ]; then
			echo "Bail out! nsboot --pid-file ... $*: status $RC, not 143 after SIGTERM: $(cat "$TMP/cal.err")"
			exit 1
		fi
		trial_leftovers "calibration $i"
	done
	stats cal "${took[@]}"
	READY_US=$cal_med
}

# bad WHAT DETAIL: notes a failed trial under the check WHAT.
bad() { STRESS_BAD+=("$1: $2"); }
# count_bad WHAT: how many trials failed WHAT.
count_bad() {
	local e n=0
	for e in "${STRESS_BAD[@]}"; do
		[ "${e%%: *}" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}
# verdict WHAT DESC: ok when no trial failed WHAT, else not ok with the first failures.
verdict() {
	local what=$1 desc=$2 e n shown=0
	n=$(count_bad "$what")
	if [ "$n" = 0 ]; then
		ok "$desc"
		return
	fi
	not_ok "$desc ($n failed)"
	for e in "${STRESS_BAD[@]}"; do
		[ "${e%%: *}" = "$what" ] || continue
		diag "${e#*: }"
		shown=$((shown + 1))
		[ "$shown" -ge 5 ] && { diag "..."; break; }
	done
}

# trial_leftovers I: after trial I, checks (and notes under "left", "mounts", "locks") that
# its container is gone, the host's mount table unchanged and no lock orphaned; sets
# GONE_AT (the wall clock in us when the cgroup was found empty).
trial_leftovers() {
	local i=$1 m l t0 us rc
	now_us_to t0
	us=$(stress_gone 10)
	rc=$?
	GONE_AT=$((t0 + us))
	if [ "$rc" != 0 ]; then
		bad left "trial $i: still there after 10 s: $(cg_list | tr '\n' ';')"
		cg_clear
	fi
	m=$(mounts_leaked)
	if [ -n "$m" ]; then
		bad mounts "trial $i: $(echo "$m" | tr '\n' ';')"
		MOUNTS0=$(mounts_now) # noted once, not again by every later trial
	fi
	l=$(locks_orphaned)
	[ -n "$l" ] && bad locks "trial $i: $(echo "$l" | tr '\n' ';')"
	return 0
}

# stats NAME VALUES...: sets NAME_med and NAME_max (integers, the median and maximum).
stats() {
	local name=$1 med max
	shift
	if [ $# = 0 ]; then
		printf -v "${name}_med" '%s' -
		printf -v "${name}_max" '%s' -
		return
	fi
	read -r med max < <(printf '%s\n' "$@" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }')
	printf -v "${name}_med" '%s' "$med"
	printf -v "${name}_max" '%s' "$max"
}

# summary TEXT: the file's summary line, on stderr too (prove shows it without -v).
summary() {
	echo "# $*"
	echo "# $(basename "$0"): $*" >&2
}

# stress_finish: kills what is left, removes the test's folder and cgroup, checks the
# host, then ends the test (done_testing).
stress_finish() {
	local held i pid file left_tmp left_run new_tmp new_run
	cg_clear
	rm -rf "$TMP"
	# a SIGKILLed nsboot leaves its container's cgroup, empty, below ours: the next nsboot
	# removes such a leftover, and here nothing comes next; one that still holds a
	# process stays, and so does ours
	for i in "$CG"/nsboot-*; do [ -d "$i" ] && rmdir "$i" 2>/dev/null; done
	rmdir "$CG" 2>/dev/null
	left_tmp=$(ls -A /tmp | grep -F "$STRESS_TAG")
	left_run=$(ls -A /run | grep -F "$STRESS_TAG")
	is "nothing named $STRESS_TAG is left in /tmp or /run" "$left_tmp$left_run" ""
	check "its cgroup is gone" [ ! -e "$CG" ]
	is "/run/nsboot holds what it held before (ranges/, machines/ aside)" "$(runnsb_now)" "$RUNNSB0"
	is "the host's mount table is the one it was" "$(mounts_leaked)" ""
	# flock -n on each range lock: a held one must be a live nsboot's (another session's:
	# every nsboot of this test is gone), or be free again within 2 s (one taken and
	# given back by another session this very moment)
	held=
	for file in /run/nsboot/ranges/*.lock; do
		[ -e "$file" ] || continue
		for i in $(seq 20); do
			flock -n "$file" true && continue 2
			pid=$(held_range_locks | awk -v f="$file" '$2 == f { print $1; exit }')
			[ -n "$pid" ] && live "$pid" && continue 2
			snooze 100000
		done
		held="$held $file (taken by ${pid:-?}: $(cat "$file" 2>/dev/null))"
	done
	is "every range lock is free (flock -n), or held by a live nsboot" "$held" ""
	new_tmp=$(comm -13 <(echo "$LS_TMP0" | sort) <(ls -A /tmp | sort) | tr '\n' ' ')
	new_run=$(comm -13 <(echo "$LS_RUN0" | sort) <(ls -A /run | sort) | tr '\n' ' ')
	[ -n "$new_tmp$new_run" ] && diag "new in /tmp (not this test's): ${new_tmp:-none}; in /run: ${new_run:-none}"
	done_testing
}
