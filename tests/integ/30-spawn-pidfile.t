#!/bin/bash
# --pid-file at exit, as root, with the pid file in a folder another user (nobody) can
# write: whatever nobody puts in its place while the container runs (a FIFO, a symbolic
# link, another file, another folder) is left alone with one warning naming the file, and
# nsboot exits at once with the container's status; only the file nsboot wrote, still
# holding its PID, is removed.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30pidfile.XXXXXX)
chmod 755 "$TMP"
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
NSBOOT=$NSB_BUILD/nsboot
# world-writable without the sticky bit: nobody may replace root's files in it
W=$TMP/w
mkdir "$W" && chmod 0777 "$W"

wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
# spawner_of PID: the parent of the container's PID 1, i.e. nsboot itself
spawner_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }

# start_ctr PIDFILE: nsboot (as root, -q: only warnings and errors) in the background with
# a sleeping container; sets BG (the timeout wrapper), CPID (the pid file's PID) and SPID
# (nsboot).
start_ctr() {
	: >"$TMP/err"
	timeout -s KILL "$GUARD" "$NSBOOT" -q --pid-file="$1" -D "$TREE" -- /bin/sleep 60 2>"$TMP/err" &
	BG=$!
	wait_for "$1"
	CPID=$(cat "$1" 2>/dev/null)
	SPID=$(spawner_of "$CPID")
}
# stop_ctr: SIGTERM to nsboot, then up to 3 s (a hang guard) for it to end; sets ST to
# its exit status, or "hung" (then it is killed) and ERR to what it printed.
stop_ctr() {
	kill -TERM "${SPID:-$BG}"
	for _ in $(seq 30); do kill -0 "${SPID:-$BG}" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "${SPID:-$BG}" 2>/dev/null; then
		kill -KILL "${SPID:-$BG}" 2>/dev/null
		wait "$BG"
		ST=hung
	else
		wait "$BG"
		ST=$?
	fi
	ERR=$(cat "$TMP/err")
}
# warned WHAT FILE: ERR is exactly one warning line naming --pid-file=FILE
warned() {
	like "$1: one warning naming the file" "$ERR" "^nsboot: warning: --pid-file=$2: "
	is "$1: ... and nothing else" "$(printf '%s\n' "$ERR" | grep -c .)" 1
}

# the control: an untouched pid file is removed, nothing said
start_ctr "$W/pid0"
like "the pid file holds the container's PID" "$CPID" '^[0-9]+$'
stop_ctr
is "untouched: nsboot exits with the container's status (SIGTERM: 143)" "$ST" 143
check "untouched: the pid file is removed" [ ! -e "$W/pid0" ]
is "untouched: nothing said" "$ERR" ""

# a FIFO: opening it for reading would wait for a writer forever
start_ctr "$W/pid1"
as_nobody sh -c 'rm -f "$1" && mkfifo "$1"' sh "$W/pid1"
check "FIFO: nobody replaced the pid file" [ -p "$W/pid1" ]
stop_ctr
is "FIFO: nsboot exits at once with the container's status" "$ST" 143
check "FIFO: left in place" [ -p "$W/pid1" ]
warned FIFO "$W/pid1"

# a symbolic link to /dev/null
start_ctr "$W/pid2"
as_nobody ln -sfn /dev/null "$W/pid2"
stop_ctr
is "link to /dev/null: nsboot exits with the container's status" "$ST" 143
is "link to /dev/null: left in place" "$(readlink "$W/pid2")" /dev/null
check "link to /dev/null: its target is untouched" [ -c /dev/null ]
warned "link to /dev/null" "$W/pid2"

# a symbolic link to another (root's) file that holds the same PID
start_ctr "$W/pid3"
printf '%s\n' "$CPID" >"$TMP/other"
as_nobody ln -sfn "$TMP/other" "$W/pid3"
stop_ctr
is "link to a file with the PID: nsboot exits with the container's status" "$ST" 143
is "link to a file with the PID: left in place" "$(readlink "$W/pid3")" "$TMP/other"
is "link to a file with the PID: its target is untouched" "$(cat "$TMP/other" 2>&1)" "$CPID"
warned "link to a file with the PID" "$W/pid3"

# another regular file holding the same PID, renamed over it
start_ctr "$W/pid4"
as_nobody sh -c 'printf "%s\n" "$2" >"$1.new" && mv -f "$1.new" "$1"' sh "$W/pid4" "$CPID"
stop_ctr
is "another file with the PID: nsboot exits with the container's status" "$ST" 143
is "another file with the PID: left in place" "$(stat -c '%U %s' "$W/pid4" 2>&1)" "nobody $((${#CPID} + 1))"
warned "another file with the PID" "$W/pid4"

# the folder swapped for a link to another folder with a file of that name and the PID:
# the file nsboot wrote (in the folder it wrote it in) goes, the other stays
mkdir "$W/d" "$TMP/victim"
chmod 755 "$W/d" "$TMP/victim"
start_ctr "$W/d/pid"
printf '%s\n' "$CPID" >"$TMP/victim/pid"
as_nobody sh -c 'mv "$1" "$1.moved" && ln -s "$2" "$1"' sh "$W/d" "$TMP/victim"
check "swapped folder: nobody made the folder a link" [ -L "$W/d" ]
stop_ctr
is "swapped folder: nsboot exits with the container's status" "$ST" 143
is "swapped folder: the other folder's file is untouched" "$(cat "$TMP/victim/pid" 2>&1)" "$CPID"
check "swapped folder: the file nsboot wrote is removed where it was written" [ ! -e "$W/d.moved/pid" ]
is "swapped folder: nothing said" "$ERR" ""
done_testing
