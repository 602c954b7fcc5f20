/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot presets: one row each (struct nsb_preset, lib/boot.h). Portable: glibc and musl.
 *
 * Adding a preset is one row here and, when it masks services, one drop list in data/:
 *   name         --boot=NAME; .takes_path for --boot=NAME:/PATH
 *   detect       a file of the tree that selects the row when neither --boot nor COMMAND
 *                is given (rows are tried in this order; the first that matches wins)
 *   script       the boot as a /bin/sh script; NSB_SH_BOOT(SETUP, BOOT, SHUTDOWN) wraps
 *                it: SHUTDOWN runs on SIGTERM/SIGINT, READY=1 goes to the FIFO after BOOT
 *   command      instead of a script, the one word exec'd ("%s" is --boot's PATH)
 *   entry        the tree's program the script needs (checked before READY, with /bin/sh)
 *   drops        data/FILE: one service per line, each with its reason as a comment
 *   service_dir  where the tree keeps its services (the masks go to SERVICE_DIR/NAME)
 *   stub         what a masked service becomes
 *   ready        NSB_READY_REPORT (READY=1 from the boot) or NSB_READY_RUNS (shell)
 *   check        /bin/sh script run after READY=1 that prints each service that did not
 *                come up; NSB_SH_CHECK(LIST, STATUS) runs STATUS NAME for every name
 *                LIST prints, in parallel, and prints NAME when it fails
 *   prepare      C function run by PID 1 before the boot command (guix)
 * Below the table: the row a tree no row detects gets, and the row whose masks it gets.
 * Nothing else in the code names a preset: the mount layer takes service_dir and stub from
 * the row, PID 1 the script, the check and the readiness rule. */
#include "boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The FIFO a plain sh script reports "up" on (init/preset.h: NSB_READY_FIFO). */
#define SH_FIFO "/run/nsboot/ready"
#define SH_READY "[ -p " SH_FIFO " ] && echo READY=1 >" SH_FIFO "\n"

/* A boot script: SETUP, then BOOT, READY=1 on the FIFO, and wait; SIGTERM/SIGINT run
 * SHUTDOWN and exit 0. A signal that arrives while BOOT runs is handled once it is done;
 * during SHUTDOWN both are ignored (by the stop scripts too), so that a second Ctrl-C on
 * the console does not cut it short. */
#define NSB_SH_BOOT(SETUP, BOOT, SHUTDOWN)                                       \
	SETUP                                                                    \
	"nsb_stop() {\n"                                                         \
	"\ttrap '' TERM INT\n"                                                   \
	"\t[ -n \"${nsb_wait:-}\" ] && kill \"$nsb_wait\" 2>/dev/null\n"         \
	"\t" SHUTDOWN "\n"                                                       \
	"\texit 0\n"                                                             \
	"}\n"                                                                    \
	"trap nsb_stop TERM INT\n"                                               \
	BOOT                                                                     \
	SH_READY                                                                 \
	"while :; do sleep 3600 & nsb_wait=$!; wait $nsb_wait; done\n"

/* How long the status checks may take together before the slow ones count as failed. */
#define NSB_CHECK_SECONDS "10"

/* The second line of every stub, which the status check looks for. */
#define NSB_STUB_MARK "# Masked by nsboot: a bare-metal service, not run in a container."

/* A status check: LIST (sh) prints service names; STATUS (sh, a function body taking the
 * name as $1) returns non-zero when that service is not running. A service DIR/NAME that
 * is one of nsboot's stubs is skipped (with shell builtins only: no fork); every other
 * STATUS runs in parallel with its output discarded; what is still running after
 * NSB_CHECK_SECONDS is killed and named. */
#define NSB_SH_CHECK(DIR, LIST, STATUS)                                          \
	"nsb_list() {\n" LIST "}\n"                                              \
	"nsb_status() {\n" STATUS "}\n"                                          \
	"nsb_pids=\n"                                                            \
	"for nsb_s in $(nsb_list); do\n"                                         \
	"\tnsb_l=\n"                                                             \
	"\t{ read -r nsb_l; read -r nsb_l; } 2>/dev/null <\"" DIR "/$nsb_s\"\n"     \
	"\t[ \"$nsb_l\" = \"" NSB_STUB_MARK "\" ] && continue\n"                     \
	"\t(trap 'echo \"$nsb_s\"; exit 1' TERM\n"                              \
	"\t nsb_status \"$nsb_s\" </dev/null >/dev/null 2>&1 &\n"                \
	"\t wait $! || echo \"$nsb_s\") &\n"                                      \
	"\tnsb_pids=\"$nsb_pids $!\"\n"                                          \
	"done\n"                                                                 \
	"[ -n \"$nsb_pids\" ] || exit 0\n"                                       \
	"(sleep " NSB_CHECK_SECONDS "; kill $nsb_pids) >/dev/null 2>&1 &\n"     \
	"nsb_dog=$!\n"                                                           \
	"for nsb_p in $nsb_pids; do wait $nsb_p || :; done\n"                    \
	"kill $nsb_dog 2>/dev/null\n"                                            \
	"exit 0\n"

/* Masked services, sysv-rc style: a script that does nothing and succeeds. */
static const char sysv_stub[] = "#!/bin/sh\n"
				NSB_STUB_MARK "\n"
				"exit 0\n";

/* OpenRC: -shutdown, so that "openrc shutdown" need not run a no-op stop (each costs an
 * openrc-run). */
static const char openrc_stub[] = "#!/sbin/openrc-run\n"
				  NSB_STUB_MARK "\n"
				  "description=\"masked by nsboot\"\n"
				  "depend() { keyword -shutdown; }\n"
				  "start() { return 0; }\n"
				  "stop() { return 0; }\n";

/* Guix's convention for a container's boot: the directories its activation expects, the
 * environment its boot script reads. */
static int guix_prepare(const char *system, char *err, size_t errlen)
{
	static const char *const dirs[] = { "/run", "/bin", "/etc", "/home", "/var" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "guix: mkdir %s: %s", dirs[i], strerror(e));
			return -e;
		}
	}
	if (setenv("HOME", "/root", 1) < 0 || setenv("TMPDIR", "/tmp", 1) < 0 ||
	    setenv("GUIX_NEW_SYSTEM", system, 1) < 0) {
		int e = errno;
		snprintf(err, errlen, "guix: setenv: %s", strerror(e));
		return -e;
	}
	return 0;
}

const struct nsb_preset nsb_presets[] = {
	{
		/* OpenRC: sysinit, boot, default; "openrc shutdown" to stop. Checked first: an
		 * OpenRC tree may hold sysv-rc's /etc/init.d/rc as well. */
		.name = "openrc",
		.detect = "/sbin/openrc",
		.entry = "/sbin/openrc",
		.script = NSB_SH_BOOT("",
				      "openrc sysinit\n"
				      "openrc boot\n"
				      "openrc default\n",
				      "openrc shutdown"),
		.drops = "drop-openrc.list",
		.service_dir = "/etc/init.d",
		.stub = openrc_stub,
		/* OpenRC's own container awareness: rc_sys, read from rc.conf.d after
		 * rc.conf, drops each service whose `keyword` line names it or -containers
		 * (see docs/design.md, "The tree's own container awareness") */
		.sys_conf = "/etc/rc.conf.d/nsboot.conf",
		.sys_text = "# Written by nsboot: OpenRC drops the services that do not belong in\n"
			    "# a container of this kind (their keyword -systemd-nspawn or -containers).\n"
			    "rc_sys=\"systemd-nspawn\"\n",
		.sys_drops = "-systemd-nspawn -containers",
		/* the tree's status check, not its bookkeeping: an LSB script whose daemon
		 * died at once is still "started" for rc-status */
		.check = NSB_SH_CHECK("/etc/init.d",
			/* the runlevels' services as rc-status lists them: without those the
			 * tree's own keywords drop under rc_sys */
			"\tfor l in sysinit boot default; do rc-status -f ini \"$l\"; done 2>/dev/null |\n"
			"\t\tsed -n 's/^\\([^[ ][^ ]*\\) = .*/\\1/p'\n",
			/* an LSB script's own status, else OpenRC's: 0 started, 16 inactive */
			"\tread -r l <\"/etc/init.d/$1\"\n"
			"\tcase $l in\n"
			"\t*openrc-run*) rc-service \"$1\" status; case $? in 0|16) return 0;; esac;;\n"
			"\t*) \"/etc/init.d/$1\" status; case $? in 1|2|3) ;; *) return 0;; esac;;\n"
			"\tesac\n"
			"\treturn 1\n"),
	},
	{
		/* runit, by its three stages as runit runs them as PID 1: /etc/runit/1 once;
		 * /etc/runit/2 (which execs runsvdir) in the background; "up" once runsvdir
		 * supervises every service of /etc/service and `sv -w 7 check` (runit's own
		 * wait, its default 7 s) has seen each in its wanted state or given up on it;
		 * to stop, stage 2 gets SIGTERM as runit sends it, then /etc/runit/3 (`sv
		 * force-stop`, `sv exit`, the tree's rc0.d scripts). When stage 2 ends by
		 * itself, stage 3 runs and the boot exits 1. Debian's stages 1 and 3 run the
		 * tree's sysv-rc scripts (rcS.d, rc0.d): the sysv list and its setup apply.
		 * Debian's getty services take themselves down (moved aside in /etc/service)
		 * when the container lacks their tty; that is done before stage 2, so that
		 * runsvdir does not restart them until it rescans.
		 * Checked before sysv: a runit tree holds /etc/init.d/rc too. */
		.name = "runit",
		.detect = "/sbin/runit-init",
		.entry = "/etc/runit/1",
		.script = "mkdir -p /run/lock /run/sendsigs.omit.d && chmod 1777 /run/lock\n"
			  "nsb_stop() {\n"
			  "\ttrap '' TERM INT\n"
			  "\tkill \"$nsb_sv\" 2>/dev/null\n"
			  "\twait \"$nsb_sv\"\n"
			  "\t/etc/runit/3\n"
			  "\texit $1\n"
			  "}\n"
			  "trap 'nsb_stop 0' TERM INT\n"
			  "/etc/runit/1\n"
			  /* what each Debian getty-run service does itself when its tty is
			   * missing, done before runsvdir starts it and waits for it */
			  "for s in /etc/service/getty-*; do\n"
			  "\t[ -e \"$s\" ] && [ ! -c \"/dev/${s##*/getty-}\" ] &&\n"
			  "\t\tmv \"$s\" \"/etc/service/.${s##*/}\" 2>/dev/null\n"
			  "done\n"
			  "/etc/runit/2 &\n"
			  "nsb_sv=$!\n"
			  "until sv status /etc/service/* >/dev/null 2>&1; do\n"
			  "\tkill -0 \"$nsb_sv\" 2>/dev/null || nsb_stop 1\n"
			  "\tsleep 0.05\n"
			  "done\n"
			  "sv -w 7 check /etc/service/* >/dev/null 2>&1\n"
			  SH_READY
			  "wait \"$nsb_sv\"\n"
			  "nsb_stop 1\n",
		.drops = "drop-sysv.list",
		.service_dir = "/etc/init.d",
		.stub = sysv_stub,
		/* runit's view: a service that is not in the state it is wanted in (a
		 * service that took itself down, as Debian's getty-run does without its
		 * tty, is wanted down) */
		.check = NSB_SH_CHECK("/etc/service",
			"\tfor f in /etc/service/*; do [ -e \"$f\" ] && echo \"${f##*/}\"; done\n",
			"\tsv check \"/etc/service/$1\"\n"),
	},
	{
		/* GNU Shepherd with the system configuration /etc/shepherd.scm, as a process:
		 * not PID 1, shepherd makes itself a subreaper, and SIGTERM/SIGINT make it stop
		 * every service and exit. Its --pid file appears once its socket listens; the
		 * configuration is loaded by a fiber spawned before that, so the first `herd
		 * status` answered shows every service it asked for as started or under
		 * "Starting:". "Up" once none is starting. To stop, shepherd gets SIGTERM and
		 * the boot exits 0 once it is gone; when shepherd exits by itself (`herd stop
		 * root`), the boot exits with its status. Checked before sysv. */
		.name = "shepherd",
		.detect = "/etc/shepherd.scm",
		.entry = "/usr/bin/shepherd",
		.script = "nsb_stop() {\n"
			  "\ttrap '' TERM INT\n"
			  "\tkill \"$nsb_sh\" 2>/dev/null\n"
			  "\twait \"$nsb_sh\"\n"
			  "\texit 0\n"
			  "}\n"
			  "trap nsb_stop TERM INT\n"
			  "rm -f /run/shepherd.pid\n"
			  "/usr/bin/shepherd --config=/etc/shepherd.scm --pid=/run/shepherd.pid "
			  "--logfile=/var/log/shepherd.log &\n"
			  "nsb_sh=$!\n"
			  "until [ -e /run/shepherd.pid ] || ! kill -0 \"$nsb_sh\" 2>/dev/null; do\n"
			  "\tsleep 0.05\n"
			  "done\n"
			  "while kill -0 \"$nsb_sh\" 2>/dev/null &&\n"
			  "\therd status 2>/dev/null | grep -q '^Starting:'; do\n"
			  "\tsleep 0.1\n"
			  "done\n"
			  "kill -0 \"$nsb_sh\" 2>/dev/null && " SH_READY
			  "wait \"$nsb_sh\"\n"
			  "exit $?\n",
		/* the services shepherd lists as failed: one `herd status` (each herd is a
		 * Guile start-up), its "Failed to start:" section */
		.check = NSB_SH_CHECK("/etc/shepherd.d",
			"\therd status 2>/dev/null | sed -n '/^Failed to start:/,/^[^ ]/s/^ *[^ ] //p'\n",
			"\treturn 1\n"),
	},
	{
		/* sysv-rc: the runlevels as sysvinit runs them (S, then 2 with the previous
		 * level N), the halt runlevel 0 to stop. First what the masked mountkernfs.sh
		 * leaves in /run for the scripts after it (a lock directory, sendsigs' omit
		 * directory). */
		.name = "sysv",
		.detect = "/etc/init.d/rc",
		.entry = "/etc/init.d/rc",
		.script = NSB_SH_BOOT("mkdir -p /run/lock /run/sendsigs.omit.d && chmod 1777 /run/lock\n",
				      "RUNLEVEL=S PREVLEVEL=N /etc/init.d/rc S\n"
				      "RUNLEVEL=2 PREVLEVEL=N /etc/init.d/rc 2\n",
				      "RUNLEVEL=0 PREVLEVEL=2 /etc/init.d/rc 0"),
		.drops = "drop-sysv.list",
		.service_dir = "/etc/init.d",
		.stub = sysv_stub,
		/* the services of runlevel 2 (runlevel S holds one-shot boot steps, whose
		 * status says nothing); LSB: status 1, 2, 3 say "not running", 4 (unknown)
		 * and the rest say nothing */
		.check = NSB_SH_CHECK("/etc/init.d",
			"\tfor f in /etc/rc2.d/S*; do\n"
			"\t\t[ -e \"$f\" ] && echo \"${f##*/S[0-9][0-9]}\"\n"
			"\tdone\n",
			"\t[ -x \"/etc/init.d/$1\" ] || return 0\n"
			"\t\"/etc/init.d/$1\" status; r=$?\n"
			"\tcase $r in 1|2|3) return 1;; esac\n"
			"\treturn 0\n"),
	},
	{
		/* a Guix system: SYSTEM/boot, with Guix's container conventions */
		.name = "guix",
		.takes_path = true,
		.command = "%s/boot",
		.prepare = guix_prepare,
	},
	{
		/* an interactive /bin/sh on the console: booted once it runs; the fallback of
		 * detection */
		.name = "shell",
		.command = "/bin/sh",
		.ready = NSB_READY_RUNS,
	},
};

const size_t nsb_n_presets = sizeof nsb_presets / sizeof nsb_presets[0];

/* The preset of a tree no row detects, and the one whose masks such a tree gets (plain
 * scripts in /etc/init.d). */
const char nsb_preset_fallback[] = "shell";
const char nsb_preset_masks_fallback[] = "sysv";
