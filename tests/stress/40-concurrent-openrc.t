#!/bin/bash
# Debian OpenRC boots at once (10), each on the cached tree of scripts/mkrootfs
# debian-openrc with the preset it detects and --wait-booted: every one reports booted
# (its pid file), runs on a range of its own, and SIGTERM to each nsboot (all at once)
# stops it through the tree's own shutdown with exit 0; no process, mount or range lock
# of them is left. Skipped when the tree cannot be built (debootstrap cannot run).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/stress/stress-lib.sh"
stress_init concurrent-openrc
N=$(stress_count 10 5)
if ! DTREE=$("$NSB_SRC/scripts/mkrootfs" debian-openrc 2>"$TMP/mkrootfs.err"); then
	skip "scripts/mkrootfs debian-openrc failed (debootstrap cannot run here?): $(tail -n 1 "$TMP/mkrootfs.err")"
	stress_finish
fi

now_us_to t_start
spids=()
for ((i = 1; i <= N; i++)); do
	stress_spawn "$TMP/o$i" "$NSBOOT" --console=pipe --wait-booted --pid-file="$TMP/o$i.pid" -D "$DTREE"
	spids+=("$SPID")
done
end=$((t_start + GUARD * 1000000))
while :; do
	waiting=0
	for ((i = 1; i <= N; i++)); do
		[ -e "$TMP/o$i.pid" ] || { live "${spids[i - 1]}" && waiting=$((waiting + 1)); }
	done
	[ "$waiting" = 0 ] || [ "$(now_us)" -ge "$end" ] && break
	snooze 20000
done
now_us_to t_all
booted=0 bases=() boot_ms=()
for ((i = 1; i <= N; i++)); do
	if [ ! -e "$TMP/o$i.pid" ]; then
		bad booted "boot $i: no pid file: $(tail -n 3 "$TMP/o$i.err" | tr '\n' ';')"
		continue
	fi
	booted=$((booted + 1))
	read -r p <"$TMP/o$i.pid"
	read -r _ b _ <"/proc/$p/uid_map"
	bases+=("$b")
	ms=$(sed -n 's/^nsboot: booted in \([0-9]*\) ms$/\1/p' "$TMP/o$i.err")
	[ -n "$ms" ] && boot_ms+=("$ms")
done
is "$N OpenRC boots at once: all booted (--wait-booted wrote each pid file)" "$booted" "$N"
verdict booted "... none failed"
is "... each on a range of its own" "$(printf '%s\n' "${bases[@]}" | sort -u | wc -l)" "$booted"

now_us_to tk
for ((i = 1; i <= N; i++)); do
	kill -TERM "${spids[i - 1]}" 2>/dev/null
done
for ((i = 1; i <= N; i++)); do
	stress_wait "${spids[i - 1]}"
	[ "$RC" = 0 ] || bad status "boot $i: status $RC: $(tail -n 3 "$TMP/o$i.err" | tr '\n' ';')"
	grep -q 'Stopping OpenBSD Secure Shell server' "$TMP/o$i.out" "$TMP/o$i.err" ||
		bad shutdown "boot $i: no 'Stopping OpenBSD Secure Shell server' line"
done
now_us_to te
verdict status "... SIGTERM to each nsboot: all exit 0"
verdict shutdown "... each through the tree's own shutdown (sshd stopped)"
is "... no hang" "$STRESS_HANGS" 0
trial_leftovers all
verdict left "... no process of them is left"
verdict mounts "... no mount of them appears in the host's mount table"
verdict locks "... no range lock outlives the nsboot that took it"
check "... nsboot removed every pid file" [ -z "$(compgen -G "$TMP/o*.pid*")" ]
stats boot "${boot_ms[@]}"
summary "$N concurrent OpenRC boots: $booted booted (median booted in ${boot_med} ms, max ${boot_max} ms; all up $(((t_all - t_start) / 1000)) ms after the first start), $(count_bad status) wrong statuses, all stopped $(((te - tk) / 1000)) ms after SIGTERM; $(count_bad left) leftovers"
stress_finish
