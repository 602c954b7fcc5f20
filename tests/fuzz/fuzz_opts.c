/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the option parser of nsboot, nsboot-init and nsboot-mount
 * (lib/opts.c). The input split on NUL bytes is the argument words after argv[0]; each
 * program parses them in turn, and what it accepts must hold the parser's promises. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

/* The words of the current input (TEXT, SIZE bytes and a NUL), for pointer checks. */
static const char *text_start;
static size_t text_size;

/* True when S is NULL or points into the words (an option's value is part of its word). */
static int in_words(const char *s)
{
	return !s || (s >= text_start && s <= text_start + text_size);
}

/* Checks what nsb_parse_args promises for an accepted command line of KIND. */
static void check_ok(const struct nsb_config *c, char **argv, int argc, enum nsb_prog_kind kind)
{
	if (c->argc < 0 || c->argc > argc - 1 || c->argv + c->argc != argv + argc ||
	    c->argv[c->argc] != NULL)
		fuzz_fail("COMMAND is not the tail of argv");
	if (c->n_option_args < 0 || 1 + c->n_option_args + c->argc > argc)
		fuzz_fail("option words and COMMAND overlap");
	if (c->n_mounts > NSB_MAX_SPECS || c->n_fstabs > NSB_MAX_SPECS || c->n_setenv > NSB_MAX_SPECS)
		fuzz_fail("more specs than the arrays hold");
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct nsb_mount_spec *m = &c->mounts[i];
		if (!m->dst || m->dst[0] != '/')
			fuzz_fail("a mount destination is not absolute");
		if ((m->kind == NSB_MNT_BIND || m->kind == NSB_MNT_BIND_RO) && (!m->src || !*m->src))
			fuzz_fail("a bind without a source");
		if (m->kind == NSB_MNT_OVERLAY && (!m->src || !*m->src))
			fuzz_fail("an overlay without a lower dir");
		if (m->opts && !*m->opts)
			fuzz_fail("empty mount options instead of NULL");
	}
	for (size_t i = 0; i < c->n_fstabs; i++)
		if (!c->fstabs[i] || !in_words(c->fstabs[i]))
			fuzz_fail("an fstab file that is no word");
	for (size_t i = 0; i < c->n_setenv; i++)
		if (!c->setenv[i] || !in_words(c->setenv[i]) || !strchr(c->setenv[i], '='))
			fuzz_fail("a --setenv value that is no VAR=VALUE word");
	for (size_t i = 0; i < c->n_drop_services; i++)
		if (!c->drop_services[i] || !in_words(c->drop_services[i]))
			fuzz_fail("a drop list that is no word");
	if (!in_words(c->tree) || !in_words(c->boot) ||
	    !in_words(c->hostname) || !in_words(c->private_users) || !in_words(c->pid_file))
		fuzz_fail("an option value outside the words");
	if (c->root == NSB_ROOT_TMPFS && c->tree)
		fuzz_fail("--tmpfs-root with a tree");
	if (c->root != NSB_ROOT_NONE && c->root != NSB_ROOT_TMPFS && !c->tree)
		fuzz_fail("a tree root mode without a tree");
	if (c->mount_options != (c->root != NSB_ROOT_NONE))
		fuzz_fail("mount_options disagrees with the root mode");
	if (kind == NSB_PROG_SPAWN && c->root == NSB_ROOT_NONE)
		fuzz_fail("nsboot without a root");
	if (c->argc > 0 && c->boot)
		fuzz_fail("--boot and COMMAND together");
	if (c->grace_ms < 0)
		fuzz_fail("a negative grace");
	if (kind != NSB_PROG_SPAWN && (c->private_users || c->pid_file || c->ready_fd != -1 ||
				       c->wait_booted || c->n_setenv || c->console))
		fuzz_fail("a spawner option accepted by another program");
	if (kind != NSB_PROG_MOUNT && c->tree_fd != -1)
		fuzz_fail("--tree-fd accepted outside nsboot-mount");
	if (kind == NSB_PROG_SPAWN && (c->sync_fd != -1 || c->setup_done))
		fuzz_fail("an internal option accepted by nsboot");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum nsb_prog_kind kinds[] = { NSB_PROG_SPAWN, NSB_PROG_INIT, NSB_PROG_MOUNT };
	static const char *const names[] = { "nsboot", "nsboot-init", "nsboot-mount" };
	static struct nsb_config c;
	if (size > 65536)
		return 0;
	/* the words, each NUL-terminated, and a pristine copy to see that argv stays as given */
	char *text = malloc(size + 1), *orig = malloc(size + 1);
	int words = 1;
	for (size_t i = 0; i < size; i++)
		words += data[i] == '\0';
	char **argv = malloc((size_t)(words + 2) * sizeof *argv);
	char **saved = malloc((size_t)(words + 2) * sizeof *saved);
	if (!text || !orig || !argv || !saved)
		fuzz_fail("out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(orig, text, size + 1);
	text_start = text;
	text_size = size;

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		int argc = 0;
		argv[argc++] = (char *)names[k];
		if (size > 0)
			for (char *w = text; w <= text + size; w += strlen(w) + 1)
				argv[argc++] = w;
		argv[argc] = NULL;
		memcpy(saved, argv, (size_t)(argc + 1) * sizeof *argv);

		char err[256];
		memset(err, 'x', sizeof err);
		enum nsb_parse_result r = nsb_parse_args(&c, argc, argv, kinds[k], err, sizeof err);
		if (memcmp(saved, argv, (size_t)(argc + 1) * sizeof *argv) != 0 ||
		    memcmp(text, orig, size + 1) != 0)
			fuzz_fail("the parser changed argv");
		switch (r) {
		case NSB_PARSE_OK:
			check_ok(&c, argv, argc, kinds[k]);
			break;
		case NSB_PARSE_ERROR:
			if (!memchr(err, '\0', sizeof err) || !err[0])
				fuzz_fail("an error without a reason");
			break;
		case NSB_PARSE_HELP:
		case NSB_PARSE_VERSION:
			break;
		default:
			fuzz_fail("an unknown parse result");
		}
	}
	free(saved);
	free(argv);
	free(orig);
	free(text);
	return 0;
}
