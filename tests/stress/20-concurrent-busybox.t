#!/bin/bash
# Many busybox containers at once (50), each given a range of its own by pick: every
# PID 1's uid_map and gid_map, read from the host, start at a base of their own and no two
# ranges overlap; held open together by a FIFO they wait on, then let go at once, all exit
# 0; no process, mount or range lock of them is left.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init concurrent-busybox
N=$(stress_count 50 50)
# the gate: a FIFO each container's command opens for reading, which blocks until the
# test opens it for writing
mkdir "$TMP/gate"
mkfifo -m 644 "$TMP/gate/go"

now_us_to t_start
spids=()
for ((i = 1; i <= N; i++)); do
	stress_spawn "$TMP/c$i" "$NSBOOT" -q --pid-file="$TMP/c$i.pid" --bind-ro="$TMP/gate:/gate" \
		-D "$TREE" -- /bin/sh -c ': </gate/go'
	spids+=("$SPID")
done
# every container runs (its pid file is there), or its nsboot is gone, or the guard
end=$((t_start + GUARD * 1000000))
while :; do
	waiting=0
	for ((i = 1; i <= N; i++)); do
		[ -e "$TMP/c$i.pid" ] || { live "${spids[i - 1]}" && waiting=$((waiting + 1)); }
	done
	[ "$waiting" = 0 ] || [ "$(now_us)" -ge "$end" ] && break
	snooze 10000
done
now_us_to t_all
running=0 umaps=() held=()
for ((i = 1; i <= N; i++)); do
	[ -e "$TMP/c$i.pid" ] || { bad running "container $i: no pid file: $(head -c 300 "$TMP/c$i.err")"; continue; }
	running=$((running + 1))
	read -r p <"$TMP/c$i.pid"
	read -r u0 ub uc <"/proc/$p/uid_map"
	read -r g0 gb gc <"/proc/$p/gid_map"
	umaps+=("$ub $uc")
	[ "$u0 $ub $uc" = "$g0 $gb $gc" ] || bad gidmap "container $i (PID $p): uid_map '$u0 $ub $uc', gid_map '$g0 $gb $gc'"
	[ "$u0 $uc" = "0 65536" ] || bad map "container $i (PID $p): uid_map '$u0 $ub $uc'"
	# the block's lock names this nsboot and its container, and this nsboot holds it
	read -r hs hc <"/run/nsboot/ranges/$ub.lock"
	[ "$hs $hc" = "${spids[i - 1]} $p" ] ||
		bad holder "container $i: /run/nsboot/ranges/$ub.lock names '$hs $hc', not '${spids[i - 1]} $p'"
	held[i]=$ub
done
held_now=$(held_range_locks)
for ((i = 1; i <= N; i++)); do
	[ -e "$TMP/c$i.pid" ] || continue
	grep -qx "${spids[i - 1]} /run/nsboot/ranges/${held[i]}.lock" <<<"$held_now" ||
		bad held "container $i: its nsboot ${spids[i - 1]} does not hold ${held[i]}.lock"
done
is "$N containers at once: all run (a pid file each)" "$running" "$N"
verdict running "... none failed to start"
is "... every uid_map base is a container's own" \
	"$(printf '%s\n' "${umaps[@]}" | awk '{ print $1 }' | sort -u | wc -l)" "$running"
# sorted by base, each range ends before the next begins
overlaps=$(printf '%s\n' "${umaps[@]}" | sort -n |
	awk 'NR > 1 && $1 < end { print prev " and " $1 } { end = $1 + $2; prev = $1 }')
is "... no two ranges overlap" "$overlaps" ""
verdict map "... each maps 0 to a base for 65536 ids"
verdict gidmap "... each one's gid_map is its uid_map"
verdict holder "... each range's lock file names its nsboot and its container"
verdict held "... each range's lock is held by its nsboot"

# open the gate: every command's open returns and it exits 0
exec {GATE}<>"$TMP/gate/go"
now_us_to t_go
for ((i = 1; i <= N; i++)); do
	stress_wait "${spids[i - 1]}"
	[ "$RC" = 0 ] || bad status "container $i: status $RC: $(head -c 300 "$TMP/c$i.err")"
done
now_us_to t_done
exec {GATE}>&-
verdict status "... all exit 0"
is "... no hang" "$STRESS_HANGS" 0
trial_leftovers all
verdict left "... no process of them is left"
verdict mounts "... no mount of them appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
check "... nsboot removed every pid file" [ -z "$(compgen -G "$TMP/c*.pid*")" ]
summary "$N concurrent busybox containers: $running ran on distinct ranges, all running $(((t_all - t_start) / 1000)) ms after the first start, all exited $(((t_done - t_go) / 1000)) ms after the gate opened; $(count_bad left) leftovers"
stress_finish
