/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner/init protocol (docs/protocol.md):
 * one record per SOCK_SEQPACKET message, at most NSB_PROTO_MAX bytes.
 *   GO      "G"                      spawner -> init; SCM_RIGHTS may carry fds (see below)
 *   READY   "R"                      init -> spawner, after the pivot and the service masks
 *   ERROR   "E" PHASE "\0" MESSAGE   init -> spawner; MESSAGE is one line, strerror included
 *   BOOTED  "B" [FAILED]             init -> spawner, when the boot command reported "up";
 *                                    FAILED: the services that did not come up, NAME,NAME
 *   EXIT    "X" STATUS               init -> spawner, right before it exits: its exit status
 *                                    in decimal (0-255), for a spawner that cannot wait for
 *                                    PID 1 to be reaped (processes stuck in the kernel)
 * GO's payload after "G" names the passed fds in order, comma-separated ("tree" for the
 * idmapped clone of TREE); an empty payload carries no fd. */
#ifndef NSB_PROTO_H
#define NSB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NSB_PROTO_MAX 4096
#define NSB_PROTO_MAX_FDS 4
#define NSB_PROTO_PHASE 64 /* an ERROR phase is shorter */

/* The phases an ERROR record names: where the setup failed (struct nsb_error, lib/error.h). */
#define NSB_PHASE_USAGE "usage"                 /* the command line */
#define NSB_PHASE_TREE "tree"                   /* TREE cannot be opened */
#define NSB_PHASE_FSTAB "fstab"                 /* an --fstab file or one of its lines */
#define NSB_PHASE_BOOT "boot"                   /* the preset or the boot command */
#define NSB_PHASE_DROP_SERVICES "drop-services" /* the drop list */
#define NSB_PHASE_PLAN "plan"                   /* the mount plan */
#define NSB_PHASE_MOUNT "mount"                 /* a mount of the root */
#define NSB_PHASE_MASK "mask"                   /* a service mask */
#define NSB_PHASE_PIVOT "pivot"                 /* the move into the new root */
#define NSB_PHASE_NETWORK "network"             /* joining the container's net namespace */
#define NSB_PHASE_SETUP "setup"                 /* the root's setup, nothing more precise known */
#define NSB_PHASE_IDMAP "idmap"                 /* mounting the idmapped binds */
#define NSB_PHASE_USERNS "userns"               /* the init's user namespace and its maps */
#define NSB_PHASE_HOSTNAME "hostname"           /* sethostname */
#define NSB_PHASE_LOCK "lock"                   /* the copy that locks the mounts */
#define NSB_PHASE_CONSOLE "console"             /* the pty as the init's terminal */
#define NSB_PHASE_EXEC "exec"                   /* exec of nsboot-init */
#define NSB_PHASE_INIT "init"                   /* a standalone nsboot-init's own setup */

enum nsb_msg_type { NSB_MSG_GO = 'G', NSB_MSG_READY = 'R', NSB_MSG_ERROR = 'E', NSB_MSG_BOOTED = 'B',
		   NSB_MSG_EXIT = 'X' };

struct nsb_msg {
	enum nsb_msg_type type;
	char phase[NSB_PROTO_PHASE];     /* ERROR */
	char text[NSB_PROTO_MAX - NSB_PROTO_PHASE]; /* ERROR message, GO fd names, EXIT status,
						     * BOOTED's failed services */
	int fds[NSB_PROTO_MAX_FDS];      /* GO: received fds, -1 when unused */
	size_t n_fds;
};

/* True when the LEN bytes at PHASE may be an ERROR record's phase: 1 to
 * NSB_PROTO_PHASE - 1 bytes, no NUL, no newline. The encoder and the decoder both ask. */
bool nsb_msg_phase_valid(const char *phase, size_t len);
/* True when the LEN bytes at TEXT are a BOOTED record's list of failed services: empty or
 * service names joined by commas (pure; the encoder and the decoder both ask). */
bool nsb_msg_failed_valid(const char *text, size_t len);
/* True when the LEN bytes at TEXT are an EXIT record's status ("0" to "255"); pure. */
bool nsb_msg_status_valid(const char *text, size_t len);

/* Encodes M into BUF (pure); returns the record length or -EMSGSIZE / -EINVAL. The text
 * must end with a NUL inside its array (else -EMSGSIZE). */
ssize_t nsb_msg_encode(const struct nsb_msg *m, char *buf, size_t len);
/* Decodes one record of LEN bytes into M (pure); -EBADMSG when malformed or truncated. */
int nsb_msg_decode(struct nsb_msg *m, const char *buf, size_t len);

/* Sends M on FD with M->fds attached; returns 0 or a negative errno. */
int nsb_msg_send(int fd, const struct nsb_msg *m);
/* Receives one record; returns 0, -EPIPE on EOF (peer gone), -EBADMSG, or a negative errno.
 * Received fds are close-on-exec. */
int nsb_msg_recv(int fd, struct nsb_msg *m);
/* The same for a peer that must send no fd (the container's init, after GO): fds it sends
 * anyway are dropped by the kernel unseen and the record is -EBADMSG. */
int nsb_msg_recv_nofds(int fd, struct nsb_msg *m);

/* GO's name of the idmapped clone of TREE. */
#define NSB_GO_TREE "tree"

/* The fd that GO carried under NAME (M->text lists the fds' names in order, comma-separated),
 * or -1. */
int nsb_go_fd(const struct nsb_msg *m, const char *name);

/* Convenience senders. */
int nsb_send_simple(int fd, enum nsb_msg_type type);
int nsb_send_error(int fd, const char *phase, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
