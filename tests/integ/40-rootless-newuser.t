#!/bin/bash
# The rootless path as a new user would follow it: a user made by useradd (its
# /etc/subuid and /etc/subgid lines made by useradd too), logged in with su - (no
# XDG_RUNTIME_DIR without a logind session), builds the busybox tree in its own cache,
# boots it with the default mapping (subid: it has a range and Debian's uidmap), runs the
# pid-file and nsenter lines with the pid file in ${XDG_RUNTIME_DIR:-$HOME}, and boots a
# Debian OpenRC tree shifted for it by root (scripts/mkrootfs debian-openrc-subid with its
# owner and base: skipped when the debian-openrc tree is not cached). The user lives in a copy of /etc bound over /etc in
# private mount namespaces (with an empty /home): the host's files are never written.
source "$NSB_SRC/tests/integ/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (useradd, the private /etc)"
	done_testing
fi
if ! command -v useradd >/dev/null || ! command -v newuidmap >/dev/null || ! command -v su >/dev/null; then
	skip "useradd, su or newuidmap (Debian's uidmap) missing"
	done_testing
fi
nsb_pub_init
TMP=$(mktemp -d /tmp/nsb-40newuser.XXXXXX)
chmod 755 "$TMP"
U=nsbfresh
UID_=59001
nsb_at_exit 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP" "/var/cache/nsboot/debian-openrc-subid-$UID_-$UID_"'
cp -a /etc "$TMP/etc"
touch "$TMP/etc/subuid" "$TMP/etc/subgid"
mkdir -m 755 "$TMP/home"
# what the user runs, readable by it: mkrootfs (with the data it copies) and nsboot
mkdir -p "$TMP/src/scripts" && cp -a "$NSB_SRC/scripts/mkrootfs" "$TMP/src/scripts/" &&
	cp -a "$NSB_SRC/data" "$TMP/src/data" && chmod -R a+rX "$TMP/src"
NSBOOT=$NSB_PUB/bin/nsboot
cat >"$TMP/in-ns" <<'SH'
#!/bin/sh
# in-ns CMD...: CMD with the test's /etc and /home, in a private mount namespace
d=${0%/*}
exec unshare -m sh -c 'mount --bind "$1/etc" /etc && mount --bind "$1/home" /home && shift && exec "$@"' sh "$d" "$@"
SH
chmod 755 "$TMP/in-ns"
# as_user SCRIPT: SCRIPT run by the new user's login shell (su -), in the private /etc
as_user() { timeout "$GUARD" "$TMP/in-ns" su - "$U" -c "$1" </dev/null 2>&1; }

"$TMP/in-ns" useradd -m -u "$UID_" -U -s /bin/sh "$U"
is "useradd made the user" "$?" 0
line=$(grep "^$U:" "$TMP/etc/subuid")
like "useradd gave it an /etc/subuid range" "$line" "^$U:[0-9]+:65536$"
START=$(echo "$line" | cut -d: -f2)
is "... and the same /etc/subgid range" "$(grep "^$U:" "$TMP/etc/subgid")" "$line"
# (unset without a logind session, as here; a logind machine may set it)
XDG=$(as_user 'echo "${XDG_RUNTIME_DIR:-}"')

T=$(as_user "$TMP/src/scripts/mkrootfs busybox")
is "the user builds the busybox tree in its own cache" "$T" "/home/$U/.cache/nsboot/busybox"
out=$(as_user "$NSBOOT -q -D ~/.cache/nsboot/busybox -- /bin/cat /proc/self/uid_map")
like "its default boot uses its subid range" "$out" '^ *1 +1 +65536 *$'

# the pid file and nsenter lines, with the pid file where the user can write
out=$(as_user "$NSBOOT --private-users=single --pid-file=\${XDG_RUNTIME_DIR:-\$HOME}/c.pid -D ~/.cache/nsboot/busybox -- sleep 1d & p=\$!
	for i in \$(seq 100); do [ -s \${XDG_RUNTIME_DIR:-\$HOME}/c.pid ] && break; sleep 0.1; done
	setsid -w nsenter -a --preserve-credentials -t \"\$(cat \${XDG_RUNTIME_DIR:-\$HOME}/c.pid)\" /bin/sh -c id </dev/null 2>&1 | cat
	kill \$p; wait \$p")
like "the pid file in \${XDG_RUNTIME_DIR:-\$HOME}, then nsenter: root inside" "$out" '^uid=0\(root\) gid=0\(root\)'
if [ -z "$XDG" ]; then
	out=$(as_user "$NSBOOT --private-users=single --pid-file=\$XDG_RUNTIME_DIR/c.pid -D ~/.cache/nsboot/busybox -- true")
	like "a pid file in an unset XDG_RUNTIME_DIR: refused, naming the folder" "$out" '^nsboot: --pid-file=/c.pid: /: Permission denied'
else
	skip "su - set XDG_RUNTIME_DIR=$XDG (a logind session)"
fi

# a Debian OpenRC tree shifted for the user by root, as the man page's example goes
if [ -e /var/cache/nsboot/debian-openrc/.nsboot-complete ]; then
	source "$NSB_SRC/tests/integ/boot-lib.sh"
	src=$(NSBOOT_SUBID_OWNER=$UID_:$UID_ NSBOOT_SUBID_BASE=$START "$NSB_SRC/scripts/mkrootfs" debian-openrc-subid 2>"$TMP/mk.err")
	like "root builds its subid tree, saying so" "$(cat "$TMP/mk.err")" \
		"^mkrootfs: building debian-openrc-subid-$UID_-$UID_ \\(owner $UID_:$UID_, base $START\\)"
	as_user 'mkdir -p ~/trees' >/dev/null
	cp -a "$src" "$TMP/home/$U/trees/debian-openrc"
	as_user "$NSBOOT --console=pipe -D ~/trees/debian-openrc" >"$TMP/boot.out" &
	BOOT_PID=$!
	if boot_wait_line "$TMP/boot.out" '^nsboot: booted in [0-9]+ ms'; then ok "the user's Debian OpenRC tree booted"; else not_ok "the user's Debian OpenRC tree booted"; diag "$(cat "$TMP/boot.out")"; fi
	unlike "... without a failure line" "$(cat "$TMP/boot.out")" "$BOOT_FAILURES"
	like "... with the subid hint" "$(cat "$TMP/boot.out")" 'enter it with: nsenter -a -t [0-9]+'
	hint=$(boot_hint "$TMP/boot.out")
	ps=$(as_user "setsid -w $hint ps -eo args= </dev/null 2>&1 | cat")
	like "... its sshd runs" "$ps" 'sshd'
	kill -TERM "$(pgrep -u "$UID_" -x nsboot | head -1)"
	wait "$BOOT_PID"
	is "... SIGTERM stops it: exit 0" "$?" 0
	like "... in order" "$(cat "$TMP/boot.out")" 'Stopping OpenBSD Secure Shell server'
else
	for _ in 1 2 3 4 5 6 7; do skip "the debian-openrc tree is not cached (scripts/mkrootfs debian-openrc)"; done
fi
done_testing
