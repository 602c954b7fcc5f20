#!/bin/bash
# make demo's script: without a terminal it boots the busybox tree, looks inside through
# the nsenter line and stops it with SIGTERM (exit 0); on a terminal (driven through a pty)
# the console shell answers, Ctrl-C interrupts a command in it and no more, "exit" stops
# the container through the tree's stop runlevel, Ctrl-] three times stops it from outside
# with exit 0, and the terminal's modes are restored.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
out=$(NSB_BUILD=$NSB_BUILD timeout "$GUARD" "$NSB_SRC/scripts/demo" </dev/null 2>&1)
is "demo without a terminal: exit 0" "$?" 0
like "demo: the nsenter line" "$out" 'enter it with: nsenter'
like "demo: the booted line" "$out" '^nsboot: booted in [0-9]+ ms$'
like "demo: httpd answers inside" "$out" 'httpd says: <h1>nsboot busybox tree</h1>'
like "demo: PID 1 is nsboot-init" "$out" 'PID 1: nsboot-init'
like "demo: stopped through the stop runlevel" "$out" '^rc: stopping$'

PTY=$NSB_BUILD/tests/helpers/boot-pty
out=$(NSB_BUILD=$NSB_BUILD timeout "$GUARD" "$PTY" -t 20 -e 'demo# ' -s 'hostname\n' -e 'busybox' \
	-e 'demo# ' -s 'echo $((6*7))-inside\n' -e '42-inside' -e 'demo# ' -s 'sleep 30\n' -p 300 \
	-s '\x03' -e 'demo# ' -s 'echo still-$((1+1))\n' -e 'still-2' -s 'exit\n' \
	-- "$NSB_SRC/scripts/demo" 2>&1)
is "demo on a terminal: the driver saw every step" "$?" 0
like "demo on a terminal: booted" "$out" 'booted in [0-9]+ ms'
like "demo on a terminal: the console shell answers" "$out" '42-inside'
like "demo on a terminal: Ctrl-C ended the sleep, the shell stayed" "$out" 'still-2'
like "demo on a terminal: exit ran the stop runlevel" "$out" 'rc: stopping'
like "demo on a terminal: exit 0" "$out" '^status 0$'
like "demo on a terminal: the terminal's modes are restored" "$out" '^modes restored$'

# Ctrl-] three times stops it from outside: the shell ignores SIGTERM and is killed after
# the grace; the demo says so and ends with 0, not make's "Error 143"
out=$(NSB_BUILD=$NSB_BUILD timeout "$GUARD" "$PTY" -t 30 -e 'demo# ' -s '\x1d\x1d\x1d' \
	-e 'stopped from the console' -- "$NSB_SRC/scripts/demo" 2>&1)
is "demo, Ctrl-] three times: the driver saw every step" "$?" 0
like "...the console said it stops the container" "$out" 'console: stopping the container'
like "...the demo says how it stopped" "$out" 'demo: stopped from the console'
like "...exit 0" "$out" '^status 0$'
like "...the terminal's modes are restored" "$out" '^modes restored$'
done_testing
