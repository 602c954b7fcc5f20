#!/bin/bash
# No terminal of the caller inside: with --console=pipe and stdin on the caller's terminal
# (script(1) provides one), the container's command cannot push input into it with TIOCSTI,
# neither itself nor through PID 1 (ptrace register injection; PID 1 also must have no
# controlling terminal), whether nsboot runs in the terminal's foreground or in the
# background of a job-control shell; and after a foreground run the caller's process group
# is the terminal's foreground group again and the terminal's modes are unchanged, also
# when the command changed them and when nsboot fails (125). In every mapping
# (security-lib.sh).
source "$NSB_SRC/tests/integ/lib.sh"
if ! command -v script >/dev/null; then
	skip "script(1) is not installed"
	done_testing
fi
source "$NSB_SRC/tests/integ/security-lib.sh"
# script(1) runs its command with $SHELL -c; dash keeps the command in its own process group
# (see 10-init-tty.t), and timeout --foreground stays in it.
export SHELL=/bin/sh

# TIOCSTI needs, without CAP_SYS_ADMIN of the initial namespace, the terminal to be the
# caller's controlling terminal, and the legacy switch on: with it off, the kernel refuses
# TIOCSTI to everyone and these checks would pass for nothing.
LEGACY=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo absent)
diag "dev.tty.legacy_tiocsti = $LEGACY"
TIOCSTI_OFF=
[ "$LEGACY" = 0 ] && TIOCSTI_OFF="dev.tty.legacy_tiocsti is 0: the kernel refuses TIOCSTI to every unprivileged caller, whatever nsboot does"

# pty-run fg|bg PENDING CMD...: what script(1) runs on its fresh terminal: CMD in the
# foreground (the caller's own process group) or as a background job of a job-control
# shell, then the terminal's state as the caller sees it: CMD's status, the caller's
# process group and the terminal's foreground group, whether the modes (stty -g) are what
# they were, and the bytes waiting in the terminal's input (PENDING is the attack helper).
cat >"$SEC_W/pty-run" <<'SH'
#!/bin/sh
how=$1 pend=$2
shift 2
before=$(stty -g)
if [ "$how" = bg ]; then
	bash -c 'set -m; "$@" & wait $!' bash "$@"
else
	"$@"
fi
echo "rc=$?"
echo "pgrp=$(ps -o pgid= -p $$ | tr -d ' ')"
echo "fg=$(ps -o tpgid= -p $$ | tr -d ' ')"
if [ "$(stty -g)" = "$before" ]; then echo modes=same; else echo "modes=changed: $(stty -g)"; fi
echo "pending=$("$pend" pending 0)"
SH
chmod 755 "$SEC_W/pty-run"
# inside: PID 1's terminal (field 7 of its stat, tty_nr), then the two attacks
cat >"$SEC_W/tty.sh" <<'SH'
echo "pid1-tty=$(cut -d' ' -f7 /proc/1/stat)"
/attack tiocsti 0
/attack ptrace-tiocsti 1
exit 0
SH

# pty fg|bg NSBOOT-ARGS...: nsboot of the current mode on a fresh terminal; sets OUT, RC
# (of nsboot), SEC_RES and V (pid1-tty, pgrp, fg, modes, pending).
declare -A V
pty() {
	local how=$1 cmd line
	shift
	cmd=$(printf '%q ' "$SEC_W/pty-run" "$how" "$ATTACK" timeout --foreground -k 5 "$GUARD" \
		"$NSB" -q "$MAP" --console=pipe "$@")
	OUT=$(cd / && timeout -k 5 "$GUARD" "${RUN[@]}" script -qec "$cmd" /dev/null 2>&1)
	sec_parse
	V=()
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		pid1-tty=* | pgrp=* | fg=* | modes=* | pending=* | rc=*) V[${line%%=*}]=${line#*=} ;;
		esac
	done <<<"$OUT"
	RC=${V[rc]:-none}
}
# tiocsti_refused DESC VERB ARG: sec_refused, skipped when the kernel refuses TIOCSTI anyway.
tiocsti_refused() {
	if [ -n "$TIOCSTI_OFF" ]; then skip "$1: $TIOCSTI_OFF"; else sec_refused "$@"; fi
}
# v_is DESC KEY WANT: V[KEY] is WANT.
v_is() {
	if [ "${V[$2]:-}" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "$2 is '${V[$2]:-}', want '$3'"; fi
}
# rc_is DESC WANT: nsboot's status is WANT (the whole output as diagnostics when not).
rc_is() {
	if [ "$RC" = "$2" ]; then ok "$1"; else not_ok "$1"; diag "status '$RC', want '$2'; output: $OUT"; fi
}
# terminal_back DESC: the caller's group is the terminal's foreground group, modes unchanged.
terminal_back() {
	if [ -n "${V[pgrp]:-}" ] && [ "${V[fg]:-}" = "${V[pgrp]}" ]; then
		ok "$1: the caller's process group is the terminal's foreground group again"
	else
		not_ok "$1: the caller's process group is the terminal's foreground group again"
		diag "the caller's group is '${V[pgrp]:-}', the terminal's foreground group '${V[fg]:-}'"
	fi
	v_is "$1: the terminal's modes are unchanged" modes same
}

for mode in $SEC_MODES; do
	why=$(sec_unavailable "$mode")
	if [ -n "$why" ]; then
		skip "$mode: every terminal check: $why"
		continue
	fi
	sec_mode "$mode"
	if [ ! -e "$D/tree/attack" ]; then
		touch "$D/tree/attack"
		cp "$SEC_W/tty.sh" "$D/tree/tty.sh"
		chown -h "$OWNER" "$D/tree/attack" "$D/tree/tty.sh"
	fi
	a=(--bind-ro="$ATTACK:/attack" -D "$D/tree")

	pty fg "${a[@]}" -- /bin/sh /tty.sh
	rc_is "$mode, foreground: the container ran" 0
	tiocsti_refused "$mode, foreground: the command's TIOCSTI on its stdin (the caller's terminal) is refused" tiocsti 0
	tiocsti_refused "$mode, foreground: PID 1 made to issue TIOCSTI (ptrace) is refused" ptrace-tiocsti 1
	v_is "$mode, foreground: PID 1 has no controlling terminal (tty_nr 0)" pid1-tty 0
	if [ -n "$TIOCSTI_OFF" ]; then skip "$mode, foreground: nothing was pushed: $TIOCSTI_OFF"; else
		v_is "$mode, foreground: no byte was pushed into the caller's terminal input" pending 0; fi
	terminal_back "$mode, foreground"

	pty bg "${a[@]}" -- /bin/sh /tty.sh
	rc_is "$mode, background: the container ran" 0
	tiocsti_refused "$mode, background: the command's TIOCSTI on its stdin is refused" tiocsti 0
	tiocsti_refused "$mode, background: PID 1 made to issue TIOCSTI (ptrace) is refused" ptrace-tiocsti 1
	v_is "$mode, background: PID 1 has no controlling terminal (tty_nr 0)" pid1-tty 0
	if [ -n "$TIOCSTI_OFF" ]; then skip "$mode, background: nothing was pushed: $TIOCSTI_OFF"; else
		v_is "$mode, background: no byte was pushed into the caller's terminal input" pending 0; fi

	pty fg "${a[@]}" -- /bin/sh -c 'stty -echo raw'
	rc_is "$mode, foreground, stty -echo raw inside: exit status" 0
	terminal_back "$mode, foreground, stty -echo raw inside"

	pty fg "${a[@]}" --bind=/nonexistent:/mnt -- /bin/true
	rc_is "$mode, foreground, a missing --bind source: exit status 125" 125
	terminal_back "$mode, foreground, exit 125"
done

# nsboot in the background leaves the terminal to the foreground: modes a foreground
# program set while nsboot ran are still there when nsboot exits
sec_mode pick
out=$(cd / && SHELL=/bin/sh timeout -k 5 "$GUARD" script -qec "bash -c 'set -m; stty echo;
	$NSB -q --console=pipe $MAP -D $D/tree -- /bin/sleep 1 & sleep 0.3; stty -echo;
	wait \$!; stty -a | grep -Eo -- \"(^| )-?echo( |\$)\" | head -1'" /dev/null 2>&1 | tr -d '\r')
like "a background nsboot does not reset the foreground's terminal modes at its exit" "$out" '^ ?-echo ?$'
done_testing
