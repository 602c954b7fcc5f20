/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --fstab files, parsed by libmount (with apply.c the only code that includes
 * libmount.h): every line becomes a plain struct the pure plan builder turns into entries. */
#include "log.h"
#include "plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmount.h>

/* The line of the first malformed entry, found by the parser's error callback. */
struct parse_state {
	int bad_line;
};

/* libmount's parser error callback: records the line and stops the parse. */
static int on_parse_error(struct libmnt_table *tb, const char *filename, int line)
{
	struct parse_state *st = mnt_table_get_userdata(tb);
	(void)filename;
	if (st && !st->bad_line)
		st->bad_line = line;
	return -EINVAL; /* non-zero: abort instead of skipping the line */
}

/* Duplicates S (NULL stays NULL); false when out of memory. */
static bool dup(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return true;
	return (*out = strdup(s)) != NULL;
}

/* Turns one parsed line into L; 0, 1 to skip it, or a negative errno with ERR set. */
static int convert(struct libmnt_fs *fs, const char *origin, struct nsb_fstab_line *l,
		   char *err, size_t errlen)
{
	const char *src = mnt_fs_get_source(fs), *tgt = mnt_fs_get_target(fs);
	const char *type = mnt_fs_get_fstype(fs);
	const char *opts = mnt_fs_get_options(fs);
	if (mnt_fs_is_swaparea(fs) || (opts && mnt_optstr_get_option(opts, "noauto", NULL, NULL) == 0))
		return 1;
	if (!tgt || tgt[0] != '/')
		return nsb_fail(err, errlen, -EINVAL, "%s: target '%s' is not an absolute path", origin,
			    tgt ? tgt : "");
	if (!src || !*src)
		return nsb_fail(err, errlen, -EINVAL, "%s: empty source", origin);

	char *o = opts ? strdup(opts) : strdup("");
	if (!o)
		return -ENOMEM;
	unsigned long fl = 0;
	if (*o)
		mnt_optstr_get_flags(o, &fl, mnt_get_builtin_optmap(MNT_LINUX_MAP));
	*l = (struct nsb_fstab_line){ 0 };
	snprintf(l->origin, sizeof l->origin, "%s", origin);
	/* X-mount.mkdir would make libmount create directories outside the root: the applier
	 * creates missing mount points inside it anyway. */
	if (mnt_optstr_remove_option(&o, "X-mount.mkdir") == 0)
		l->mkdir = true;
	if (fl & MS_BIND) {
		l->rbind = (fl & MS_REC) != 0;
		/* libmount's own ro remount would drop a userns' locked flags and leave the bind
		 * writable when it fails: the applier makes it read-only with mount_setattr. */
		if (fl & MS_RDONLY) {
			l->ro_bind = true;
			while (mnt_optstr_remove_option(&o, "ro") == 0)
				;
		}
		type = NULL; /* "none" */
	}
	if (!dup(&l->source, src) || !dup(&l->target, tgt) ||
	    !dup(&l->type, type && strcmp(type, "none") != 0 && strcmp(type, "auto") != 0 ? type : NULL)) {
		free(o);
		return -ENOMEM;
	}
	if (*o)
		l->options = o;
	else
		free(o);
	if (!l->type && !(fl & MS_BIND)) {
		free(l->source);
		free(l->target);
		free(l->options);
		*l = (struct nsb_fstab_line){ 0 };
		return nsb_fail(err, errlen, -EINVAL,
			    "%s: %s: a file system type is needed (or bind)", origin, tgt);
	}
	return 0;
}

/* True when libmount's parser takes LINE (as read, with its newline) for an entry: it
 * ends the line at the newline (or a NUL), drops one '\r' before it and leading spaces
 * and tabs, and skips what is then empty or starts with '#'. */
static bool entry_line(char *line)
{
	char *end = strchr(line, '\n');
	if (!end)
		end = line + strlen(line);
	if (end > line && end[-1] == '\r')
		end--;
	*end = '\0';
	const char *s = line + strspn(line, " \t");
	return *s && *s != '#';
}

int nsb_fstab_read(const char *path, struct nsb_fstab *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return nsb_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct parse_state st = { 0 };
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;
	if (!tb || !it) {
		r = nsb_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	mnt_table_set_userdata(tb, &st);
	mnt_table_set_parser_errcb(tb, on_parse_error);
	r = mnt_table_parse_stream(tb, f, path);
	if (st.bad_line) {
		r = nsb_fail(err, errlen, -EINVAL, "%s:%d: malformed line", path, st.bad_line);
		goto out;
	}
	if (r < 0) {
		r = nsb_fail(err, errlen, r, "%s: %s", path, strerror(-r));
		goto out;
	}
	/* libmount keeps no line numbers for good lines: the file is read again alongside,
	 * each entry taking the next line libmount parses as one (skipped entries too) */
	rewind(f);
	unsigned long ln = 0;
	struct libmnt_fs *fs;
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		if (out->n >= NSB_FSTAB_MAX) {
			r = nsb_fail(err, errlen, -E2BIG, "%s: more than %d lines", path, NSB_FSTAB_MAX);
			goto out;
		}
		unsigned long line = 0;
		while (!line && getline(&buf, &cap, f) >= 0) {
			ln++;
			if (entry_line(buf))
				line = ln;
		}
		char origin[300];
		snprintf(origin, sizeof origin, "%s:%lu", path, line);
		r = convert(fs, origin, &out->l[out->n], err, errlen);
		if (r < 0)
			goto out;
		if (r == 0)
			out->n++;
		r = 0;
	}
out:
	free(buf);
	mnt_free_iter(it);
	mnt_unref_table(tb);
	fclose(f);
	return r;
}

void nsb_fstab_free(struct nsb_fstab *out)
{
	for (size_t i = 0; i < out->n; i++) {
		free(out->l[i].source);
		free(out->l[i].target);
		free(out->l[i].type);
		free(out->l[i].options);
	}
	out->n = 0;
}
