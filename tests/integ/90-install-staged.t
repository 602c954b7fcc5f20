#!/bin/bash
# `make install` to a DESTDIR, run from there: nsboot finds nsboot-init next to itself, the
# drop lists in ../share/nsboot and nsboot-mount in ../libexec/nsboot, also where the
# staged tree was moved to; NSBOOT_DATADIR and NSBOOT_LIBEXECDIR point elsewhere. Every run
# is in a mount namespace with an empty tmpfs over /usr/local, so that an nsboot installed
# on this machine cannot answer for the staged one.
source "$NSB_SRC/tests/integ/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (a tmpfs over /usr/local in a private mount namespace)"
	done_testing
fi
TMP=$(mktemp -d /tmp/nsb-90install.XXXXXX)
chmod 755 "$TMP" # the drop list is read by the container's mapped root
trap 'rm -rf "$TMP"' EXIT
nsb_pub_init
TREE=$(nsb_pub_tree busybox)
# (-o all: the build is the one under test, never remade here)
out=$(make -s -C "$NSB_SRC" -o all B="$NSB_BUILD" DESTDIR="$TMP/stage" install 2>&1)
is "make install to a DESTDIR: exit 0" "$?" 0
S=$TMP/stage/usr/local
check "nsboot is in BINDIR" test -x "$S/bin/nsboot"
check "nsboot-mount is in LIBEXECDIR" test -x "$S/libexec/nsboot/nsboot-mount"
check "the drop lists are in DATADIR" test -r "$S/share/nsboot/drop-sysv.list"
# hidden RUN...: RUN with an empty /usr/local; prints its output and "rc N"
hidden() {
	timeout "$GUARD" unshare -m sh -c 'mount -t tmpfs -o size=1m nsb-empty /usr/local && exec "$@"' \
		sh "$@" </dev/null 2>&1
	echo "rc $?"
}
# boot_sysv NSBOOT: boots the tree with the sysv preset (its drop list read from DATADIR)
# and stops it with SIGTERM once booted; prints the output and "rc N"
boot_sysv() {
	hidden sh -c '"$1" --boot=sysv -D "$2" >"$3" 2>&1 & p=$!
		while kill -0 $p 2>/dev/null && ! grep -q "booted in" "$3"; do sleep 0.05; done
		kill -TERM $p 2>/dev/null; wait $p; r=$?; cat "$3"; exit $r' sh "$1" "$TREE" "$TMP/out"
}

out=$(hidden "$S/bin/nsboot" -D "$TREE" -- /bin/sh -c 'echo staged-$((6*7))')
like "the staged nsboot boots the busybox tree" "$out" '^staged-42$'
like "... exit 0" "$out" '^rc 0$'
out=$(boot_sysv "$S/bin/nsboot")
like "a preset's drop list is found in the staged DATADIR: booted" "$out" '^nsboot: booted in'
like "... and stopped, exit 0" "$out" '^rc 0$'

mv "$TMP/stage/usr/local" "$TMP/moved"
S=$TMP/moved
out=$(boot_sysv "$S/bin/nsboot")
like "the staged tree moved elsewhere still boots with a preset" "$out" '^nsboot: booted in'
out=$(hidden "$S/bin/nsboot-init" --help)
like "nsboot-init runs from it" "$out" 'nsboot-init'

mv "$S/share/nsboot" "$TMP/lists"
out=$(boot_sysv "$S/bin/nsboot")
like "no DATADIR: the drop list missing is an error naming it" "$out" 'drop-sysv.list: No such file or directory'
like "... exit 125" "$out" '^rc 125$'
out=$(NSBOOT_DATADIR=$TMP/lists boot_sysv "$S/bin/nsboot")
like "NSBOOT_DATADIR names where the drop lists are" "$out" '^nsboot: booted in'

mkdir "$TMP/lone" && cp "$S/bin/nsboot" "$TMP/lone/"
out=$(hidden "$TMP/lone/nsboot" -D "$TREE" -- /bin/true)
like "nsboot without nsboot-init: an error naming where it looked and the variable" "$out" \
	'^nsboot: nsboot-init: not found next to nsboot nor in /usr/local/libexec/nsboot \(NSBOOT_LIBEXECDIR\)'
like "... exit 125" "$out" '^rc 125$'
out=$(NSBOOT_LIBEXECDIR=$S/bin hidden "$TMP/lone/nsboot" -D "$TREE" -- /bin/sh -c 'echo env-libexec-ok')
like "NSBOOT_LIBEXECDIR names where nsboot-init is" "$out" '^env-libexec-ok$'
done_testing
