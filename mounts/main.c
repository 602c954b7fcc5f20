/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-mount: the libmount helper a standalone nsboot-init execs in its fresh mount
 * namespace to build its root (nsboot-init itself stays small and free of libmount). It
 * speaks as the init: its one error line reads "nsboot-init: PHASE: MESSAGE". */
#include <stdio.h>

#include "config.h"
#include "log.h"
#include "proto.h"
#include "setup.h"

int main(int argc, char **argv)
{
	struct nsb_config c;
	char err[512];
	nsb_prog = "nsboot-init";
	switch (nsb_parse_args(&c, argc, argv, NSB_PROG_MOUNT, err, sizeof err)) {
	case NSB_PARSE_HELP:
		fputs(nsb_help_text(NSB_PROG_MOUNT), stdout);
		return 0;
	case NSB_PARSE_VERSION:
		printf("nsboot-mount %s\n", NSB_VERSION);
		return 0;
	case NSB_PARSE_ERROR:
		log_error("%s", err);
		fprintf(stderr, "%s\n", nsb_usage_line(NSB_PROG_MOUNT));
		if (c.sync_fd >= 0)
			nsb_send_error(c.sync_fd, NSB_PHASE_USAGE, "%s", err);
		return NSB_EXIT_FAILURE;
	case NSB_PARSE_OK:
		break;
	}
	nsb_verbosity = c.verbosity;
	struct nsb_setup_env env = { .tree_fd = c.tree_fd, .own_netns = -1, .own_ipcns = -1,
				     .pidns_fd = -1 };
	struct nsb_error e = { "", "" };
	if (nsb_setup_root(&c, &env, &e) < 0) {
		log_error("%s: %s", e.phase, e.message);
		if (c.sync_fd >= 0)
			nsb_send_error(c.sync_fd, e.phase, "%s", e.message);
		return NSB_EXIT_FAILURE;
	}
	return 0;
}
