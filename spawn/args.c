/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the spawner hands to the container: environment, init command line, host name. */
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets the VAR=VALUE ENTRY in the NULL-terminated ENV (room for CAP entries with the NULL),
 * replacing an entry of the same VAR. */
static void env_put(char **env, size_t cap, const char *entry)
{
	size_t klen = strcspn(entry, "=") + 1, i;
	for (i = 0; env[i]; i++)
		if (strncmp(env[i], entry, klen) == 0) {
			env[i] = (char *)entry;
			return;
		}
	if (i + 1 < cap) {
		env[i] = (char *)entry;
		env[i + 1] = NULL;
	}
}

char **nsb_spawn_env(const struct nsb_config *c, const char *term)
{
	size_t cap = 5 + c->n_setenv + 1;
	char **env = calloc(cap, sizeof *env);
	if (!env)
		return NULL;
	env_put(env, cap, "container=nsboot");
	env_put(env, cap, "HOME=/root");
	env_put(env, cap, "TMPDIR=/tmp");
	env_put(env, cap, "PATH=" NSB_DEFAULT_PATH);
	if (term) {
		size_t len = strlen(term) + sizeof "TERM=";
		char *t = malloc(len);
		if (!t) {
			free(env);
			return NULL;
		}
		snprintf(t, len, "TERM=%s", term);
		env_put(env, cap, t);
	}
	for (size_t i = 0; i < c->n_setenv; i++)
		env_put(env, cap, c->setenv[i]);
	return env;
}

char **nsb_spawn_init_argv(const struct nsb_config *c, int sync_fd)
{
	size_t n = 0;
	size_t cap = 10 + (size_t)(c->verbosity > 0 ? c->verbosity : 0) + (size_t)c->argc;
	size_t bootlen = c->boot ? strlen(c->boot) + sizeof "--boot=" : 0;
	/* one block: the pointers, then the three formatted words */
	size_t words = 32 + 40 + bootlen;
	char **argv = malloc(cap * sizeof *argv + words);
	if (!argv)
		return NULL;
	char *sync = (char *)(argv + cap), *grace = sync + 32, *boot = grace + 40;
	argv[n++] = "nsboot-init";
	argv[n++] = "--setup-done";
	snprintf(sync, 32, "--sync-fd=%d", sync_fd);
	argv[n++] = sync;
	if (c->verbosity < 0)
		argv[n++] = "-q";
	for (int v = 0; v < c->verbosity; v++)
		argv[n++] = "-v";
	if (c->kill_group)
		argv[n++] = "--kill-group";
	if (c->grace_ms != 10000) {
		snprintf(grace, 40, "--grace=%ld.%03ld", c->grace_ms / 1000, c->grace_ms % 1000);
		argv[n++] = grace;
	}
	if (c->boot) {
		snprintf(boot, bootlen, "--boot=%s", c->boot);
		argv[n++] = boot;
	}
	argv[n++] = "--";
	for (int i = 0; i < c->argc; i++)
		argv[n++] = c->argv[i];
	argv[n] = NULL;
	return argv;
}

/* Copies the last component of PATH (trailing slashes ignored) into OUT; "" when none. */
static void last_component(const char *path, char *out, size_t len)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	snprintf(out, len, "%.*s", (int)(end - start), path + start);
	if (strcmp(out, "/") == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		out[0] = '\0';
}

void nsb_default_hostname(const char *tree, char *out, size_t len)
{
	if (tree)
		last_component(tree, out, len);
	if (tree && !out[0]) {
		char *real = realpath(tree, NULL);
		if (real)
			last_component(real, out, len);
		free(real);
	}
	if (!tree || !out[0])
		snprintf(out, len, "nsboot");
}

int nsb_go_fd(const struct nsb_msg *m, const char *name)
{
	size_t idx = 0, len = strlen(name);
	for (const char *p = m->text; *p; idx++) {
		size_t n = strcspn(p, ",");
		if (n == len && memcmp(p, name, len) == 0)
			return idx < m->n_fds ? m->fds[idx] : -1;
		p += n + (p[n] == ',');
	}
	return -1;
}
