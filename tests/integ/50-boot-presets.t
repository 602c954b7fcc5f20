#!/bin/bash
# Boot presets on the busybox tree: with neither --boot nor COMMAND the preset is detected
# from the tree (sysv-rc here: it has /etc/init.d/rc), booted is reported, SIGTERM and
# SIGINT run the stop runlevel and exit 0; --hostname wins over the tree's hostname
# script; --boot=shell on a pipe; an unknown --boot is exit 125.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
OUT=$BOOT_TMP/out

for sig in TERM INT; do
	boot_start "$OUT" "$NSBOOT" -v -D "$TREE" --hostname=box7 --console=pipe
	if boot_wait_line "$OUT" '^nsboot: booted in [0-9]+ ms$'; then ok "$sig: detected preset boots the tree"; else not_ok "$sig: detected preset boots the tree"; diag "$(cat "$OUT")"; fi
	if [ "$sig" = TERM ]; then
		like "-v says which preset was detected" "$(cat "$OUT")" 'sysv preset \(detected'
		like "the tree's rc ran runlevel S" "$(cat "$OUT")" '^rc: up$'
		hint=$(boot_hint "$OUT")
		# shellcheck disable=SC2086
		ps=$(run $hint /bin/ps 2>&1)
		like "syslogd runs" "$ps" 'syslogd'
		like "httpd runs" "$ps" 'httpd'
		# shellcheck disable=SC2086
		is "--hostname wins over the tree's hostname script" "$(run $hint /bin/hostname 2>&1)" box7
	fi
	boot_stop "$sig"
	is "SIG$sig: exit 0" "$BOOT_STATUS" 0
	like "SIG$sig: the stop runlevel ran" "$(cat "$OUT")" '^rc: stopping$'
done

out=$(printf 'echo hello-$((6*7))\nexit 3\n' | run "$NSBOOT" -D "$TREE" --boot=shell --console=pipe 2>&1)
is "--boot=shell reads commands from a pipe; its status is nsboot's" "$?" 3
like "--boot=shell answers" "$out" '^hello-42$'
like "--boot=shell counts as booted once it runs" "$out" '^nsboot: booted in'

out=$(printf 'exit 0\n' | run "$NSBOOT" -q -D "$TREE" --boot=shell --console=pipe 2>&1)
is "-q: no booted line (nor any other)" "$out" ""

out=$(run "$NSBOOT" -D "$TREE" --boot=upstart 2>&1)
is "--boot=upstart: exit 125" "$?" 125
like "--boot=upstart: the error names it" "$out" 'upstart'
done_testing
