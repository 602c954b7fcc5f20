/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "signals.h"

#include <signal.h>

const int nsb_forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				      SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
const size_t nsb_n_forwarded_signals =
	sizeof nsb_forwarded_signals / sizeof nsb_forwarded_signals[0];
