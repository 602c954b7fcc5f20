#!/bin/bash
# What runs inside: exit statuses through the spawner, the purified environment (PID 1's
# too), only fds 0, 1, 2, the host name, lo up in the private network.
source "$NSB_SRC/tests/integ/lib.sh"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
NSBOOT=$NSB_BUILD/nsboot
run() { timeout "$GUARD" "$@"; }

# exit statuses come back as they are
for code in 0 1 42 255; do
	run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c "exit $code"
	is "exit status $code comes back" "$?" "$code"
done
run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'kill -KILL $$'
is "a command killed by SIGKILL gives 128+9" "$?" 137
run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'kill -USR1 $$'
is "a command killed by SIGUSR1 gives 128+10" "$?" 138
run "$NSBOOT" -q -D "$TREE" -- /etc/nsboot-marker 2>/dev/null
is "a command that is not executable gives 126" "$?" 126
run "$NSBOOT" -q -D "$TREE" -- /no/such/command 2>/dev/null
is "a command that does not exist gives 127" "$?" 127

# the environment: only the purified one, PID 1's included
out=$(env -i FOO=leak TERM=vt100 LD_PRELOAD= "$NSBOOT" -q --setenv=A=1 --setenv=HOME=/home/a -D "$TREE" -- \
	/bin/sh -c 'echo "pid1: $(tr "\0" " " </proc/1/environ)"; echo "cmd: $(tr "\0" " " </proc/$$/environ)"' 2>&1)
like "/proc/1/environ holds container=nsboot" "$out" '^pid1: .*container=nsboot'
is "PID 1's environment is exactly the purified one" "$(printf '%s\n' "$out" | sed -n 's/^pid1: //p')" \
	"container=nsboot HOME=/home/a TMPDIR=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=vt100 A=1 "
# (the init adds NOTIFY_SOCKET for the boot command: booted readiness)
nonotify() { sed 's| NOTIFY_SOCKET=/run/nsboot/notify | |'; }
is "the command's environment is the same (plus the init's NOTIFY_SOCKET)" "$(printf '%s\n' "$out" | sed -n 's/^cmd: //p' | nonotify)" \
	"container=nsboot HOME=/home/a TMPDIR=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=vt100 A=1 "
out=$(env -i "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'cat /proc/$$/environ | tr "\0" " "' 2>&1 | nonotify)
is "without TERM there is no TERM" "$out" "container=nsboot HOME=/root TMPDIR=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "

# only fds 0, 1, 2 reach the command (and PID 1 holds none of the caller's extra fds)
# ("; :" keeps the shell from exec'ing ls; no command substitution: its pipe is an fd)
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'ls /proc/$$/fd; :' 3</etc/hostname 7>/dev/null 9<"$TREE/etc/passwd" 2>&1)
is "the command sees fds 0 1 2 only" "$(printf '%s\n' "$out" | tr '\n' ' ')" "0 1 2 "
marker=$(mktemp /tmp/nsb-30run-fd.XXXXXX)
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'ls -l /proc/1/fd' 7>"$marker" 9<"$TREE/etc/passwd" 2>&1)
rm -f "$marker"
unlike "PID 1 holds none of the caller's extra fds" "$out" "nsb-30run-fd|etc/passwd"

# every namespace is new (net too unless --network=host)
nslist="user mnt pid ipc uts cgroup time net"
inside=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c "for n in $nslist; do echo \$n \$(readlink /proc/1/ns/\$n); done" 2>&1)
for n in $nslist; do
	in=$(printf '%s\n' "$inside" | sed -n "s/^$n //p")
	check "the $n namespace is the container's own ($in)" [ -n "$in" -a "$in" != "$(readlink /proc/self/ns/$n)" ]
done
in=$(run "$NSBOOT" -q --network=host -D "$TREE" -- /bin/readlink /proc/1/ns/net 2>&1)
is "--network=host: the host's net namespace" "$in" "$(readlink /proc/self/ns/net)"

# host name: TREE's directory name, or --hostname; lo up in the private network
is "the host name defaults to TREE's name" "$(run "$NSBOOT" -q -D "$TREE" -- /bin/hostname 2>&1)" "$(basename "$TREE")"
out=$(run "$NSBOOT" -q --hostname=box42 -D "$TREE" -- /bin/sh -c 'hostname; cat /etc/hostname' 2>&1)
is "--hostname sets the host name and /etc/hostname" "$out" "box42
box42"
out=$(run "$NSBOOT" -q -D "$TREE" -- /bin/sh -c 'cat /sys/class/net/lo/operstate /sys/class/net/lo/flags; ls /sys/class/net' 2>&1)
like "lo is up in the private network" "$out" '^0x[0-9a-f]*9$'
is "the private network has lo only" "$(printf '%s\n' "$out" | tail -n +3 | tr '\n' ' ')" "lo "
# The private net namespace is made by the container's init while the builder builds the
# root, and the builder joins it for sysfs: on two CPUs or one, lo is up, sysfs shows that
# namespace (lo only), and no pid of the container is spent on it (the command is PID 2).
if command -v taskset >/dev/null; then
	for cpus in all 0; do
		pre=(); [ "$cpus" = all ] || pre=(taskset -c "$cpus")
		out=$(run "${pre[@]}" "$NSBOOT" -v -D "$TREE" -- /bin/sh -c \
			'cat /sys/class/net/lo/flags; ls /sys/class/net; echo "pid $$"' 2>&1)
		is "cpus $cpus: lo up, lo only in sysfs, the command is PID 2" \
			"$(printf '%s\n' "$out" | grep -v '^nsboot' | sed 's/^0x[0-9a-f]*9$/up/' | tr -s ' \n' ' ')" \
			"up lo pid 2 "
	done
else
	skip "taskset (util-linux) is not installed"
fi
# Root without CAP_SYS_PTRACE (a container's default set): the builder is not dumpable once
# it took uid 0 of its namespace, and its own child's /proc files (id maps, namespaces)
# would then be out of its reach: it makes itself dumpable again
if setpriv --bounding-set=-sys_ptrace true 2>/dev/null; then
	fails=0
	for _ in 1 2 3 4 5; do
		out=$(run setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace "$NSBOOT" -q -D "$TREE" -- \
			/bin/sh -c 'grep CapBnd /proc/1/status; ls /sys/class/net' 2>&1) || fails=$((fails + 1))
	done
	is "root without CAP_SYS_PTRACE: five starts, none failed" "$fails" 0
	like "...and the container has its own network" "$out" '^lo$'
else
	skip "setpriv cannot drop CAP_SYS_PTRACE here"
	skip "setpriv cannot drop CAP_SYS_PTRACE here"
fi
host_ifs=$(ls /sys/class/net | tr '\n' ' ')
out=$(run "$NSBOOT" -q --network=host -D "$TREE" -- /bin/ls /sys/class/net 2>&1 | tr '\n' ' ')
is "--network=host shares the host's interfaces" "$out" "$host_ifs"
done_testing
