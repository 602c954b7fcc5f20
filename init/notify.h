/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-container readiness: the boot command reports
 * "up" on an sd_notify datagram socket (NOTIFY_SOCKET=/run/nsboot/notify, READY=1 accepted
 * only from the boot command's own pid, checked with SO_PASSCRED) or, from a plain sh
 * script, by writing a line "READY=1" into the FIFO /run/nsboot/ready. PID 1 then sends
 * BOOTED on the sync channel. Portable: glibc and musl. */
#ifndef NSB_NOTIFY_H
#define NSB_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "boot.h"

/* Creates /run/nsboot with the socket and the FIFO (fds close-on-exec, non-blocking) and
 * sets NOTIFY_SOCKET in the calling process's environment for the boot command to inherit.
 * SYNC_FD (or -1) gets BOOTED. Call in PID 1 after the pivot (only when the root was
 * built: never on a host's /run), before forking the boot command. Returns 0, or a
 * negative errno after a warning: the boot goes on without readiness. */
int nsb_notify_setup(int sync_fd);

/* The same in the directory DIR instead of /run/nsboot (for tests); no /run/.tmpfs. */
int nsb_notify_setup_in(const char *dir, int sync_fd);

/* The boot command was started as PID with preset KIND. The shell preset is "up" as soon as
 * it runs (BOOTED is sent now); others wait for their report. */
void nsb_notify_started(pid_t pid, enum nsb_boot_kind kind);

/* The fds PID 1's loop watches for reading: the socket and the FIFO (-1 when absent). */
int nsb_notify_socket_fd(void);
int nsb_notify_fifo_fd(void);

/* Reads what is waiting on FD (one of the two above) without blocking; on the first valid
 * READY=1 sends BOOTED (when there is a sync fd) and returns 1, else 0. Never fails: bad
 * senders and junk are ignored (noted with -v). */
int nsb_notify_handle(int fd);

/* True once READY=1 was accepted. */
bool nsb_notify_booted(void);

/* Closes the fds (in a forked child before exec they are close-on-exec anyway). */
void nsb_notify_close(void);

#endif
