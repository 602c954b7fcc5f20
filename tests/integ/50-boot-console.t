#!/bin/bash
# The interactive console, driven through a pty (tests/helpers/boot-pty plays the user's
# terminal): the shell preset answers on /dev/console, window sizes pass on, one Ctrl-C is
# one SIGINT in the container, the exit status comes back, and the terminal's modes are
# restored afterwards, also when nsboot fails.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init
source "$NSB_SRC/tests/integ/boot-lib.sh"
NSBOOT=$NSB_BUILD/nsboot
PTY=$NSB_BUILD/tests/helpers/boot-pty
TREE=$(nsb_pub_tree busybox) # nobody reads it too
pty() { timeout "$GUARD" "$PTY" -t 20 "$@" 2>&1; }

out=$(pty -e '# ' -s 'echo hello-$((6*7)); tty\n' -e 'hello-42' -e '/dev/console' -s 'exit 5\n' \
	-- "$NSBOOT" --boot=shell -D "$TREE")
is "shell preset on a terminal: the driver saw every step" "$?" 0
like "the console is interactive by default on a terminal: the shell answers" "$out" 'hello-42'
like "the shell's terminal is /dev/console" "$out" '^/dev/console'
like "the shell's exit status is nsboot's" "$out" '^status 5$'
like "the terminal's modes are restored" "$out" '^modes restored$'

# (the shell polls: the new size arrives asynchronously)
out=$(pty -e '# ' -w 40x100 -s 'until [ "$(stty size)" = "40 100" ]; do sleep 0.05; done; echo size-is-$(stty size | tr " " x)\n' \
	-e 'size-is-40x100' -s 'exit\n' -- "$NSBOOT" --boot=shell -D "$TREE")
like "a window size change reaches the container" "$out" '^size-is-40x100'

# one Ctrl-C: one SIGINT in the container's foreground group (the boot command's)
out=$(pty -e 'armed' -s '\x03' -e 'got-INT-1' -p 500 -s '\x03' -e 'done-2' -- "$NSBOOT" -D "$TREE" -- \
	/bin/sh -c 'n=0; trap "n=\$((n+1)); echo got-INT-\$n" INT; echo armed; while [ $n -lt 2 ]; do sleep 0.1; done; echo done-$n')
is "Ctrl-C: the driver saw every step" "$?" 0
is "one Ctrl-C is one SIGINT" "$(printf '%s\n' "$out" | grep -c 'got-INT-1')" 1
unlike "no third SIGINT" "$out" 'got-INT-3'
like "Ctrl-C: exit 0" "$out" '^status 0$'
like "Ctrl-C: modes restored" "$out" '^modes restored$'

# Ctrl-C, Ctrl-Z, Ctrl-\ reach the console shell's foreground job only
out=$(pty -e '# ' -s 'sleep 30; echo after-$((5*5))\n' -p 300 -s '\x03' -e '# ' -s 'echo alive-$((2*3))\n' \
	-e 'alive-6' -s 'sleep 31\n' -p 300 -s '\x1a' -e 'Stopped' -s 'kill %1; fg; echo z-$((1+2))\n' \
	-e 'z-3' -s 'sleep 32\n' -p 300 -s '\x1c' -e '# ' -s 'echo q-$((2+2))\n' -e 'q-4' -s 'exit 7\n' \
	-- "$NSBOOT" --boot=shell -D "$TREE")
is "Ctrl-C, Ctrl-Z, Ctrl-\\ to jobs of the console shell: the driver saw every step" "$?" 0
like "the console's first line says what the keys do" "$out" \
	'^nsboot: console: Ctrl-C, Ctrl-Z and Ctrl-\\ go to the container; Ctrl-\] three times within a second stops it'
unlike "Ctrl-C ended the sleep, not the list it was in" "$out" 'after-25'
like "Ctrl-C: the container stays" "$out" 'alive-6'
like "Ctrl-Z: the shell's job stopped, the container stays" "$out" 'z-3'
like "Ctrl-\\: the container stays" "$out" 'q-4'
like "... and ends with the shell's status" "$out" '^status 7$'

# Ctrl-] three times within a second: an orderly stop (SIGTERM to the boot command)
out=$(pty -e 'armed' -s '\x1d\x1d\x1d' -e 'got-TERM' -- "$NSBOOT" -D "$TREE" -- \
	/bin/sh -c 'trap "echo got-TERM; exit 0" TERM; echo armed; while :; do sleep 0.1; done')
is "Ctrl-] x3: the driver saw every step" "$?" 0
like "Ctrl-] x3: nsboot says it stops the container" "$out" '^nsboot: console: stopping the container'
like "Ctrl-] x3: an orderly stop, exit 0" "$out" '^status 0$'
like "Ctrl-] x3: modes restored" "$out" '^modes restored$'
# spread over more than a second they are just bytes; a second escape kills a container
# that ignores the stop (the shell preset's interactive shell ignores SIGTERM)
out=$(pty -e '# ' -s '\x1d' -p 600 -s '\x1d' -p 600 -s '\x1d' -s 'echo still-$((3*3))\n' -e 'still-9' \
	-s '\x1d\x1d\x1d' -e 'stopping' -p 300 -s '\x1d\x1d\x1d' -- "$NSBOOT" --boot=shell -D "$TREE")
is "Ctrl-] x3 twice: the driver saw every step" "$?" 0
unlike "three Ctrl-] over more than a second: no stop" "$(printf '%s\n' "$out" | sed -n '/still-9/q;p')" 'stopping'
like "the second Ctrl-] x3 kills it" "$out" 'nsboot: console: killing the container'
like "... exit 137" "$out" '^status 137$'
# nsboot itself still stops on SIGINT while its console is raw
out=$(pty -e 'armed' -s 'x' -- /bin/sh -c 'sh -c "sleep 1; kill -INT \$PPID" & exec "$1" -D "$2" -- \
	/bin/sh -c "trap \"echo got-INT-inside; exit 0\" INT TERM; echo armed; while :; do sleep 0.1; done"' \
	sh "$NSBOOT" "$TREE")
like "SIGINT to nsboot: still an orderly stop" "$out" 'got-INT-inside'
like "SIGINT to nsboot: exit 0" "$out" '^status 0$'

out=$(pty -- "$NSBOOT" -D "$TREE" --drop-services=/nonexistent/list -- /bin/true)
like "a setup failure on the console: exit 125" "$out" '^status 125$'
like "a setup failure on the console: modes restored" "$out" '^modes restored$'

out=$(pty -e 'piped' -- "$NSBOOT" -D "$TREE" --console=pipe -- /bin/sh -c 'echo piped; exit 4')
like "--console=pipe on a terminal: the command writes to the caller's terminal" "$out" '^piped'
like "--console=pipe: its exit status" "$out" '^status 4$'
# rootless: nobody's own pty is the console of a single-map container
out=$(cd / && as_nobody timeout "$GUARD" "$NSB_PUB/bin/helpers/boot-pty" -t 20 -e '# ' -s 'id -u; tty\n' \
	-e '/dev/console' -s 'exit 6\n' -- "$NSB_PUB/bin/nsboot" --boot=shell -D "$TREE" 2>&1)
like "rootless console: the shell answers as root of the container" "$out" '^0'
like "rootless console: /dev/console" "$out" '^/dev/console'
like "rootless console: exit status" "$out" '^status 6$'
like "rootless console: modes restored" "$out" '^modes restored$'
done_testing
