# Sourced by the 70-net-*.t tests after lib.sh: every one of them runs in network, mount
# and pid namespaces of its own (the file re-execs itself under unshare), with a private
# /run, so no packet leaves loopback or the namespaces the test made, and no bridge,
# interface or state file of the host's is touched.
# nsb_net_isolate "$@": call first; re-execs the test under unshare once.
nsb_net_isolate() {
	if [ -z "${NSB_NET_ISOLATED:-}" ]; then
		export NSB_NET_ISOLATED=1
		exec unshare -mnpf --kill-child --mount-proc --propagation private \
			bash -c 'mount -t tmpfs -o mode=755 nsb-run /run && ip link set lo up && exec bash "$0" "$@"' \
			"$0" "$@"
	fi
}
NSBOOT=$NSB_BUILD/nsboot
# wait_until CMD...: polls CMD (a tenth of a second) until it succeeds; false after GUARD
wait_until() { for _ in $(seq $((GUARD * 10))); do "$@" && return 0; sleep 0.1; done; return 1; }
# start_machine NAME ARGS... -- COMMAND...: nsboot --hostname=NAME ARGS in the background
# (the rest of the words go to nsboot as they are); NAME's container PID ends up in
# $TMP/NAME.pid, its nsboot's PID in $TMP/NAME.nsboot; false when it did not come up
start_machine() {
	local name=$1
	shift
	rm -f "$TMP/$name.pid"
	timeout -s KILL $((GUARD * 10)) "$NSBOOT" -q --hostname="$name" --pid-file="$TMP/$name.pid" "$@" \
		</dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
	echo $! >"$TMP/$name.nsboot"
	wait_until test -s "$TMP/$name.pid"
}
pid_of() { cat "$TMP/$1.pid"; }
# inside NAME CMD...: runs CMD inside machine NAME (all its namespaces)
# (through the tree's sh: busybox applets exec'd straight by nsenter may crash)
inside() { local n=$1; shift; timeout "$GUARD" nsenter -a -t "$(pid_of "$n")" /bin/sh -c '"$@"' sh "$@"; }
# stop_machine NAME: SIGTERM to its nsboot, waits until that is gone
stop_machine() {
	local sp
	sp=$(pgrep -P "$(cat "$TMP/$1.nsboot")" -x nsboot || cat "$TMP/$1.nsboot")
	kill -TERM "$sp" 2>/dev/null
	wait_until eval "! kill -0 $sp 2>/dev/null"
}
# nsboot_pid NAME: the PID of NAME's nsboot (the child of its timeout)
nsboot_pid() { pgrep -P "$(cat "$TMP/$1.nsboot")" -x nsboot; }
gone() { ! kill -0 "$1" 2>/dev/null; }
no_link() { ! ip link show "$1" >/dev/null 2>&1; }
