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

/* The boot command was started as PID with PRESET (NULL for COMMAND). A preset whose
 * readiness rule is NSB_READY_RUNS (the shell) is "up" as soon as it runs (BOOTED is sent
 * now); others wait for their report, and a preset with a status check runs it first
 * (nsb_notify_check_start). */
void nsb_notify_started(pid_t pid, const struct nsb_preset *preset);

/* The interpreter of the status check (the tree's own). */
#define NSB_CHECK_SH "/bin/sh"

/* Once READY=1 was accepted (nsb_notify_handle returned 1) and nsb_notify_booted() is
 * still false: starts the preset's status check (/bin/sh -c CHECK, stdout to a pipe, in a
 * session of its own) and returns the pipe's non-blocking read end for the loop to watch;
 * a negative errno when there is none to run (booted is then sent, the failure logged). */
int nsb_notify_check_start(void);

/* Reads what the check printed on FD (service names, one per line); at its end closes FD,
 * sends BOOTED with the names and returns 1; else 0. */
int nsb_notify_check_read(int fd);

/* The fds PID 1's loop watches for reading: the socket and the FIFO (-1 when absent). */
int nsb_notify_socket_fd(void);
int nsb_notify_fifo_fd(void);

/* Reads what is waiting on FD (one of the two above) without blocking; on the first valid
 * READY=1 returns 1 and sends BOOTED (when there is a sync fd) unless the preset has a
 * status check to run first; else 0. Never fails: bad
 * senders and junk are ignored (noted with -v). */
int nsb_notify_handle(int fd);

/* True once READY=1 was accepted. */
bool nsb_notify_booted(void);

/* Closes the fds (in a forked child before exec they are close-on-exec anyway). */
void nsb_notify_close(void);

#endif
