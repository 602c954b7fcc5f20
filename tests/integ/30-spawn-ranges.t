#!/bin/bash
# Range locks (pick and BASE[:COUNT]): /run/nsboot (0755) and /run/nsboot/ranges (0700)
# are root's and the lock files 0600, so no other user can open, let alone take, a lock;
# an explicit BASE range overlapping a running container's is refused naming that
# container's PID; disjoint BASE ranges run side by side; a lock is free again once its
# container is gone. The checks of the folders themselves run under a private /run (a
# tmpfs in a mount namespace of the test's own: the host's locks are not touched).
source "$NSB_SRC/tests/integ/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (pick and BASE are root's mappings)"
	done_testing
fi
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30ranges.XXXXXX)
chmod 755 "$TMP"
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
NSBOOT=$NSB_BUILD/nsboot
R=/run/nsboot/ranges
wait_for() { for _ in $(seq $((GUARD * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
spawner_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }
# start_ctr NAME ARGS...: nsboot ARGS in the background with a sleeping container and
# --pid-file=$TMP/NAME.pid; sets CPID to the container's PID once the file is there
start_ctr() {
	local name=$1
	shift
	timeout -s KILL "$GUARD" "$NSBOOT" -q --pid-file="$TMP/$name.pid" "$@" -D "$TREE" -- /bin/sleep 60 \
		</dev/null >/dev/null 2>"$TMP/$name.err" &
	wait_for "$TMP/$name.pid"
	CPID=$(cat "$TMP/$name.pid" 2>/dev/null)
}
# stop_ctr PID: SIGTERM to the nsboot of container PID, and waits until it is gone
stop_ctr() {
	local sp
	sp=$(spawner_of "$1")
	[ -n "$sp" ] && kill -TERM "$sp"
	for _ in $(seq $((GUARD * 10))); do [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || break; sleep 0.1; done
}
# try ARGS...: nsboot ARGS running /bin/true; sets RC and OUT (stderr)
try() { OUT=$(timeout "$GUARD" "$NSBOOT" -q "$@" -D "$TREE" -- /bin/true 2>&1); RC=$?; }
base_of() { awk 'NR == 1 {print $2}' "/proc/$1/uid_map" 2>/dev/null; }

# --- a pick container: the folders and its lock are root's only ---
start_ctr a
A=$CPID
BA=$(base_of "$A")
like "pick: the container runs with a range" "$BA" '^[0-9]+$'
is "/run/nsboot is root's, 0755" "$(stat -c '%U %a' /run/nsboot)" "root 755"
is "/run/nsboot/ranges is root's, 0700" "$(stat -c '%U %a' "$R")" "root 700"
is "the range's lock file is root's, 0600" "$(stat -c '%U %a' "$R/$BA.lock" 2>&1)" "root 600"
err=$(as_nobody sh -c 'exec 9<"$1"' sh "$R/$BA.lock" 2>&1)
like "nobody cannot open a held range lock" "$err" 'Permission denied'

# --- BASE overlapping the running pick container ---
try --private-users="$BA:65536"
is "BASE on a running container's range: 125" "$RC" 125
is "... naming that container's PID" "$OUT" \
	"nsboot: --private-users=$BA:65536: ids overlap the range of the running container PID $A"
try --private-users="$((BA + 65535)):2"
is "BASE sharing one id with it: 125" "$RC" 125
like "... naming that container's PID" "$OUT" "ids overlap the range of the running container PID $A\$"

# --- two BASE containers on disjoint ranges (above pick's area: no picked range meets them) ---
start_ctr b --private-users=1895825408:65536
B=$CPID
start_ctr c --private-users=1895890944:65536
C=$CPID
check "BASE: a first container runs ($B)" kill -0 "${B:-0}"
check "BASE: a second one on the next block runs beside it ($C)" kill -0 "${C:-0}"
is "BASE: the first one's map" "$(awk '{print $1, $2, $3}' "/proc/$B/uid_map" 2>&1)" "0 1895825408 65536"
is "BASE: the second one's map" "$(awk '{print $1, $2, $3}' "/proc/$C/uid_map" 2>&1)" "0 1895890944 65536"
try --private-users=1895886848:8192
is "BASE across both: 125" "$RC" 125
is "... naming the first one it meets" "$OUT" \
	"nsboot: --private-users=1895886848:8192: ids overlap the range of the running container PID $B"

# a range over more blocks than nsboot holds locks for is refused, not locked in part
try --private-users=1895825408:589825
is "BASE over 10 blocks: 125" "$RC" 125
is "... saying why" "$OUT" \
	"nsboot: --private-users=1895825408:589825: the range spans 10 blocks of 65536 ids; at most 8 can be locked"

stop_ctr "$A"
stop_ctr "$B"
stop_ctr "$C"
wait
err=$(as_nobody flock -n "$R/$BA.lock" true 2>&1)
rc=$?
check "nobody cannot take a free range's lock ($rc)" [ "$rc" != 0 ]
like "... it cannot even open it" "$err" 'cannot open lock file.*Permission denied'
check "after exit the pick range's lock is free again" flock -n "$R/$BA.lock" true
try --private-users=1895825408:524288
is "after exit BASE ranges are free again (8 blocks)" "$RC:$OUT" "0:"

# --- the folders, under a private /run ---
# private SCRIPT: runs SCRIPT (sh) with a fresh tmpfs on /run, $N being nsboot and $T the tree
private() {
	N=$NSBOOT T=$TREE timeout "$GUARD" unshare -m --propagation private sh -c \
		'mount -t tmpfs -o mode=755 nsb-test-run /run && eval "$1"' sh "$1" 2>&1
}
out=$(private '"$N" -q -D "$T" -- /bin/true && stat -c "%n %U %a" /run/nsboot /run/nsboot/ranges /run/nsboot/ranges/*.lock')
like "made from nothing: /run/nsboot 0755" "$out" '^/run/nsboot root 755$'
like "made from nothing: its ranges folder 0700" "$out" '^/run/nsboot/ranges root 700$'
like "made from nothing: a lock file 0600" "$out" '^/run/nsboot/ranges/[0-9]+\.lock root 600$'
out=$(private 'mkdir -m 777 /run/nsboot && mkdir -m 755 /run/nsboot/ranges && : >/run/nsboot/ranges/524288.lock &&
	chmod 644 /run/nsboot/ranges/524288.lock &&
	"$N" -v --private-users=524288 -D "$T" -- /bin/true 2>&1 | grep -E "^nsboot: /run/nsboot" ;
	stat -c "%n %a" /run/nsboot /run/nsboot/ranges /run/nsboot/ranges/524288.lock')
like "too wide: -v notes /run/nsboot's mode made 0755" "$out" '^nsboot: /run/nsboot: mode 0?777 made 0?755'
like "too wide: -v notes the ranges folder's mode made 0700" "$out" '^nsboot: /run/nsboot/ranges: mode 0?755 made 0?700'
like "too wide: /run/nsboot is 0755 now" "$out" '^/run/nsboot 755$'
like "too wide: the ranges folder is 0700 now" "$out" '^/run/nsboot/ranges 700$'
like "too wide: a lock file of an older nsboot is 0600 now" "$out" '^/run/nsboot/ranges/524288.lock 600$'
out=$(private 'mkdir /run/nsboot /run/elsewhere && ln -s /run/elsewhere /run/nsboot/ranges &&
	"$N" -q -D "$T" -- /bin/true; echo "rc=$?"; echo "made there: $(ls -A /run/elsewhere)"')
like "ranges a symbolic link: 125" "$out" '^rc=125$'
like "... one line naming it" "$out" '^nsboot: /run/nsboot/ranges: .*symbolic link'
like "... and nothing is made where it points" "$out" '^made there: $'
out=$(private 'mkdir /run/elsewhere && ln -s /run/elsewhere /run/nsboot &&
	"$N" -q --private-users=3000000 -D "$T" -- /bin/true; echo "rc=$?"')
like "/run/nsboot a symbolic link (BASE): 125" "$out" '^rc=125$'
like "... one line naming it" "$out" '^nsboot: /run/nsboot: .*symbolic link'
out=$(private 'mkdir -p /run/nsboot/ranges && chown 65534:65534 /run/nsboot/ranges && chmod 700 /run/nsboot/ranges &&
	"$N" -q -D "$T" -- /bin/true; echo "rc=$?"')
like "ranges owned by nobody: 125" "$out" '^rc=125$'
like "... one line naming it and its owner" "$out" '^nsboot: /run/nsboot/ranges: owned by uid 65534, not root'
out=$(private 'mkdir -p /run/nsboot/ranges && ln -s /etc/passwd /run/nsboot/ranges/524288.lock &&
	"$N" -q --private-users=524288 -D "$T" -- /bin/true; echo "rc=$?"')
like "a lock file that is a symbolic link: 125" "$out" '^rc=125$'
like "... naming it" "$out" '^nsboot: lock /run/nsboot/ranges/524288.lock: '
done_testing
