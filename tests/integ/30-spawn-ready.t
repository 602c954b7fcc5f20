#!/bin/bash
# Readiness outputs: --pid-file and --ready-fd carry the host PID of the container's PID 1
# while it runs (the fd is closed after the line, the pid file removed at exit only if it
# still holds that PID), and the printed nsenter command enters the live container, as root
# and as nobody (single).
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init # (before our trap: it sets one of its own, which ours replaces)
TREE=$(nsb_pub_tree busybox) # nobody reads it too
TMP=$(mktemp -d /tmp/nsb-30ready.XXXXXX)
chmod 755 "$TMP"
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP" "${NSB_PUB:-/nonexistent}"' EXIT
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
# wait_for FILE: until FILE is non-empty (a guard, not a measure)
# spawner_of PID: the parent of the container's PID 1, i.e. nsboot itself (a background
# job's $! may be a subshell or timeout)
spawner_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }
wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# --- as root ---
mkfifo "$TMP/ready"
# (the fifo is opened by the process that becomes nsboot, so that only nsboot holds it)
timeout "$GUARD" bash -c 'exec "$@" 5>"$0"' "$TMP/ready" \
	"$NSBOOT" --pid-file="$TMP/pid" --ready-fd=5 -D "$TREE" -- /bin/sleep 60 2>"$TMP/err" &
bg=$!
# cat ends only when nsboot closed the fd: the line is followed by the close
line=$(timeout "$GUARD" cat "$TMP/ready")
like "--ready-fd: one line with a PID, then closed" "$line" '^[0-9]+$'
is "--pid-file holds the same PID" "$(cat "$TMP/pid" 2>&1)" "$line"
nspid=$(grep NSpid "/proc/$line/status" 2>/dev/null | awk '{print $NF}')
is "the PID is the container's PID 1" "$nspid" 1
check "nsboot is still running (readiness came while the container runs)" kill -0 "$bg"
wait_for "$TMP/err"
cmd=$(sed -n 's/^nsboot: container running as PID [0-9]*; enter it with: //p' "$TMP/err")
is "the hint names the command for root" "$cmd" "nsenter -a -t $line"
out=$(run $cmd /bin/cat /etc/nsboot-marker 2>&1)
is "the printed nsenter command reads the tree's marker" "$out" "nsboot busybox tree"
out=$(run $cmd /bin/ps -o pid,args 2>&1)
like "...and sees the container's processes (its sleep)" "$out" '^ *[0-9]+ +/bin/sleep 60'
like "...and the container's PID 1" "$out" '^ *1 +'
kill -TERM "$(spawner_of "$line")"
wait "$bg"
check "the pid file is gone after exit" [ ! -e "$TMP/pid" ]

# a pid file that no longer holds the PID is left alone
run "$NSBOOT" -q --pid-file="$TMP/pid2" -D "$TREE" -- /bin/sleep 60 2>"$TMP/err2" &
bg=$!
wait_for "$TMP/pid2"
pid=$(cat "$TMP/pid2")
echo 999999 >"$TMP/pid2"
kill -TERM "$(spawner_of "$pid")"
wait "$bg"
is "a pid file rewritten by someone else stays" "$(cat "$TMP/pid2" 2>&1)" 999999
is "... with one warning naming it" "$(cat "$TMP/err2")" \
	"nsboot: warning: --pid-file=$TMP/pid2: no longer holds PID $pid; left in place"

# --wait-booted: the outputs wait for BOOTED (the busybox tree's rc reports "up")
order() { grep -n -E "$2" "$1" | head -1 | cut -d: -f1; }
for mode in ready booted; do
	rm -f "$TMP/r-$mode" "$TMP/e-$mode"
	mkfifo "$TMP/r-$mode"
	opt=; [ $mode = booted ] && opt=--wait-booted
	timeout "$GUARD" bash -c 'exec "$@" 5>"$0"' "$TMP/r-$mode" \
		"$NSBOOT" $opt --console=pipe --ready-fd=5 -D "$TREE" </dev/null >/dev/null 2>"$TMP/e-$mode" &
	bg=$!
	pid=$(timeout "$GUARD" cat "$TMP/r-$mode")
	for _ in $(seq $((GUARD * 10))); do grep -q 'booted in' "$TMP/e-$mode" && break; sleep 0.1; done
	r=$(order "$TMP/e-$mode" 'container running as PID')
	b=$(order "$TMP/e-$mode" '^nsboot: booted in [0-9]+ ms$')
	before() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }
	if [ $mode = booted ]; then
		check "--wait-booted: 'booted in N ms' comes before the readiness line ($b < $r)" before "$b" "$r"
	else
		check "without --wait-booted: readiness comes first, then 'booted in N ms' ($r < $b)" before "$r" "$b"
	fi
	like "$mode: --ready-fd carried the PID" "$pid" '^[0-9]+$'
	kill -TERM "$(spawner_of "$pid")"
	wait "$bg"
	is "$mode: the booted tree stops on SIGTERM with status 0" "$?" 0
done

# --- as nobody, single ---
mkdir "$TMP/nobody" && chown 65534:65534 "$TMP/nobody"
as_nobody timeout "$GUARD" "$NSB_PUB/bin/nsboot" --private-users=single --pid-file="$TMP/nobody/pid" \
	-D "$TREE" -- /bin/sleep 60 2>"$TMP/nobody/err" &
bg=$!
wait_for "$TMP/nobody/pid"
pid=$(cat "$TMP/nobody/pid")
wait_for "$TMP/nobody/err"
cmd=$(sed -n 's/^nsboot: container running as PID [0-9]*; enter it with: //p' "$TMP/nobody/err")
is "single: the hint preserves credentials" "$cmd" "nsenter -a --preserve-credentials -t $pid"
out=$(as_nobody timeout "$GUARD" $cmd /bin/cat /etc/nsboot-marker 2>&1)
is "single: the printed command, run as nobody, reads the tree's marker" "$out" "nsboot busybox tree"
out=$(as_nobody timeout "$GUARD" $cmd /bin/ps -o pid,args 2>&1)
like "single: ...and sees the container's processes" "$out" '^ *[0-9]+ +/bin/sleep 60'
kill -TERM "$(spawner_of "$pid")"
wait "$bg"
check "single: the pid file is gone after exit" [ ! -e "$TMP/nobody/pid" ]
done_testing
