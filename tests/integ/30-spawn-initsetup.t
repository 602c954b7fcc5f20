#!/bin/bash
# The path for an nsboot-init that cannot be exec'd after the pivot (a dynamically linked
# build): nsboot execs it before, with the mount words rebuilt from its options, and GO
# (with the idmapped tree and binds) stays queued for it. NSBOOT_SETUP_IN_INIT=1 takes
# that path with the static init too.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-30init.XXXXXX)
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
NSBOOT=$NSB_BUILD/nsboot
run() { NSBOOT_SETUP_IN_INIT=1 timeout "$GUARD" "$@"; }

out=$(NSBOOT_SETUP_IN_INIT=1 timeout "$GUARD" "$NSBOOT" -v -D "$TREE" -- /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "' 2>&1)
like "the init gets the mount words and no --setup-done" "$out" \
	"^nsboot-init --sync-fd=[0-9]+ -v --directory=$TREE --volatile=overlay --hostname=busybox -- /bin/sh"
for code in 0 42; do
	run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c "exit $code"
	is "exit status $code comes back" "$?" "$code"
done
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'id -u; stat -c "owner %u:%g" /bin/busybox; hostname; cat /proc/self/uid_map' 2>&1)
like "pick: the tree GO carried is idmapped (owned by 0:0 inside)" "$out" '^owner 0:0$'
like "pick: a shifted map" "$out" '^ *0 +[1-9][0-9]+ +65536 *$'
like "the host name is set" "$out" '^busybox$'
mkdir "$TMP/src" && echo hi >"$TMP/src/f" && chown 1000:1000 "$TMP/src/f"
out=$(run "$NSBOOT" -q --bind="$TMP/src:/mnt:idmap" -D "$TREE" -- /bin/stat -c "f %u:%g" /mnt/f 2>&1)
is "an idmapped bind reaches the init's root" "$out" "f 1000:1000"
out=$(run "$NSBOOT" -q --bind=/nonexistent-src:/mnt -D "$TREE" -- /bin/true 2>&1)
is "a setup error: exit 125" "$?" 125
like "...named" "$out" "/nonexistent-src.*No such file or directory"
is "...in one line (the init's own)" "$(printf '%s\n' "$out" | grep -c .)" 1
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'ls /proc/$$/fd; :' 7>/dev/null 2>&1)
is "the command sees fds 0 1 2 only" "$(printf '%s\n' "$out" | tr '\n' ' ')" "0 1 2 "
done_testing
