#!/bin/bash
# Machines as root (the pick mapping) with the busybox tree: a detached machine is listed,
# exec'd (exit statuses, stdin, --user, --chdir, --setenv, its own pid namespace, no host
# fd), its log read, waited for, signalled and stopped; names are unique (10 concurrent
# starts with one -M: exactly one runs) and default to the tree's directory name with a
# -N suffix; an entry whose spawner was SIGKILLed, or whose PID 1 is another process now,
# is met cleanly, and half-made ones go once old; bad input is one line and exit 125 and
# leaves nothing behind.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/machines-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root"
	done_testing
fi
machines_isolate "$0"
REG=/run/nsboot/machines
NSBOOT=$NSB_BUILD/nsboot
TMP=$(mktemp -d /tmp/nsb-35root.XXXXXX)
# a copy of the tree under a name of its own: the default machine name
TREE=$TMP/bbtree
cp -a "$("$NSB_SRC/scripts/mkrootfs" busybox)" "$TREE"
trap 'machines_killall "$REG"; kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
nsb() { timeout -k 5 "$GUARD" "$NSBOOT" "$@"; }

out=$(nsb -M web --detach -D "$TREE" 2>&1)
is "--detach: exit 0 once ready" "$?" 0
like "...the hint names the nsenter line" "$out" 'enter it with: nsenter -a -t [0-9]+'
like "...and nsboot shell" "$out" 'or: nsboot shell web'
spawner=$(entry_field "$REG" web spawner)
check "...the spawner runs on in the background" kill -0 "$spawner"
is "...in a session of its own" "$(ps -o sid= -p "$spawner" | tr -d ' ')" "$spawner"
is "...without a terminal" "$(ps -o tty= -p "$spawner" | tr -d ' ')" "?"
is "...stdin on /dev/null" "$(readlink "/proc/$spawner/fd/0")" /dev/null
is "...stdout into its console.log" "$(readlink "/proc/$spawner/fd/1")" "$REG/web/console.log"
pid1=$(entry_field "$REG" web pid)
cgparent=$(dirname "$(entry_field "$REG" web cgroup)")

list=$(nsb list)
like "list: a header" "$list" '^NAME +PID +STATE +UPTIME +TREE +MAPPING$'
like "list: web, its PID 1, state, uptime, tree, mapping" "$list" \
	"^web +$pid1 +(running|booted) +[0-9]+s +$TREE +pick$"
json=$(nsb list --json)
like "list --json: an object per machine" "$json" "\"name\": \"web\", \"pid\": $pid1, \"state\": \"(running|booted)\""
check "list --json: valid JSON" perl -MJSON::PP -e 'exit !(decode_json(join "", <STDIN>)->[0]{tree})' <<<"$json"

is "wait --booted --timeout: the busybox boot reports it" "$(nsb wait --booted --timeout=20 web; echo $?)" 0
for st in 0 1 42; do
	nsb exec web -- sh -c "exit $st"
	is "exec: exit status $st" "$?" "$st"
done
nsb exec web /etc/passwd 2>"$TMP/err"
is "exec: not executable: 126" "$?" 126
like "...one line naming it" "$(cat "$TMP/err")" '^nsboot: exec: /etc/passwd: Permission denied$'
nsb exec web no-such-command 2>"$TMP/err"
is "exec: not found: 127" "$?" 127
nsb exec web sh -c 'kill -KILL $$'
is "exec: killed by SIGKILL: 137" "$?" 137
is "exec: stdin piped through" "$(printf 'a\nb\n' | nsb exec web -- wc -l)" 2
is "exec: uid 0, in the container's root" "$(nsb exec web sh -c 'id -u; pwd; hostname')" "0
/
bbtree"
is "exec: a child in the container's pid namespace (its parent outside: 0)" \
	"$(nsb exec web sh -c 'echo $PPID')" 0
is "exec: only fds 0, 1, 2 come in" "$(nsb exec web sh -c 'ls /proc/$$/fd; :' </dev/null | tr '\n' ' ')" "0 1 2 "
is "exec: the container's mount namespace" "$(nsb exec web readlink /proc/self/ns/mnt)" \
	"$(readlink "/proc/$pid1/ns/mnt")"
is "exec: the container's user and net namespaces" \
	"$(nsb exec web sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/net')" \
	"$(readlink "/proc/$pid1/ns/user" "/proc/$pid1/ns/net")"
if [ -n "$(entry_field "$REG" web cgroup)" ]; then
	is "exec: in the machine's cgroup (the root of its cgroup namespace)" \
		"$(nsb exec web grep '^0::' /proc/self/cgroup)" "0::/"
else
	skip "exec: in the machine's cgroup: no writable cgroup v2 hierarchy"
fi
is "exec: no signal ignored or blocked, whatever the caller's were" \
	"$(trap '' INT QUIT; nsb exec web grep -E '^Sig(Ign|Blk)' /proc/self/status | tr -s '\t\n' '  ')" \
	"SigBlk: 0000000000000000 SigIgn: 0000000000000000 "
is "exec: the purified environment" "$(nsb exec web sh -c 'echo "$container"; echo "$HOME"; echo "$PATH"')" "nsboot
/root
/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
unlike "exec: nothing of the caller's environment" "$(NSB_SECRET=x nsb exec web env)" 'NSB_SECRET'
is "exec --user=nobody: its uid and HOME" "$(nsb exec --user=nobody web sh -c 'id -u; echo $HOME')" "65534
$(awk -F: '$1 == "nobody" { print $6 }' "$TREE/etc/passwd")"
is "exec --chdir --setenv" "$(nsb exec --chdir=/etc --setenv=A=1 --setenv=A=2 web sh -c 'pwd; echo $A')" "/etc
2"
is "exec --user=UID the tree does not name: that uid and gid" "$(nsb exec --user=4321 web sh -c 'id -u; id -g')" "4321
4321"
out=$(nsb exec --user=nosuchuser web true 2>&1)
is "exec --user of a user the tree lacks: 125" "$?" 125
like "...one line" "$out" "^nsboot: exec: user nosuchuser: not found in the machine's /etc/passwd$"

# a signal to nsboot exec reaches the command
nsb exec web sh -c 'trap "exit 9" TERM; echo armed; while :; do sleep 0.05; done' >"$TMP/sig" &
bg=$!
for _ in $(seq 100); do grep -q armed "$TMP/sig" && break; sleep 0.05; done
kill -TERM "$(pgrep -P $bg)"
wait $bg
is "exec: SIGTERM relayed to the command (its handler exits 9)" "$?" 9

like "logs: the rc output of the busybox boot" "$(nsb logs web)" 'rc: up'

# the log is capped: past 1 MiB console.log becomes console.log.old and a new one starts
nsb -M chatty --detach -D "$TREE" -- /bin/sh -c \
	'yes 0123456789012345678901234567890123456789 | head -c 3000000; echo; echo all-written; exec sleep 300' 2>/dev/null
for _ in $(seq $((GUARD * 10))); do grep -q all-written "$REG/chatty/console.log" 2>/dev/null && break; sleep 0.1; done
size=$(stat -c %s "$REG/chatty/console.log")
old=$(stat -c %s "$REG/chatty/console.log.old")
check "a chatty console: console.log stays near 1 MiB ($size bytes)" [ "$size" -le $((1024 * 1024 + 128 * 1024)) ]
check "...the MiB before is in console.log.old ($old bytes)" [ "$old" -ge $((1024 * 1024)) -a "$old" -le $((1024 * 1024 + 128 * 1024)) ]
like "...logs prints both, up to the last line" "$(nsb logs chatty | tail -n 1)" '^all-written$'
nsb stop --timeout=5 chatty >/dev/null 2>&1

# 10 concurrent starts with one name: exactly one runs
for i in $(seq 10); do
	(nsb -M same --detach -D "$TREE" >/dev/null 2>"$TMP/same.$i"; echo $? >"$TMP/same.$i.rc") &
done
wait
is "10 concurrent starts with -M same: one exits 0" "$(cat "$TMP"/same.*.rc | grep -c '^0$')" 1
is "...nine exit 125" "$(cat "$TMP"/same.*.rc | grep -c '^125$')" 9
holder=$(entry_field "$REG" same spawner)
is "...each naming the PID that holds the name" \
	"$(cat "$TMP"/same.[0-9] "$TMP"/same.10 | grep -c "^nsboot: machine name 'same' is in use by nsboot PID $holder$")" 9
is "...and nothing else left in the registry" "$(ls -A "$REG" | tr '\n' ' ')" "same web "

out=$(timeout "$GUARD" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/inuse" \
	"$NSBOOT" -M same -D "$TREE" -- true 2>&1)
is "a start with a name in use: 125" "$?" 125
check "...its cgroup is removed" test ! -e "$cgparent/nsboot-$(cat "$TMP/inuse")"
check "...its half-made entry too" test -z "$(compgen -G "$REG/.*-*")"

# two machines of one tree without -M: the directory name, then the lowest free suffix
nsb --detach -D "$TREE" 2>/dev/null && nsb --detach -D "$TREE" 2>/dev/null
like "two of one tree without -M: bbtree and bbtree-1" "$(nsb list)" $'\nbbtree +[0-9]+ .*\nbbtree-1 +[0-9]+ '

# kill: a signal to PID 1 (SIGKILL ends the machine; its entry goes with the spawner)
sp=$(entry_field "$REG" bbtree-1 spawner)
nsb kill bbtree-1 KILL
is "kill NAME KILL: exit 0" "$?" 0
for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.05; done
check "...the spawner is gone" sh -c "! kill -0 $sp 2>/dev/null"
check "...its entry too" test ! -e "$REG/bbtree-1"

# the spawner SIGKILLed: its entry is stale and the next command removes it
sp=$(entry_field "$REG" bbtree spawner)
kill -KILL "$sp"
for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.05; done
unlike "spawner SIGKILLed: list no longer shows it" "$(nsb list)" '^bbtree '
check "...and its entry is removed" test ! -e "$REG/bbtree"

# an entry whose PID 1 is another process now (a recycled PID: its start time differs)
sleep 300 &
other=$!
mkdir -m 700 "$REG/ghost"
: >"$REG/ghost/lock"
: >"$REG/ghost/env"
printf 'name=ghost\nspawner=%d\nspawner_start=1\npid=%d\npid_start=1\nstate=running\nstarted=1\ngrace_ms=1000\nmapping=pick\ncgroup=\ntree=/x\n' \
	"$other" "$other" >"$REG/ghost/info"
flock -x "$REG/ghost/lock" sleep 300 &
locker=$!
for _ in $(seq 100); do [ -n "$(pgrep -P $locker)" ] && break; sleep 0.05; done
out=$(nsb exec ghost -- true 2>&1)
is "exec of a machine whose PID was recycled: 125" "$?" 125
like "...one line saying its PID 1 is gone" "$out" "^nsboot: exec: machine ghost: its PID 1 \\(PID $other\\) is gone$"
nsb kill ghost KILL 2>/dev/null
check "...kill does not reach the process that has the PID now" kill -0 "$other"
kill -KILL "$locker" $(pgrep -P $locker)
wait "$locker" 2>/dev/null
out=$(nsb exec ghost -- true 2>&1)
is "the same entry unlocked (its spawner gone): 125" "$?" 125
is "...no machine named ghost" "$out" "nsboot: exec: no machine named ghost"
check "...and the stale entry is removed" test ! -e "$REG/ghost"
kill -KILL "$other"; wait "$other" 2>/dev/null

# half-made and half-removed entries (a start or a cleaning killed midway, whatever file
# it was writing) are removed by the next list once old enough, and not before
for e in .new-4194305 .gone-4194306-1 .new-4194307; do
	mkdir -m 700 "$REG/$e"
	: >"$REG/$e/lock"
done
: >"$REG/.new-4194305/env.new"
: >"$REG/.gone-4194306-1/info.new"
: >"$REG/.gone-4194306-1/console.log"
touch -d '-1 min' "$REG/.new-4194305" "$REG/.gone-4194306-1"
nsb list >/dev/null
check "half-made entries older than 10 s, with a write's .new file in them: removed" \
	test ! -e "$REG/.new-4194305" -a ! -e "$REG/.gone-4194306-1"
check "...a fresh one stays (its start may be at work)" test -e "$REG/.new-4194307/lock"
rm -rf "$REG/.new-4194307"

# "run" is the start verb spelt out
nsb run -M viarun --detach -D "$TREE" 2>/dev/null
is "nsboot run -M NAME --detach: exit 0" "$?" 0
like "...listed" "$(nsb list)" '^viarun +[0-9]+ '
is "...stopped" "$(nsb stop viarun; echo $?)" 0

# wait --timeout runs out: 124
nsb -M plain --detach -D "$TREE" -- sleep 300 2>/dev/null
out=$(nsb wait --booted --timeout=0.5 plain 2>&1)
is "wait --booted --timeout on a command that never boots: 124" "$?" 124
like "...one line" "$out" '^nsboot: wait: machine plain was not booted within 0.500 s$'
timeout 1 "$NSBOOT" wait --booted plain 2>/dev/null
is "wait ends on SIGTERM (timeout 1 nsboot wait: 124), not held by nsboot's blocked signals" "$?" 124
is "wait (READY) of a running machine: 0" "$(nsb wait plain; echo $?)" 0
nsb stop --timeout=10 plain
is "stop: the command's status (sleep dies of SIGTERM: 143)" "$?" 143

# stop: the tree's shutdown, exit 0, the machine gone
pid1=$(entry_field "$REG" web pid)
nsb stop web
is "stop web: exit 0" "$?" 0
check "...its PID 1 is gone" sh -c "! kill -0 $pid1 2>/dev/null"
check "...its entry is gone" test ! -e "$REG/web"
# a name whose spawner was SIGKILLed is free again for the next start
sp=$(entry_field "$REG" same spawner)
kill -KILL "$sp"
for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.05; done
nsb -M same --detach -D "$TREE" 2>/dev/null
is "-M of a machine whose spawner was SIGKILLed: the start takes the name (0)" "$?" 0
isnt_sp=$(entry_field "$REG" same spawner)
check "...a new spawner holds it" [ -n "$isnt_sp" -a "$isnt_sp" != "$sp" ]
nsb stop same >/dev/null 2>&1

# bad input: one line, exit 125, nothing left behind
before=$(ls -A "$REG")
bad() {
	local desc=$1 want=$2 out
	shift 2
	out=$(nsb "$@" 2>&1)
	is "$desc: exit 125" "$?" 125
	check "...one line" only_line "$out"
	like "...saying why" "$out" "$want"
}
bad "exec of an unknown machine" '^nsboot: exec: no machine named nope$' exec nope -- true
bad "exec of a bad name" "^nsboot: exec: 'a/b': not a machine name" exec a/b -- true
bad "exec without a command" '^nsboot: exec: missing COMMAND' exec web
bad "stop of a stopped machine" '^nsboot: stop: no machine named web$' stop web
bad "kill with a bad signal" "^nsboot: kill: 'NOPE': not a signal$" kill web NOPE
bad "logs of an unknown machine" '^nsboot: logs: no machine named nope$' logs nope
bad "wait of an unknown machine" '^nsboot: wait: no machine named nope$' wait nope
out=$(timeout "$GUARD" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/badpid" \
	"$NSBOOT" -M 'bad/name' -D "$TREE" -- true 2>&1)
is "-M with a bad name: 125" "$?" 125
check "...no cgroup left" test ! -e "$cgparent/nsboot-$(cat "$TMP/badpid")"
like "...saying why" "$out" '^nsboot: -M: not a machine name'
out=$(nsb --detach -D "$TMP/missing" 2>&1)
is "--detach of a missing tree: 125" "$?" 125
like "...with the reason" "$out" "^nsboot: -D $TMP/missing: No such file or directory$"
is "...and nothing is left in the registry" "$(ls -A "$REG")" "$before"
done_testing
