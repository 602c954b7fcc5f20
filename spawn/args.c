/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the spawner hands to the container: environment, init command line, host name. */
#include "spawn.h"
#include "list.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "log.h"

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

void nsb_spawn_detect_preset(struct nsb_config *c)
{
	if (c->argc > 0 || c->boot || !c->tree)
		return;
	int fd = open(c->tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return; /* the builder names the bad tree */
	c->boot = nsb_preset_detect(fd)->name;
	close(fd);
	log_debug("boot: %s preset (detected from the tree)", c->boot);
}

/* A NULL-terminated argv under construction: pointers and the strings in one block. */
struct words {
	char **argv;
	size_t n, cap;
	char *arena;
	size_t used, size;
};

/* Appends WORD as it is (it outlives the argv). */
static void add(struct words *w, const char *word)
{
	if (w->n + 1 < w->cap)
		w->argv[w->n++] = (char *)word;
}

/* Appends a formatted word stored in the block's arena. */
static void addf(struct words *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct words *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->arena + w->used, w->size - w->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->size - w->used)
		return; /* cannot happen: the arena is sized for every word */
	add(w, w->arena + w->used);
	w->used += (size_t)n + 1;
}

/* Length of S, 0 for NULL. */
static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

char **nsb_spawn_init_argv(const struct nsb_config *c, int sync_fd)
{
	size_t cap = 12 + (size_t)(c->verbosity > 0 ? c->verbosity : 0) + (size_t)c->argc;
	size_t size = 128 + slen(c->boot);
	struct words w = { .cap = cap, .size = size };
	if (!(w.argv = malloc(cap * sizeof *w.argv + size)))
		return NULL;
	w.arena = (char *)(w.argv + cap);
	add(&w, "nsboot-init");
	add(&w, "--setup-done");
	addf(&w, "--sync-fd=%d", sync_fd);
	if (c->verbosity < 0)
		add(&w, "-q");
	for (int v = 0; v < c->verbosity; v++)
		add(&w, "-v");
	if (c->kill_group)
		add(&w, "--kill-group");
	if (c->grace_ms != NSB_GRACE_MS_DEFAULT)
		addf(&w, "--grace=%ld.%03ld", c->grace_ms / 1000, c->grace_ms % 1000);
	if (c->boot)
		addf(&w, "--boot=%s", c->boot);
	add(&w, "--");
	for (int i = 0; i < c->argc; i++)
		add(&w, c->argv[i]);
	w.argv[w.n] = NULL;
	return w.argv;
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

bool nsb_opts_take(const char *opts, const char *word, char *out, size_t len)
{
	bool found = false;
	size_t n = 0, k;
	out[0] = '\0';
	for (const char *p = opts, *item; nsb_list_next(&p, &item, &k);) {
		if (nsb_list_is(item, k, word))
			found = true;
		else if (k > 0 && n + (n > 0) + k < len) {
			if (n > 0)
				out[n++] = ',';
			memcpy(out + n, item, k);
			n += k;
			out[n] = '\0';
		}
	}
	return found;
}
