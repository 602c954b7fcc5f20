/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one list of signals that travel towards the boot command: nsboot relays them to the
 * container's PID 1, nsboot-init forwards them to its command. */
#ifndef NSB_SIGNALS_H
#define NSB_SIGNALS_H

#include <stddef.h>

/* Highest signal number plus one on Linux (glibc's NSIG is 65, musl's _NSIG too). */
#define NSB_NSIG 65

extern const int nsb_forwarded_signals[];
extern const size_t nsb_n_forwarded_signals;

#endif
