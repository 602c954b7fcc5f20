#!/bin/bash
# A setup that hangs, 20 times: a bind source on a FUSE file system that never answers
# (tests/helpers/fuse-hang) holds the builder in a lookup; --setup-timeout=2 gives up once
# the 2 s have passed, with exit 125 and one line naming the option, and nothing is left:
# no process (the builder stuck in the kernel is killed), no mount, no range lock, no pid
# file. Skipped without /dev/fuse.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init fuse-timeout
N=$(stress_count 20 8)
if [ ! -c /dev/fuse ]; then
	skip "no /dev/fuse"
	stress_finish
fi
FUSE_HANG=$NSB_BUILD/tests/helpers/fuse-hang
mkdir "$TMP/fuse"
times=()
for ((i = 1; i <= N; i++)); do
	rm -f "$TMP"/pid*
	stress_spawn "$TMP/f" "$FUSE_HANG" "$TMP/fuse" "$NSBOOT" -q --setup-timeout=2 \
		--pid-file="$TMP/pid" --bind="$TMP/fuse/x:/mnt" -D "$TREE" -- /bin/true
	stress_wait "$SPID"
	now_us_to te
	t=$(((te - T0) / 1000))
	times+=("$t")
	err=$(cat "$TMP/f.err")
	what="trial $i ($t ms)"
	[ "$RC" = 125 ] || bad status "$what: status $RC: ${err:0:300}"
	[ "$err" = "nsboot: setup: the container was not ready within 2 s (--setup-timeout)" ] ||
		bad message "$what: said '${err:0:300}'"
	[ "$t" -ge 1900 -a "$t" -lt 5000 ] || bad time "$what: not between 1.9 and 5 s"
	compgen -G "$TMP/pid*" >/dev/null && bad pidfile "$what: left $(cd "$TMP" && echo pid*)"
	trial_leftovers "$i"
done
stats time "${times[@]}"
verdict status "$N hanging setups with --setup-timeout=2: exit 125 every time"
verdict message "... one line naming the setup and the option"
verdict time "... once the 2 s have passed, not much later (1.9 to 5 s)"
verdict pidfile "... no pid file (none was written: no READY)"
verdict left "... no process is left (the builder stuck in the FUSE lookup is killed)"
verdict mounts "... no mount appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
is "... no hang" "$STRESS_HANGS" 0
summary "$N hanging setups: $(count_bad status) wrong statuses, $(count_bad left) leftovers, median exit after ${time_med} ms (max ${time_max} ms)"
stress_finish
