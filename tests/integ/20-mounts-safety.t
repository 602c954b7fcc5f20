#!/bin/bash
# Mount safety: hostile symlinks in a writable tree never lead a mount or a mkdir
# outside it; with the caller's / shared nothing propagates out; every failure exits 125
# naming the culprit and leaves the caller's mount table as it was.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init

TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
W=$(mktemp -d /tmp/nsb-mnt-safety.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W" "$NSB_PUB"' EXIT
TAG=nsb-escape-$$
mntpoints() { printf '%s\n' "$OUT" | awk '$4 ~ /^\// && $5 ~ /^\// { print $5 }'; }

# run ARGS...: nsboot-init standalone as root in throwaway namespaces; OUT, RC; checks
# that the caller's mount table is unchanged afterwards.
run() {
	local before
	before=$(cat /proc/self/mountinfo)
	OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" "$@" 2>&1)
	RC=$?
	is "... the caller's mount table is unchanged" "$(cat /proc/self/mountinfo)" "$before"
}

# --- hostile symlinks in a writable copy of the tree ---
COPY=$W/copy
cp -a "$TREE" "$COPY"
ln -s / "$COPY/opt"
ln -s ../../../../../.. "$COPY/up"
rm -rf "$COPY/var/run"
ln -s /run "$COPY/var/run"
ln -s "/$TAG-dangling/file" "$COPY/etc/nsb-dangling"
printf 'tmpfs /opt/%s-fstab tmpfs defaults 0 0\n' "$TAG" > "$W/fstab"
mkdir -p "$W/src"
echo src > "$W/src/f"
run -D "$COPY" --writable --tmpfs="/opt/$TAG" --bind="$W/src:/up/$TAG-bind" \
	--tmpfs=/var/run/nsblock --bind-ro="$W/src/f:/etc/nsb-dangling" --fstab="$W/fstab" \
	-- /bin/sh -c "cat /proc/self/mountinfo; cat /$TAG-bind/f"
is "hostile links: exit status" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
for p in "/$TAG" "/$TAG-bind" "/$TAG-fstab" "/$TAG-dangling"; do
	check "hostile links: nothing made on the host at $p" test ! -e "$p"
done
like "hostile links: /opt -> / mounted at the tree's own /" "$(mntpoints)" "^/$TAG\$"
like "hostile links: a relative climb stays in the tree" "$(mntpoints)" "^/$TAG-bind\$"
like "hostile links: ... with the source bound" "$OUT" $'\nsrc$'
like "hostile links: an fstab target through /opt stays in the tree" "$(mntpoints)" "^/$TAG-fstab\$"
check "hostile links: mount points were made in the writable tree" test -d "$COPY/$TAG" -a -d "$COPY/$TAG-bind" -a -d "$COPY/$TAG-fstab"
like "Debian's /var/run -> /run is followed inside" "$(mntpoints)" '^/run/nsblock$'
like "a dangling absolute link is made inside the tree" "$(mntpoints)" "^/$TAG-dangling/file\$"
check "... in the tree, not on the host" test -f "$COPY/$TAG-dangling/file"

# --- the caller's / shared: nothing propagates out ---
# A throwaway mount namespace with a shared /, nsboot-init run from it in a pid namespace
# only (no unshare -m, whose private propagation would hide a mistake): the init's own
# namespace must be a recursive slave before anything is mounted.
OUT=$(cd / && timeout "$GUARD" unshare -m --propagation shared bash -c '
	before=$(cat /proc/self/mountinfo)
	unshare -pf --kill-child "$0" -D "$1" --tmpfs=/nsb-prop -- /bin/true
	rc=$?
	after=$(cat /proc/self/mountinfo)
	echo "rc=$rc"
	[ "$before" = "$after" ] && echo SAME || { echo CHANGED; diff <(echo "$before") <(echo "$after"); }
	grep -c " shared:" /proc/self/mountinfo | sed "s/^/shared=/"' "$NSB_BUILD/nsboot-init" "$TREE" 2>&1)
like "shared /: the container ran" "$OUT" 'rc=0'
like "shared /: the caller really had shared mounts" "$OUT" 'shared=[1-9]'
like "shared /: nothing propagated out" "$OUT" 'SAME'
[[ "$OUT" == *SAME* ]] || diag "$OUT"

# --- failures: 125, one line naming the culprit ---
printf 'tmpfs /ok tmpfs defaults 0 0\nbroken-line-without-target\n' > "$W/bad.fstab"
touch "$W/afile"
run -D "$TREE" --bind=/nonexistent:/mnt -- /bin/true
is "bad bind source: 125" "$RC" 125
is "bad bind source: message" "$OUT" "nsboot-init: mount: bind /nonexistent -> /mnt: No such file or directory"
run -D "$TREE" --fstab="$W/bad.fstab" -- /bin/true
is "bad fstab line: 125" "$RC" 125
is "bad fstab line: message with the line number" "$OUT" "nsboot-init: fstab: $W/bad.fstab:2: malformed line"
run -D "$TREE" --fstab=/nonexistent.fstab -- /bin/true
is "missing fstab: 125" "$RC" 125
is "missing fstab: message" "$OUT" "nsboot-init: fstab: /nonexistent.fstab: No such file or directory"
run -D /nonexistent-tree -- /bin/true
is "missing TREE: 125" "$RC" 125
is "missing TREE: message" "$OUT" "nsboot-init: tree: /nonexistent-tree: No such file or directory"
run -D "$W/afile" -- /bin/true
is "TREE not a directory: 125" "$RC" 125
is "TREE not a directory: message" "$OUT" "nsboot-init: tree: $W/afile: Not a directory"
run -D "$TREE" --overlay=/nonexistent-lower:/ov -- /bin/true
is "bad overlay lower: 125" "$RC" 125
is "bad overlay lower: message" "$OUT" "nsboot-init: mount: overlay /nonexistent-lower -> /ov: /nonexistent-lower: No such file or directory"
run -D "$TREE" --tmpfs=/nsb-t:bogus-option=1 -- /bin/true
is "bad tmpfs option: 125" "$RC" 125
is "bad tmpfs option: message names the mount and errno" "$OUT" "nsboot-init: mount: tmpfs -> /nsb-t: Invalid argument"
run -D "$TREE" --drop-services=/nonexistent.list -- /bin/true
is "missing drop list: 125" "$RC" 125
like "missing drop list: message" "$OUT" '^nsboot-init: drop-services: /nonexistent.list: No such file or directory$'

# a failure after the staging pivot puts the caller back on its own root (a standalone
# init's root moves with the helper's)
OUT=$(cd / && timeout "$GUARD" unshare -m sh -c '"$0" -D "$1" --bind=/nonexistent:/mnt -- /bin/true; echo "rc=$?"; test -e "$2" && echo BACK; grep -c " /oldroot" /proc/self/mountinfo' \
	"$NSB_BUILD/nsboot-mount" "$TREE" "$NSB_SRC/Makefile" 2>&1)
like "nsboot-mount failure: 125" "$OUT" 'rc=125'
like "nsboot-mount failure: the caller is back on its own root" "$OUT" 'BACK'
like "nsboot-mount failure: the staging root is detached" "$OUT" $'\n0$'

# with a spawner's channel, nsboot-mount also reports the failure as an ERROR record
OUT=$(cd / && timeout "$GUARD" unshare -m "$NSB_BUILD/tests/helpers/mnt-sync" "$NSB_BUILD/nsboot-mount" SYNCFD -D "$TREE" --bind=/nonexistent:/mnt 2>/dev/null)
like "nsboot-mount --sync-fd: 125" "$OUT" '^rc=125$'
like "nsboot-mount --sync-fd: an ERROR record with phase and message" "$OUT" '^E mount: bind /nonexistent -> /mnt: No such file or directory$'
OUT=$(cd / && timeout "$GUARD" unshare -m "$NSB_BUILD/tests/helpers/mnt-sync" "$NSB_BUILD/nsboot-mount" SYNCFD -D "$TREE" 2>/dev/null)
is "nsboot-mount --sync-fd: nothing on the channel on success" "$OUT" "rc=0"
done_testing
