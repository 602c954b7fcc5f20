#!/bin/bash
# Honest readiness. Before READY (and before any "running" line) the root must hold what
# the boot needs: the preset's interpreter /bin/sh and its entry point, a COMMAND script's
# interpreter, resolved inside the tree (an absolute symlink is the tree's, never the host's); a missing one is exit 125
# naming the path. After the boot, "booted" names the services whose own status check says
# they are not running (an OpenRC and a sysv-rc Debian tree whose ssh has an empty
# /etc/ssh), and --fail-on-failed-services stops such a boot with exit 1.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }

# refused DESC WANT TREE [OPTION...]: exit 125, one line naming WANT, no running line
refused() {
	local desc=$1 want=$2 tree=$3 out
	shift 3
	out=$(run "$NSBOOT" -D "$tree" --console=pipe "$@" </dev/null 2>&1)
	is "$desc: exit 125" "$?" 125
	like "$desc: the error names the path" "$out" "^nsboot: boot: .*$want"
	unlike "$desc: no running line" "$out" 'running|booted'
	is "$desc: one line" "$(printf '%s\n' "$out" | grep -c .)" 1
}

mkdir "$BOOT_TMP/empty"
refused "an empty tree" "no /bin/sh \(the shell preset" "$BOOT_TMP/empty"

BUSYBOX=$("$NSB_SRC/scripts/mkrootfs" busybox)
TREE=$BOOT_TMP/tree
cp -a "$BUSYBOX" "$TREE"
is "the busybox tree's /bin/sh is an absolute symlink" "$(readlink "$TREE/bin/sh")" /bin/busybox
out=$(printf 'echo up-$((6*7))\n' | run "$NSBOOT" -D "$TREE" --boot=shell --console=pipe 2>&1)
is "an absolute /bin/sh symlink resolves inside the tree: exit 0" "$?" 0
like "an absolute /bin/sh symlink resolves inside the tree: the shell ran" "$out" '^up-42$'

# the preset is detected once, by nsboot, and the init is told which
mv "$TREE/etc/init.d/rc" "$TREE/etc/init.d/rc.off"
out=$(printf 'cat /proc/1/cmdline | tr "\\0" " "; echo\nexit 0\n' |
	run "$NSBOOT" -v -D "$TREE" --console=pipe 2>&1)
is "a detected shell preset: exit 0" "$?" 0
is "the preset is detected once" "$(printf '%s\n' "$out" | grep -c 'preset (detected from the tree)')" 1
like "nsboot detected it" "$out" '^nsboot: boot: shell preset \(detected from the tree\)$'
like "the init was given --boot=shell" "$out" '^nsboot-init .*--boot=shell '
mv "$TREE/etc/init.d/rc.off" "$TREE/etc/init.d/rc"

rm "$TREE/bin/sh"
refused "a sysv tree without /bin/sh" "no /bin/sh \(the sysv preset" "$TREE"
# the host has /bin/dash; the tree does not: the link must not reach the host's
ln -s /bin/dash "$TREE/bin/sh"
refused "/bin/sh linking to a program only the host has" "no /bin/sh" "$TREE"
rm "$TREE/bin/sh"
ln -s ../../../../bin/busybox "$TREE/bin/sh"
refused "an entry point the tree lacks" "no /sbin/openrc \(the openrc preset" "$TREE" --boot=openrc
out=$(run "$NSBOOT" -q -D "$TREE" -- /nonexistent 2>&1)
is "COMMAND missing in the tree is still exit 127" "$?" 127
# a COMMAND script whose interpreter the tree lacks (the host has /bin/bash)
printf '#!/bin/bash\necho script-ran\n' >"$TREE/bin/needs-bash"
chmod 755 "$TREE/bin/needs-bash"
refused "COMMAND's interpreter missing (found in PATH)" "no /bin/bash \(the interpreter of /bin/needs-bash\)" "$TREE" -- needs-bash
refused "COMMAND's interpreter missing (absolute)" "no /bin/bash \(the interpreter of /bin/needs-bash\)" "$TREE" -- /bin/needs-bash
printf '#!/bin/sh -e\necho script-ran\n' >"$TREE/bin/needs-bash"
out=$(run "$NSBOOT" -q -D "$TREE" -- needs-bash 2>&1)
is "a COMMAND script whose interpreter is there runs: exit 0" "$?" 0
is "a COMMAND script whose interpreter is there runs" "$out" script-ran

# failed DESC KIND: a Debian KIND tree whose /etc/ssh is empty (a tmpfs over it): ssh's
# start fails and its status check says so; the booted line names it
failed() {
	local kind=$1 tree out=$BOOT_TMP/$1.out
	if ! tree=$("$NSB_SRC/scripts/mkrootfs" "debian-$kind"); then
		not_ok "$kind: build the debian-$kind tree"
		return
	fi
	boot_start "$out" "$NSBOOT" -D "$tree" --console=pipe --tmpfs=/etc/ssh
	if boot_wait_line "$out" '^nsboot: booted in'; then
		like "$kind: the booted line names ssh" "$(cat "$out")" \
			'^nsboot: booted in [0-9]+ ms \(1 service failed: ssh\)$'
	else
		not_ok "$kind: booted is reported"
		diag "$(cat "$out")"
	fi
	like "$kind: the running line comes without --wait-booted" "$(cat "$out")" 'enter it with'
	boot_stop TERM
	is "$kind: without --fail-on-failed-services, SIGTERM: exit 0" "$BOOT_STATUS" 0

	out=$(run "$NSBOOT" -D "$tree" --console=pipe --tmpfs=/etc/ssh --wait-booted \
		--fail-on-failed-services </dev/null 2>&1)
	is "$kind: --fail-on-failed-services: exit 1 after the shutdown" "$?" 1
	like "$kind: --fail-on-failed-services: ssh named" "$out" '\(1 service failed: ssh\)'
	unlike "$kind: --fail-on-failed-services: never announced as running" "$out" 'enter it with'
	like "$kind: --fail-on-failed-services: the tree's shutdown ran" "$out" 'runlevel 0|Stopping periodic command scheduler'
}
if [ "$(id -u)" = 0 ]; then
	failed openrc
	failed sysv
else
	skip "the Debian trees need root (debootstrap, the pick mapping)"
fi
done_testing
