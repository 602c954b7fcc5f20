#!/bin/bash
# scripts/mkrootfs keeps its trees in a private cache: the folder is 0700 after every run,
# also when it was wider before (said on stderr), and one not owned by the caller is
# refused. The subid tree is cached per owner (debian-openrc-subid-UID-GID), rebuilt for
# another base, and mkrootfs says whether it reused or built it. A scratch cache
# ($NSBOOT_CACHE) with the busybox tree, and a stand-in for the Debian OpenRC tree (a copy
# of the busybox tree marked complete): no debootstrap here.
source "$NSB_SRC/tests/integ/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (the subid tree is shifted with chown)"
	done_testing
fi
TMP=$(mktemp -d /tmp/nsb-90cache.XXXXXX)
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
MK=$NSB_SRC/scripts/mkrootfs
C=$TMP/cache
# mk ARGS...: mkrootfs ARGS with the scratch cache; sets OUT (stdout), ERR (stderr) and RC
mk() { OUT=$(NSBOOT_CACHE=$C timeout "$GUARD" "$MK" "$@" 2>"$TMP/err"); RC=$?; ERR=$(cat "$TMP/err"); }

mk busybox
is "busybox in a new cache: exit 0" "$RC" 0
is "busybox: the tree's path" "$OUT" "$C/busybox"
check "busybox: built" test -x "$C/busybox/bin/busybox"
is "a new cache folder is 0700" "$(stat -c %a "$C")" 700
err=$(as_nobody ls "$C" 2>&1)
like "nobody cannot list it" "$err" 'Permission denied'

chmod 755 "$C"
mk busybox
is "a 0755 cache: exit 0" "$RC" 0
is "a 0755 cache is 0700 again" "$(stat -c %a "$C")" 700
like "... and mkrootfs said so on stderr" "$ERR" "^mkrootfs: $C: mode 755 made 700"
chmod 777 "$C"
mk busybox
is "a 0777 cache is 0700 again" "$(stat -c %a "$C")" 700
mk busybox
is "a 0700 cache: nothing said" "$ERR" ""

mkdir -m 700 "$TMP/foreign" && chown 65534:65534 "$TMP/foreign"
OUT=$(NSBOOT_CACHE=$TMP/foreign timeout "$GUARD" "$MK" busybox 2>&1); RC=$?
is "a cache folder owned by another user: exit 1" "$RC" 1
like "... refused, naming it and its owner" "$OUT" "^mkrootfs: $TMP/foreign: owned by uid 65534"
check "... and nothing built there" test ! -e "$TMP/foreign/busybox"

# the subid tree, per owner, from a stand-in debian-openrc
cp -a "$C/busybox" "$C/debian-openrc"
mk debian-openrc-subid
is "subid (default owner 65534:65534): exit 0" "$RC" 0
is "subid: keyed on the owner" "$OUT" "$C/debian-openrc-subid-65534-65534"
like "subid: mkrootfs says it built it" "$ERR" '^mkrootfs: building debian-openrc-subid-65534-65534 \(owner 65534:65534, base 100000\)'
is "subid: container 0 is the owner" "$(stat -c %u:%g "$OUT" 2>&1)" 65534:65534
is "subid: its marker" "$(cat "$OUT/.nsboot-subid-base" 2>&1)" "65534:65534 100000"
is "the cache is still 0700" "$(stat -c %a "$C")" 700
mk debian-openrc-subid
is "subid again: the same tree" "$OUT" "$C/debian-openrc-subid-65534-65534"
like "subid again: mkrootfs says it reused it" "$ERR" '^mkrootfs: reusing the cached debian-openrc-subid-65534-65534 \(owner 65534:65534, base 100000\)'
NSBOOT_SUBID_OWNER=1000:1001 mk debian-openrc-subid
is "subid for a second owner: its own tree" "$OUT" "$C/debian-openrc-subid-1000-1001"
like "subid for a second owner: built" "$ERR" '^mkrootfs: building debian-openrc-subid-1000-1001 \(owner 1000:1001, base 100000\)'
is "subid for a second owner: container 0 is that owner" "$(stat -c %u:%g "$OUT" 2>&1)" 1000:1001
is "subid: the first owner's tree is still there, still its own" \
	"$(stat -c %u:%g "$C/debian-openrc-subid-65534-65534" 2>&1)" 65534:65534
NSBOOT_SUBID_BASE=200000 mk debian-openrc-subid
like "subid for another base: rebuilt, saying why" "$ERR" \
	'^mkrootfs: building debian-openrc-subid-65534-65534 \(owner 65534:65534, base 200000\).*made for 65534:65534 100000'
is "subid for another base: its marker" "$(cat "$C/debian-openrc-subid-65534-65534/.nsboot-subid-base" 2>&1)" \
	"65534:65534 200000"
chown 1234:1234 "$C/debian-openrc-subid-65534-65534"
NSBOOT_SUBID_BASE=200000 mk debian-openrc-subid
like "subid whose tree was chowned since: rebuilt, saying why" "$ERR" \
	'^mkrootfs: building debian-openrc-subid-65534-65534 .*owned by 1234:1234 on disk'
is "... container 0 is the owner again" "$(stat -c %u:%g "$OUT" 2>&1)" 65534:65534
NSBOOT_SUBID_OWNER=../x mk debian-openrc-subid
is "an owner that is not UID:GID: exit 1" "$RC" 1
like "... refused, naming the variable" "$ERR" '^mkrootfs: NSBOOT_SUBID_OWNER=\.\./x: '
done_testing
