#!/bin/bash
# The Debian 12 OpenRC tree booted rootless: as nobody, with the subid mapping (a test
# range bind-mounted over /etc/subuid and /etc/subgid in a private mount namespace, never
# the host's files) and a copy of the tree owned by that range
# (scripts/mkrootfs debian-openrc-subid): booted, sshd and cron up, clean shutdown.
source "$NSB_SRC/tests/integ/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root to prepare (debootstrap, the test subid range)"
	done_testing
fi
if [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ] || ! command -v newuidmap >/dev/null; then
	skip "/etc/subuid, /etc/subgid or newuidmap missing"
	done_testing
fi
nsb_pub_init
source "$NSB_SRC/tests/integ/boot-lib.sh"
BASE=100000
if ! TREE=$(NSBOOT_SUBID_BASE=$BASE NSBOOT_SUBID_OWNER=65534:65534 "$NSB_SRC/scripts/mkrootfs" debian-openrc-subid); then
	not_ok "build the debian-openrc-subid tree"
	done_testing
fi
# a cached copy made for another caller or base is made again
if [ "$(cat "$TREE/.nsboot-subid-base" 2>/dev/null)" != "65534:65534 $BASE" ]; then
	TREE=$(NSBOOT_SUBID_BASE=$BASE NSBOOT_SUBID_OWNER=65534:65534 "$NSB_SRC/scripts/mkrootfs" -f debian-openrc-subid)
fi
is "the subid tree was shifted for nobody and base $BASE" "$(cat "$TREE/.nsboot-subid-base")" "65534:65534 $BASE"
echo "nobody:$BASE:65536" >"$BOOT_TMP/subuid"
echo "nogroup:$BASE:65536" >"$BOOT_TMP/subgid"
echo "nobody:$BASE:65536" >>"$BOOT_TMP/subgid"
chmod 644 "$BOOT_TMP/subuid" "$BOOT_TMP/subgid"
cat >"$BOOT_TMP/as-nobody-subid" <<'SH'
#!/bin/sh
# as-nobody-subid CMD...: CMD as nobody, with the test subid ranges over /etc/sub[ug]id
exec unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "${0%/*}/subuid" "${0%/*}/subgid" "$@"
SH
chmod 755 "$BOOT_TMP/as-nobody-subid"
NSBOOT=$NSB_PUB/bin/nsboot debian_boot "$TREE" openrc "$BOOT_TMP/as-nobody-subid"
done_testing
