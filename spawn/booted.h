/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's side of readiness towards a service manager: under systemd (Type=notify)
 * nsboot tells its own NOTIFY_SOCKET "READY=1" when it reports readiness (at READY, or at
 * BOOTED with --wait-booted). */
#ifndef NSB_BOOTED_H
#define NSB_BOOTED_H

#include <stddef.h>

/* Sends STATE (e.g. "READY=1") as one datagram to the socket named by $NOTIFY_SOCKET (a
 * path, or "@name" in the abstract namespace). Returns 1 when sent, 0 when the variable is
 * unset, or a negative errno (the caller warns; nothing else depends on it). */
int nsb_sd_notify(const char *state);

/* Says "booted in MS ms", or "booted in MS ms (2 services failed: ssh, cron)" when FAILED
 * (BOOTED's text: names joined by commas) is not empty. Returns the number of failed
 * services. */
size_t nsb_booted_report(long long ms, const char *failed);

#endif
