#!/bin/bash
# The Debian 12 OpenRC tree booted rootless: as nobody, with the subid mapping (a test
# range bind-mounted over /etc/subuid and /etc/subgid in a private mount namespace, never
# the host's files) and a copy of the tree owned by that range
# (scripts/mkrootfs debian-openrc-subid, cached for nobody): booted, sshd and cron up,
# clean shutdown. The tree cache is private (0700): nobody gets the tree bound at a path
# of its own in that same private mount namespace.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_need_subid_prep
nsb_pub_init
source "$NSB_SRC/tests/integ/boot-lib.sh"
BASE=100000
# (mkrootfs builds it again when the cached one was made for another base)
if ! TREE=$(NSBOOT_SUBID_BASE=$BASE NSBOOT_SUBID_OWNER=65534:65534 "$NSB_SRC/scripts/mkrootfs" debian-openrc-subid); then
	not_ok "build the debian-openrc-subid tree"
	done_testing
fi
is "the subid tree was shifted for nobody and base $BASE" "$(cat "$TREE/.nsboot-subid-base")" "65534:65534 $BASE"
# where nobody sees the tree: an empty folder here, TREE once the runner has bound it
mkdir -m 755 "$BOOT_TMP/tree"
echo "$TREE" >"$BOOT_TMP/tree-src"
echo "nobody:$BASE:65536" >"$BOOT_TMP/subuid"
echo "nogroup:$BASE:65536" >"$BOOT_TMP/subgid"
echo "nobody:$BASE:65536" >>"$BOOT_TMP/subgid"
chmod 644 "$BOOT_TMP/subuid" "$BOOT_TMP/subgid"
cat >"$BOOT_TMP/as-nobody-subid" <<'SH'
#!/bin/sh
# as-nobody-subid CMD...: CMD as nobody in a private mount namespace, with the test subid
# ranges over /etc/sub[ug]id and the tree (named in tree-src) bound on the folder tree
d=${0%/*}
exec unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid &&
	mount --bind "$3" "$4" && shift 4 &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$d/subuid" "$d/subgid" \
	"$(cat "$d/tree-src")" "$d/tree" "$@"
SH
chmod 755 "$BOOT_TMP/as-nobody-subid"
check "nobody cannot reach the tree in the cache" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$1/etc/os-release"' sh "$TREE"
NSBOOT=$NSB_PUB/bin/nsboot BOOT_TREE_AS=$BOOT_TMP/tree debian_boot "$TREE" openrc "$BOOT_TMP/as-nobody-subid"
done_testing
