#!/bin/bash
# --boot=guix:SYSTEM against a small fake Guix system on an empty tmpfs root (as Guix's
# containers run: --tmpfs-root --bind-ro=/gnu/store): the directories Guix's activation
# expects exist, HOME, TMPDIR and GUIX_NEW_SYSTEM are set, SYSTEM/boot runs under
# nsboot-init as PID 1, and its exit status is the container's.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
BB=$(command -v busybox)
# ldd fails on a static program
if [ -z "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
	skip "a static busybox (Debian's busybox-static) is needed as the fake system's shell"
	done_testing
fi
STORE=$BOOT_TMP/store
SYS=/gnu/store/0123456789abcdefghijklmnopqrstuv-system
mkdir -p "$STORE/${SYS#/gnu/store/}" "$STORE/0123-busybox/bin" "$BOOT_TMP/out"
cp "$BB" "$STORE/0123-busybox/bin/busybox"
cat >"$STORE/${SYS#/gnu/store/}/boot" <<SH
#!/gnu/store/0123-busybox/bin/busybox sh
# the fake system's boot: record what it saw, then exit 7
bb=/gnu/store/0123-busybox/bin/busybox
{
	echo "HOME=\$HOME"
	echo "TMPDIR=\$TMPDIR"
	echo "GUIX_NEW_SYSTEM=\$GUIX_NEW_SYSTEM"
	echo "container=\$container"
	echo "pid=\$\$"
	echo "pid1=\$(\$bb tr '\\0' ' ' </proc/1/cmdline)"
	for d in /run /bin /etc /home /var; do [ -d "\$d" ] && echo "dir \$d"; done
} >/out/record
exit 7
SH
chmod 755 "$STORE/${SYS#/gnu/store/}/boot"
chmod -R a+rX "$STORE"
chmod 1777 "$BOOT_TMP/out" # the container's root is not the host's root

out=$(run "$NSBOOT" -q --tmpfs-root --bind-ro="$STORE:/gnu/store" --bind="$BOOT_TMP/out:/out" \
	--boot="guix:$SYS" --console=pipe 2>&1)
is "the container's exit status is SYSTEM/boot's" "$?" 7
[ -z "$out" ] || diag "$out"
rec=$(cat "$BOOT_TMP/out/record" 2>/dev/null)
like "HOME=/root" "$rec" '^HOME=/root$'
like "TMPDIR=/tmp" "$rec" '^TMPDIR=/tmp$'
like "GUIX_NEW_SYSTEM is SYSTEM" "$rec" "^GUIX_NEW_SYSTEM=$SYS\$"
like "the purified environment is kept (container=nsboot)" "$rec" '^container=nsboot$'
like "the boot script is PID 2, under the init" "$rec" '^pid=2$'
like "/proc/1/cmdline is nsboot-init's" "$rec" '^pid1=nsboot-init '
for d in /run /bin /etc /home /var; do
	like "$d was created in the empty root" "$rec" "^dir $d\$"
done

# nsboot-init on its own (another spawner's environment): the preset sets HOME and TMPDIR
# itself; run as PID 1 of a throwaway pid namespace
rm -f "$BOOT_TMP/out/record"
out=$(run unshare -pf --mount-proc env -i HOME=/elsewhere TMPDIR=/var/tmp PATH=/usr/bin:/bin \
	"$NSB_BUILD/nsboot-init" -q --tmpfs-root --bind-ro="$STORE:/gnu/store" \
	--bind="$BOOT_TMP/out:/out" --boot="guix:$SYS" 2>&1)
is "standalone nsboot-init: SYSTEM/boot's status" "$?" 7
[ -z "$out" ] || diag "$out"
rec=$(cat "$BOOT_TMP/out/record" 2>/dev/null)
like "standalone: HOME=/root over the caller's" "$rec" '^HOME=/root$'
like "standalone: TMPDIR=/tmp over the caller's" "$rec" '^TMPDIR=/tmp$'
like "standalone: GUIX_NEW_SYSTEM" "$rec" "^GUIX_NEW_SYSTEM=$SYS\$"

# the store path must be absolute
out=$(run "$NSBOOT" -q --tmpfs-root --boot=guix:relative/system 2>&1)
is "guix:RELATIVE: exit 125" "$?" 125
like "guix:RELATIVE: the error names --boot" "$out" 'guix:relative/system'
done_testing
