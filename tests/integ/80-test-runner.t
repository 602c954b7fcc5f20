#!/bin/bash
# nsboot test, the system test runner, with small busybox machines: each kind of assertion
# passing and failing, the TAP it prints (numbering, diagnostics, one subtest per file),
# --keep-going, assertions run at once as the file's jobs, --timeout of a file that hangs
# and SIGINT in the middle of a run (every machine stopped, no process left), -j 4 on 8
# files, --junit checked against the JUnit schema's required elements, --logs, the same
# file twice at once, its own errors (125), and a run as nobody. Each run is inside a
# throwaway pid and network namespace: whatever the runner left behind (a machine, a log
# follower, a sleep) is still there when it returns, and `ps` there sees it; the
# machines' zones (as root, a bridge) are in it too.
source "$NSB_SRC/tests/integ/lib.sh"
NSBOOT=$NSB_BUILD/nsboot
RUN_GUARD=$((GUARD * 3))
command -v xmllint >/dev/null || { echo "1..0 # SKIP xmllint missing (scripts/install-deps)"; exit 0; }

nsb_pub_init
cp -a "$NSB_BUILD/nsboot-test" "$NSB_PUB/bin/"
chmod a+rx "$NSB_PUB/bin/nsboot-test"
TREE=$(nsb_pub_tree busybox)
W=$(mktemp -d /tmp/nsb-80test.XXXXXX)
chmod 755 "$W"
nsb_at_exit "rm -rf '$W'"
# the log folders failing runs keep go where the test's own files are
mkdir -m 1777 "$W/tmp"
export TMPDIR=$W/tmp
M="-D $TREE --volatile"
# zoned LINE: LINE when nsboot has zones (the machines of a file then share one by default)
zoned() { if "$NSBOOT" --help 2>&1 | grep -q 'zone:'; then echo "$1"; fi; }

# in_pidns CMD...: runs CMD in a throwaway pid namespace, then prints the processes still
# there besides the namespace's own shell as "LEFT: ..." lines; CMD's status is kept
in_pidns() {
	timeout -k 5 "$RUN_GUARD" unshare -fpn --mount-proc sh -c '
		"$@"
		rc=$?
		left() { ps -e -o pid=,args= | awk -v me=$$ '\''$1 != me && $1 != 1 && $2 != "ps" && $2 != "awk" { print "LEFT: " $0 }'\''; }
		# a process already on its way out gets five seconds to finish
		f=$(mktemp)
		for _ in $(seq 50); do left >"$f"; [ -s "$f" ] || break; sleep 0.1; done
		cat "$f"
		rm -f "$f"
		exit $rc' sh "$@"
}

# --- each kind of assertion, passing: one file, one subtest, numbered 1..N ---
cat >"$W/pass.t" <<EOF
machine box $M
succeed box 'echo hello-from-box; hostname'
fail box 'exit 3'
wait_until box 'test -e /tmp/once || { touch /tmp/once; false; }' --timeout=10
succeed box 'busybox httpd -p 8080 -h /tmp'
wait_for_port box 8080
succeed box 'touch /tmp/later'
wait_for_file box /tmp/later
succeed box 'printf "#!/bin/sh\ntest -e /tmp/svc.on\n" >/etc/init.d/svc; chmod 755 /etc/init.d/svc; touch /tmp/svc.on'
wait_for_service box svc
copy_to box "$W/pass.t" /tmp/copied
succeed box 'grep -q hello-from-box /tmp/copied'
succeed box 'echo payload >/tmp/out.txt'
copy_from box /tmp/out.txt "$W/from-box.txt"
crash box
start box
succeed box 'test ! -e /tmp/once'
stop box
EOF
out=$(in_pidns "$NSBOOT" test --logs="$W/logs-pass" "$W/pass.t" 2>&1)
rc=$?
is "a file of passing assertions exits 0" "$rc" 0
[ $rc = 0 ] || diag "$out"
is "it prints one subtest of 16 numbered assertions, then the run's plan" \
	"$(printf '%s\n' "$out" | grep -E '^(    )?(ok|not ok|1\.\.)' | sed 's/ - .*//')" \
	"$(for i in $(seq 16); do echo "    ok $i"; done; echo "    1..16"; echo "ok 1"; echo "1..1")"
like "each assertion names its machine and command" "$out" '    ok 1 - box: echo hello-from-box; hostname'
like "succeed prints the command's output indented" "$out" '#     hello-from-box'
like "the machine's host name is its short name" "$out" '#     box$'
like "wait_for_port names the port" "$out" 'ok 5 - box: port 8080 is open'
like "wait_for_service names the service" "$out" 'ok 9 - box: service svc is running'
like "a # in a description is escaped" "$out" 'ok 8 - box: printf "\\#!/bin/sh\\ntest'
like "crash is an assertion" "$out" 'ok 14 - box: crash'
like "stop is an assertion" "$out" 'ok 16 - box: stop'
like "the run ends with the counts" "$(printf '%s\n' "$out" | tail -n 1)" '^# 1 passed, 0 failed$'
is "copy_from brought the file" "$(cat "$W/from-box.txt" 2>&1)" payload
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'
check "--logs keeps the console log" test -s "$W/logs-pass/pass.t/machines/box/console.log"
check "--logs keeps each command's output" grep -q hello-from-box "$W/logs-pass/pass.t/out/1.log"

# --- each kind failing, with --keep-going: every assertion runs and fails ---
cat >"$W/fail.t" <<EOF
machine box $M
succeed box 'echo to-stdout; echo to-stderr >&2; exit 4'
fail box 'true'
wait_until box 'false' --timeout=2
wait_for_port box 9
wait_for_file box /no/such --timeout=1
wait_for_service box nosuch --timeout=1
copy_to box /no/such/file /tmp/x
copy_from box /no/such "$W/nothing"
succeed nobox true
succeed box 'echo still-running'
EOF
out=$(in_pidns "$NSBOOT" test --keep-going --timeout=120 "$W/fail.t" 2>&1)
rc=$?
is "a failing file exits 1" "$rc" 1
is "--keep-going: every assertion ran, numbered, with the failures as not ok" \
	"$(printf '%s\n' "$out" | grep -E '^    (ok|not ok|1\.\.)' | sed 's/ - .*//')" \
	"$(for i in $(seq 9); do echo "    not ok $i"; done; echo "    ok 10"; echo "    1..10")"
like "a failing succeed gives its exit status" "$out" '#   exit status 4, want 0'
like "and its output, stdout and stderr" "$out" '#     to-stdout'
like "stderr too" "$out" '#     to-stderr'
like "a failing fail says so" "$out" '#   exit status 0, want non-zero'
like "a wait that times out says how long it tried" "$out" 'not ok 3 - box: wait_until false.*
#   still false after 2 s'
like "wait_for_port" "$out" 'not ok 4 - box: port 9 is open'
like "wait_for_service" "$out" 'not ok 6 - box: service nosuch is running'
like "copy_to of a missing file" "$out" 'not ok 7 - box: copy_to /no/such/file /tmp/x'
like "an undeclared machine" "$out" "#   no machine named 'nobox' in this file"
like "the run ends with the counts" "$(printf '%s\n' "$out" | tail -n 1)" '^# 0 passed, 1 failed$'
logs=$(printf '%s\n' "$out" | sed -n 's/^# logs kept in //p')
check "the default log folder is kept on failure and named" test -s "$logs/fail.t/machines/box/console.log"
rm -rf "$logs"
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

# --- what the machine controls stays in it: a symbolic link copy_from would bring out,
# output written after its command exited ---
cat >"$W/leak.t" <<EOF
machine box $M
succeed box 'ln -s /etc/shadow /tmp/link; mkdir /tmp/d; ln -s /etc/passwd /tmp/d/l'
copy_from box /tmp/link "$W/link"
copy_from box /tmp/d "$W/d"
succeed box '(sleep 1; echo late-output) & echo early-output'
succeed box 'sleep 2'
EOF
out=$(in_pidns "$NSBOOT" test --keep-going --logs="$W/logs-leak" "$W/leak.t" 2>&1)
is "copy_from of a symbolic link fails, the rest passes" \
	"$(printf '%s\n' "$out" | grep -E '^    (ok|not ok|1\.\.)' | sed 's/ - .*//')" \
	"$(printf '    ok 1\n    not ok 2\n    not ok 3\n    ok 4\n    ok 5\n    1..5')"
like "and says why" "$out" '#   /tmp/link has a symbolic link \(refused\)'
check "the link is not made at HOSTPATH" test ! -e "$W/link" -a ! -L "$W/link"
check "nor a folder holding one" test ! -e "$W/d" -a ! -L "$W/d"
check "a command's output is in its log" grep -q early-output "$W/logs-leak/leak.t/out/4.log"
check "what it left behind wrote after it exited is not" \
	test -z "$(grep late-output "$W/logs-leak/leak.t/out/4.log")"
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

# --- without --keep-going the first failure ends the file ---
out=$(in_pidns "$NSBOOT" test "$W/fail.t" 2>&1)
is "the first failure ends the file" \
	"$(printf '%s\n' "$out" | grep -E '^    (ok|not ok|1\.\.)' | sed 's/ - .*//')" \
	"$(printf '    not ok 1\n    1..1')"
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'
rm -rf "$(printf '%s\n' "$out" | sed -n 's/^# logs kept in //p')"

# --- assertions run as jobs of the file's (& and wait): at once, each numbered as it
# ends; a failing job ends the file at its next assertion, the one under way runs on ---
cat >"$W/jobs.t" <<EOF
machine box $M
succeed box 'sleep 3; echo slow-job' &
succeed box 'echo fast-job' &
wait
succeed box 'echo after-jobs'
EOF
out=$(in_pidns "$NSBOOT" test --logs="$W/logs-jobs" "$W/jobs.t" 2>&1)
is "a file of assertions run as jobs passes" "$?" 0
is "they ran at once: numbered as they ended, the later one first" \
	"$(printf '%s\n' "$out" | grep -E '^    (ok|not ok|1\.\.)')" \
	"$(printf '    ok 1 - box: echo fast-job\n    ok 2 - box: sleep 3; echo slow-job\n    ok 3 - box: echo after-jobs\n    1..3')"
check "each one's output is in the log of its number" grep -qx slow-job "$W/logs-jobs/jobs.t/out/2.log"
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'
cat >"$W/jobs-fail.t" <<EOF
machine box $M
succeed box 'sleep 3; echo still-ran' &
succeed box 'exit 4' &
wait
succeed box 'echo never'
EOF
out=$(in_pidns "$NSBOOT" test "$W/jobs-fail.t" 2>&1)
is "a failing job fails the file" "$?" 1
is "the job under way ran to its end, and the file ended at its next assertion" \
	"$(printf '%s\n' "$out" | grep -E '^    (ok|not ok|1\.\.)' | sed 's/ - .*//')" \
	"$(printf '    not ok 1\n    ok 2\n    1..2')"
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'
rm -rf "$(printf '%s\n' "$out" | sed -n 's/^# logs kept in //p')"

# --- a passing run removes its temporary logs ---
cat >"$W/small.t" <<EOF
machine box $M
succeed box 'echo small'
EOF
out=$(TMPDIR=$W/tmp-small; mkdir -p "$TMPDIR"; export TMPDIR; in_pidns "$NSBOOT" test "$W/small.t" 2>&1)
is "a passing run exits 0" "$?" 0
is "and leaves no log folder" "$(ls -A "$W/tmp-small")" ""

# --- --timeout of a file that hangs: machines stopped, nothing left ---
cat >"$W/hang.t" <<EOF
machine box $M
machine other $M
succeed box 'echo up'
succeed other 'echo up'
sleep 600
EOF
out=$(in_pidns "$NSBOOT" test --timeout=5 --logs="$W/logs-hang" "$W/hang.t" 2>&1)
is "a file past its timeout fails" "$?" 1
like "with a timeout assertion" "$out" 'not ok 3 - timeout: .*hang.t still ran after 5 s'
unlike "nothing is left in the pid namespace (machines, sleep)" "$out" 'LEFT:'
check "both machines were stopped (their consoles saw the shutdown)" \
	test -e "$W/logs-hang/hang.t/machines/box/stopped" -a -e "$W/logs-hang/hang.t/machines/other/stopped"

# --- SIGINT in the middle of a run: machines stopped, nothing left, 130 ---
cat >"$W/long.t" <<EOF
machine box $M
succeed box 'echo up'
succeed box 'sleep 600'
EOF
out=$(timeout -k 5 "$RUN_GUARD" unshare -fpn --mount-proc sh -c '
	# (an asynchronous command of sh starts with SIGINT ignored; Ctrl-C reaches a
	# foreground nsboot test with it at its default, as env --default-signal gives it)
	env --default-signal=INT "$1" test --logs="$2" "$3" &
	r=$!
	i=0
	while ! grep -q "ok 1 " "$2/long.t/tap" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.5
	kill -INT $r
	wait $r
	echo "rc=$?"
	ps -e -o pid=,args= | awk -v me=$$ '\''$1 != me && $1 != 1 && $2 != "ps" && $2 != "awk" { print "LEFT: " $0 }'\''
	' sh "$NSBOOT" "$W/logs-int" "$W/long.t" 2>&1)
like "SIGINT ends the run with 130" "$out" 'rc=130'
like "the file is reported as interrupted" "$out" 'not ok 2 - interrupted'
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

# --- -j 4 on 8 files: at most 4 at once, at least 2, each file's TAP whole ---
: >"$W/events"
for i in 1 2 3 4 5 6 7 8; do
	cat >"$W/par$i.t" <<EOF
echo "start \$(date +%s%N)" >>"$W/events"
trap 'echo "end \$(date +%s%N)" >>"$W/events"' EXIT
machine m$i $M
succeed m$i 'echo par$i-a'
succeed m$i 'echo par$i-b'
EOF
done
out=$(in_pidns "$NSBOOT" test -j 4 --junit="$W/junit.xml" "$W"/par[1-8].t 2>&1)
rc=$?
is "-j 4 on 8 passing files exits 0" "$rc" 0
[ $rc = 0 ] || diag "$out"
like "8 passed" "$(printf '%s\n' "$out" | tail -n 1)" '^# 8 passed, 0 failed$'
maxpar=$(sort -k2n "$W/events" | awk '$1 == "start" { n++; if (n > m) m = n } $1 == "end" { n-- } END { print m }')
check "files ran in parallel, at most 4 at once (max $maxpar)" [ "$maxpar" -ge 2 -a "$maxpar" -le 4 ]
whole=$(printf '%s\n' "$out" | awk '
	/^# Subtest: / { f = $3; sub(/.*\//, "", f); sub(/\.t$/, "", f); next }
	/^    #     par/ { if (index($0, f "-") == 0) bad = 1 }
	END { print bad ? "interleaved" : "whole" }')
is "each file's TAP is printed whole" "$whole" whole
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

# --- --junit: the JUnit schema's required elements, one testcase per assertion ---
cat >"$W/junit.xsd" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:int"/>
      <xs:attribute name="failures" type="xs:int"/>
      <xs:attribute name="errors" type="xs:int"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="system-out" type="xs:string" minOccurs="0"/>
        <xs:element name="system-err" type="xs:string" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:int" use="required"/>
      <xs:attribute name="failures" type="xs:int" use="required"/>
      <xs:attribute name="errors" type="xs:int" use="required"/>
      <xs:attribute name="skipped" type="xs:int"/>
      <xs:attribute name="time" type="xs:decimal"/>
      <xs:attribute name="timestamp" type="xs:dateTime"/>
      <xs:attribute name="hostname" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testcase">
    <xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element name="failure">
          <xs:complexType><xs:simpleContent><xs:extension base="xs:string">
            <xs:attribute name="message" type="xs:string"/>
            <xs:attribute name="type" type="xs:string"/>
          </xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
        <xs:element name="error" type="xs:string"/>
        <xs:element name="skipped" type="xs:string"/>
        <xs:element name="system-out" type="xs:string"/>
        <xs:element name="system-err" type="xs:string"/>
      </xs:choice>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="classname" type="xs:string" use="required"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
EOF
check "the -j run's JUnit file is valid" xmllint --noout --schema "$W/junit.xsd" "$W/junit.xml"
is "with one testcase per assertion" "$(xmllint --xpath 'count(//testsuite/testcase)' "$W/junit.xml")" 16
is "and one testsuite per file" "$(xmllint --xpath 'count(/testsuites/testsuite)' "$W/junit.xml")" 8
out=$(in_pidns "$NSBOOT" test --keep-going --timeout=120 --junit="$W/junit-fail.xml" "$W/fail.t" "$W/small.t" 2>&1)
check "a failing run's JUnit file is valid" xmllint --noout --schema "$W/junit.xsd" "$W/junit-fail.xml"
is "each failing assertion is a testcase with a failure" \
	"$(xmllint --xpath 'count(//testcase[failure])' "$W/junit-fail.xml")" 9
is "the failure's message is the reason" \
	"$(xmllint --xpath 'string(//testcase[1]/failure/@message)' "$W/junit-fail.xml")" "exit status 4, want 0"
like "the failure's text is the output" \
	"$(xmllint --xpath 'string(//testcase[1]/failure)' "$W/junit-fail.xml")" 'to-stderr'
is "the passing file is a testsuite without failures" \
	"$(xmllint --xpath 'string(//testsuite[@name="'"$W"'/small.t"]/@failures)' "$W/junit-fail.xml")" 0
rm -rf "$(printf '%s\n' "$out" | sed -n 's/^# logs kept in //p')"

# --- the same file twice at once: in one run, and in two runs ---
cat >"$W/twice.t" <<EOF
machine web $M
succeed web 'hostname'
succeed web 'sleep 2'
EOF
out=$(in_pidns "$NSBOOT" test -j 2 "$W/twice.t" "$W/twice.t" 2>&1)
is "one file twice in one run (-j 2) passes twice" "$(printf '%s\n' "$out" | tail -n 1)" "# 2 passed, 0 failed"
out=$(in_pidns sh -c '"$1" test "$2" >"$3.a" 2>&1 & "$1" test "$2" >"$3.b" 2>&1; wait $!; cat "$3.a" "$3.b"' \
	sh "$NSBOOT" "$W/twice.t" "$W/twice-out" 2>&1)
is "one file in two runs at once passes in both" "$(printf '%s\n' "$out" | grep -c '^# 1 passed, 0 failed$')" 2
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

# --- nsboot test's own errors: 125, nothing run ---
out=$("$NSBOOT" test "$W/no-such.t" 2>&1)
is "a missing file is exit 125" "$?" 125
is "named on one line" "$out" "nsboot: test: $W/no-such.t: no such readable file"
printf 'machine box %s\nif then\n' "$M" >"$W/syntax.t"
out=$("$NSBOOT" test "$W/small.t" "$W/syntax.t" 2>&1)
is "a syntax error in one file is exit 125 before any file runs" "$?" 125
like "naming the file" "$out" "^nsboot: test: $W/syntax.t: syntax error"
out=$("$NSBOOT" test --frobnicate "$W/small.t" 2>&1)
is "an unknown option is exit 125" "$?" 125
out=$("$NSBOOT" test -j 0 "$W/small.t" 2>&1)
is "-j 0 is exit 125" "$?" 125
out=$("$NSBOOT" test 2>&1)
is "no file is exit 125" "$?" 125
: >"$W/a-file"
out=$("$NSBOOT" test --logs="$W/a-file" "$W/small.t" 2>&1)
is "--logs naming a file is exit 125" "$?" 125
is "...on one line" "$out" "nsboot: test: --logs=$W/a-file: cannot make the folder"

# --- rootless: the same kinds as nobody ---
# (a zone binds its hosts file over /etc/hosts: as nobody, with the busybox tree's root-owned
# /etc, that mount point must be in the tree already)
cp -a "$TREE" "$W/rootless-tree"
touch "$W/rootless-tree/etc/hosts"
cat >"$W/rootless.t" <<EOF
machine box -D $W/rootless-tree --volatile
machine peer -D $W/rootless-tree --volatile
succeed box 'id -u; echo rootless-ok'
wait_for_file box /etc/passwd
succeed box 'httpd -p 8080 -h /etc'
wait_for_port box 8080
$(zoned "succeed peer 'wget -q -O- http://box:8080/hostname'")
copy_to box "$W/rootless.t" /tmp/copied
succeed box 'test -s /tmp/copied'
stop box
EOF
chmod 644 "$W"/*.t
out=$(cd / && in_pidns setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR HOME=/nonexistent TMPDIR="$W/tmp" \
	"$NSB_PUB/bin/nsboot" test "$W/rootless.t" 2>&1)
is "as nobody, a file of assertions passes" "$(printf '%s\n' "$out" | tail -n 1)" "# 1 passed, 0 failed"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "# 1 passed, 0 failed" ] || diag "$out"
like "inside, the command is the machine's root" "$out" '#     0
    #     rootless-ok'
unlike "nothing is left in the pid namespace" "$out" 'LEFT:'

done_testing
