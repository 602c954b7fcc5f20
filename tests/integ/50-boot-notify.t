#!/bin/bash
# "Booted" readiness: READY=1 on NOTIFY_SOCKET counts only from the boot command's own
# process (a service's does not); the FIFO for plain sh scripts; "nsboot: booted in N ms";
# --wait-booted moves --pid-file and --ready-fd to that moment; the spawner's own
# NOTIFY_SOCKET (systemd's) gets READY=1.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }
# an empty root with the host's programs read-only and the test helpers at /h
HOSTFS=(--tmpfs-root --bind-ro=/usr:/usr --bind-ro=/usr/bin:/bin --bind-ro=/usr/lib:/lib
	--bind-ro=/usr/lib64:/lib64 --bind-ro=/usr/sbin:/sbin --bind-ro="$NSB_BUILD/tests/helpers:/h"
	--console=pipe)
OUT=$BOOT_TMP/out
# waits for the file /run/go inside, which the test makes through nsenter
WAIT_GO='while [ ! -e /run/go ]; do sleep 0.05; done'
go() { run nsenter -a -t "$(boot_cpid "$OUT")" /bin/touch /run/go; }

# 1. a service's READY=1 is ignored; the boot command's own counts
boot_start "$OUT" "$NSBOOT" -v "${HOSTFS[@]}" -- /bin/sh -c "
	echo \"socket: \$NOTIFY_SOCKET\"
	/h/boot-notify READY=1 && echo 'a child sent READY=1'
	$WAIT_GO
	exec /h/boot-notify --stay READY=1"
like "NOTIFY_SOCKET is /run/nsboot/notify inside" "$(boot_wait_line "$OUT" '^socket:'; cat "$OUT")" '^socket: /run/nsboot/notify$'
if boot_wait_line "$OUT" 'READY=1 from pid [0-9]+ ignored'; then
	ok "READY=1 from another process is ignored (said with -v)"
else
	not_ok "READY=1 from another process is ignored (said with -v)"
	diag "$(cat "$OUT")"
fi
unlike "no booted line after a service's READY=1" "$(cat "$OUT")" 'booted in'
go
if boot_wait_line "$OUT" '^nsboot: booted in [0-9]+ ms$'; then ok "READY=1 from the boot command: booted"; else not_ok "READY=1 from the boot command: booted"; diag "$(cat "$OUT")"; fi
boot_stop TERM
is "the boot command's clean exit on SIGTERM is nsboot's" "$BOOT_STATUS" 0

# 2. the FIFO, for plain sh scripts; a wrong line does not count
boot_start "$OUT" "$NSBOOT" "${HOSTFS[@]}" -- /bin/sh -c "
	[ -p /run/nsboot/ready ] && echo 'the FIFO is there'
	echo READY=0 >/run/nsboot/ready
	echo 'wrote READY=0'
	$WAIT_GO
	echo READY=1 >/run/nsboot/ready
	exec sleep 1000"
boot_wait_line "$OUT" 'enter it with'
like "the readiness FIFO exists" "$(boot_wait_line "$OUT" 'FIFO is there'; cat "$OUT")" 'the FIFO is there'
boot_wait_line "$OUT" 'wrote READY=0'
sleep 0.2
unlike "READY=0 does not count" "$(cat "$OUT")" 'booted in'
go
if boot_wait_line "$OUT" '^nsboot: booted in'; then ok "READY=1 on the FIFO: booted"; else not_ok "READY=1 on the FIFO: booted"; diag "$(cat "$OUT")"; fi
boot_stop TERM
is "SIGTERM kills sleep: 128+15" "$BOOT_STATUS" 143

# 3. --wait-booted: the pid file and the ready fd at BOOTED, not at READY
rm -f "$BOOT_TMP/pid"
exec 3>"$BOOT_TMP/readyfd"
boot_start "$OUT" "$NSBOOT" -v --wait-booted --pid-file="$BOOT_TMP/pid" --ready-fd=3 "${HOSTFS[@]}" -- \
	/bin/sh -c "$WAIT_GO; echo READY=1 >/run/nsboot/ready; exec sleep 1000"
exec 3>&-
boot_wait_line "$OUT" 'started /bin/sh'
unlike "--wait-booted: no hint before BOOTED" "$(cat "$OUT")" 'enter it with'
check "--wait-booted: no pid file before BOOTED" test ! -e "$BOOT_TMP/pid"
is "--wait-booted: nothing on the ready fd before BOOTED" "$(cat "$BOOT_TMP/readyfd")" ""
cpid=$(pgrep -P "$(pgrep -P "$BOOT_PID" | head -n 1)" | head -n 1)
run nsenter -a -t "$cpid" /bin/touch /run/go
boot_wait_line "$OUT" '^nsboot: booted in'
boot_wait_line "$OUT" 'enter it with'
for _ in $(seq 1 100); do [ -s "$BOOT_TMP/readyfd" ] && break; sleep 0.05; done
is "--wait-booted: the pid file holds PID 1's host pid" "$(cat "$BOOT_TMP/pid" 2>/dev/null)" "$cpid"
is "--wait-booted: the ready fd got the pid line" "$(cat "$BOOT_TMP/readyfd")" "$cpid"
boot_stop TERM
check "the pid file is removed at exit" test ! -e "$BOOT_TMP/pid"

# 4. under systemd (Type=notify): the spawner's own NOTIFY_SOCKET gets READY=1; the
# container does not see the spawner's socket
"$NSB_BUILD/tests/helpers/boot-notify" --listen "$BOOT_TMP/sd.sock" "$GUARD" >"$BOOT_TMP/sd.out" 2>&1 &
listener=$!
for _ in $(seq 1 100); do [ -S "$BOOT_TMP/sd.sock" ] && break; sleep 0.02; done
out=$(NOTIFY_SOCKET=$BOOT_TMP/sd.sock run "$NSBOOT" -q "${HOSTFS[@]}" -- /bin/sh -c 'echo "inside: $NOTIFY_SOCKET"' 2>&1)
wait "$listener"
is "the spawner's NOTIFY_SOCKET got READY=1" "$(cat "$BOOT_TMP/sd.out")" "READY=1"
is "the container has its own NOTIFY_SOCKET" "$out" "inside: /run/nsboot/notify"
done_testing
