#!/bin/bash
# --drop-services: errors name the file and the line (exit 125, before anything starts);
# a name the tree lacks is skipped; a named service is masked inside the container only by
# a read-only stub, the tree on disk untouched; the presets bring their default list, which
# --drop-services (repeatable) adds to and --no-default-drops empties; -v says which
# service each list masks.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
TREE=$BOOT_TMP/tree
cp -a "$("$NSB_SRC/scripts/mkrootfs" busybox)" "$TREE"
printf '#!/bin/sh\necho REAL-FOO\n' >"$TREE/etc/init.d/foo"
printf '#!/bin/sh\necho REAL-HWCLOCK\n' >"$TREE/etc/init.d/hwclock.sh"
chmod 755 "$TREE/etc/init.d/foo" "$TREE/etc/init.d/hwclock.sh"
sum() { find "$TREE" -printf '%P %s %m %T@\n' | sort | md5sum; cat "$TREE/etc/init.d/foo"; }
before=$(sum)

out=$(run "$NSBOOT" -q -D "$TREE" --drop-services="$BOOT_TMP/missing.list" -- /bin/echo started 2>&1)
is "a missing drop list: exit 125" "$?" 125
like "a missing drop list: the error names the file and errno" "$out" "$BOOT_TMP/missing.list: No such file or directory"
unlike "a missing drop list: nothing started" "$out" started

printf 'foo\n# a comment\nbad name\n' >"$BOOT_TMP/bad.list"
out=$(run "$NSBOOT" -q -D "$TREE" --drop-services="$BOOT_TMP/bad.list" -- /bin/echo started 2>&1)
is "a malformed line: exit 125" "$?" 125
like "a malformed line: the error names file:line" "$out" "$BOOT_TMP/bad.list:3: "
unlike "a malformed line: nothing started" "$out" started
is "a malformed line: one error line" "$(printf '%s\n' "$out" | wc -l)" 1

printf '../../bin/sh\n' >"$BOOT_TMP/escape.list"
out=$(run "$NSBOOT" -q -D "$TREE" --drop-services="$BOOT_TMP/escape.list" -- /bin/echo started 2>&1)
is "a name with a slash: exit 125" "$?" 125
like "a name with a slash: file:line" "$out" "$BOOT_TMP/escape.list:1: "

printf '# bare metal\nfoo   # masked\nnot-in-this-tree\n' >"$BOOT_TMP/ok.list"
out=$(run "$NSBOOT" -v -D "$TREE" --drop-services="$BOOT_TMP/ok.list" -- /bin/sh -c '
	echo "run: $(/etc/init.d/foo start; echo status $?)"
	head -n 2 /etc/init.d/foo | tail -n 1
	echo x 2>/dev/null >/etc/init.d/foo && echo writable || echo read-only
	/etc/init.d/hwclock.sh' 2>&1)
is "a name the tree lacks boots: exit 0" "$?" 0
like "a name the tree lacks is noted with -v" "$out" 'not-in-this-tree.*(not in the tree|skipped)'
like "the masked service does nothing and succeeds" "$out" '^run: status 0$'
like "the stub says it is nsboot's" "$out" 'Masked by nsboot'
like "the stub is read-only" "$out" '^read-only$'
like "with COMMAND and a list of our own, the default list does not apply" "$out" '^REAL-HWCLOCK$'
is "the tree on disk is untouched" "$(sum)" "$before"

# the sysv preset (detected: the tree has /etc/init.d/rc) brings the default sysv list
boot_start "$BOOT_TMP/preset.out" "$NSBOOT" -D "$TREE" --console=pipe
if boot_wait_line "$BOOT_TMP/preset.out" '^nsboot: booted in'; then ok "the sysv preset boots the busybox tree"; else not_ok "the sysv preset boots the busybox tree"; diag "$(cat "$BOOT_TMP/preset.out")"; fi
hint=$(boot_hint "$BOOT_TMP/preset.out")
# shellcheck disable=SC2086
out=$(run $hint /bin/sh -c '/etc/init.d/hwclock.sh; echo status $?; /etc/init.d/foo' 2>&1)
like "the default list masks hwclock.sh" "$out" '^status 0$'
unlike "the default list masks hwclock.sh (not run)" "$out" REAL-HWCLOCK
like "a service not in the default list runs" "$out" '^REAL-FOO$'
boot_stop TERM
is "the preset stops on SIGTERM with exit 0" "$BOOT_STATUS" 0

# --drop-services adds to the preset's list, and may be repeated
printf 'httpd-helper\n' >"$BOOT_TMP/more.list"
printf '#!/bin/sh\necho REAL-HELPER\n' >"$TREE/etc/init.d/httpd-helper"
chmod 755 "$TREE/etc/init.d/httpd-helper"
before=$(sum)
boot_start "$BOOT_TMP/add.out" "$NSBOOT" -v -D "$TREE" --console=pipe \
	--drop-services="$BOOT_TMP/ok.list" --drop-services="$BOOT_TMP/more.list"
boot_wait_line "$BOOT_TMP/add.out" '^nsboot: booted in'
hint=$(boot_hint "$BOOT_TMP/add.out")
# shellcheck disable=SC2086
out=$(run $hint /bin/sh -c '/etc/init.d/hwclock.sh; /etc/init.d/foo; /etc/init.d/httpd-helper; echo done' 2>&1)
boot_stop TERM
is "with two added lists: the boot stops with exit 0" "$BOOT_STATUS" 0
unlike "an added list keeps the preset's list (hwclock.sh masked)" "$out" REAL-HWCLOCK
unlike "the first added list masks foo" "$out" REAL-FOO
unlike "the second added list masks httpd-helper" "$out" REAL-HELPER
like "the masked services ran as stubs" "$out" '^done$'
log=$(cat "$BOOT_TMP/add.out")
like "-v: the preset's list and what it masks" "$log" 'drop-services: 15 from [^ ]*/drop-sysv.list: mountkernfs.sh .*hwclock.sh'
like "-v: the first added list and what it masks" "$log" "drop-services: 2 from $BOOT_TMP/ok.list: foo not-in-this-tree\$"
like "-v: the second added list" "$log" "drop-services: 1 from $BOOT_TMP/more.list: httpd-helper\$"

# --no-default-drops: only the given lists
boot_start "$BOOT_TMP/nodef.out" "$NSBOOT" -v -D "$TREE" --console=pipe --no-default-drops \
	--drop-services="$BOOT_TMP/ok.list"
boot_wait_line "$BOOT_TMP/nodef.out" '^nsboot: booted in'
hint=$(boot_hint "$BOOT_TMP/nodef.out")
# shellcheck disable=SC2086
out=$(run $hint /bin/sh -c '/etc/init.d/hwclock.sh; /etc/init.d/foo; echo done' 2>&1)
boot_stop TERM
is "--no-default-drops: the boot stops with exit 0" "$BOOT_STATUS" 0
like "--no-default-drops: the preset's list is not applied (hwclock.sh runs)" "$out" '^REAL-HWCLOCK$'
unlike "--no-default-drops: the given list still masks foo" "$out" REAL-FOO
unlike "--no-default-drops: -v names no default list" "$(cat "$BOOT_TMP/nodef.out")" 'drop-sysv.list'
is "the tree on disk is untouched by the added lists" "$(sum)" "$before"
rm "$TREE/etc/init.d/httpd-helper"

# an OpenRC tree gets the openrc-run stub
rm -f "$TREE/sbin/openrc"
printf '#!/bin/sh\nexit 0\n' >"$TREE/sbin/openrc"
chmod 755 "$TREE/sbin/openrc"
boot_start "$BOOT_TMP/openrc.out" "$NSBOOT" -D "$TREE" --console=pipe --drop-services="$BOOT_TMP/ok.list"
boot_wait_line "$BOOT_TMP/openrc.out" 'enter it with'
hint=$(boot_hint "$BOOT_TMP/openrc.out")
# shellcheck disable=SC2086
out=$(run $hint /bin/sh -c "head -n 1 /etc/init.d/foo" 2>&1)
is "the openrc preset masks with an openrc-run script" "$out" '#!/sbin/openrc-run'
boot_stop TERM
out=$(run "$NSBOOT" -q -D "$TREE" --drop-services="$BOOT_TMP/ok.list" -- /bin/sh -c "head -n 1 /etc/init.d/foo" 2>&1)
is "with COMMAND, an OpenRC tree still gets the openrc-run stub" "$out" '#!/sbin/openrc-run'
done_testing
