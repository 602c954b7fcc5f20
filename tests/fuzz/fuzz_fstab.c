/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the --fstab reader (nsb_fstab_read, mounts/fstab.c, libmount's
 * parser underneath). The input is the fstab file; every line read must be usable by the
 * plan builder and name its line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../mounts/plan.h"
#include "fuzz.h"

/* Finds line NUMBER (from 1) of DATA: its start and length without the newline; 0 when
 * DATA has fewer lines. */
static int find_line(const uint8_t *data, size_t size, unsigned long number, const char **line,
		     size_t *len)
{
	const uint8_t *p = data, *end = data + size;
	for (unsigned long n = 1; p < end; n++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == number) {
			*line = (const char *)p;
			*len = l;
			return 1;
		}
		p += l + 1;
	}
	return 0;
}

/* True when the line of LEN bytes at LINE is an entry for libmount: after its blanks
 * (spaces, tabs) comes something other than '#', a NUL or a lone final '\r'. */
static int entry_line(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] != '#' && line[i] != '\0' && !(line[i] == '\r' && i + 1 == len);
}

/* True when S appears in the LEN bytes at LINE, or LINE has an octal escape (libmount
 * decodes "\040" and friends, so the parsed field differs from the text). */
static int line_holds(const char *line, size_t len, const char *s)
{
	return memchr(line, '\\', len) || memmem(line, len, s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nsb_fstab tab;
	const char *path = fuzz_file(data, size);
	size_t plen = strlen(path);
	char err[512];
	memset(err, 'x', sizeof err);
	tab.n = 0;
	int r = nsb_fstab_read(path, &tab, err, sizeof err);
	if (r > 0 || tab.n > NSB_FSTAB_MAX)
		fuzz_fail("a bad result");
	if (r < 0 && (!memchr(err, '\0', sizeof err) || strncmp(err, path, plen) != 0))
		fuzz_fail("a refusal that does not name the file");
	for (size_t i = 0; i < tab.n; i++) {
		const struct nsb_fstab_line *l = &tab.l[i];
		if (!l->target || l->target[0] != '/' || !l->source || !*l->source)
			fuzz_fail("a line without an absolute target or a source");
		if (l->options && !*l->options)
			fuzz_fail("empty options instead of NULL");
		if (strncmp(l->origin, path, plen) != 0 || l->origin[plen] != ':')
			fuzz_fail("an origin that does not name the file");
		char *end;
		unsigned long line = strtoul(l->origin + plen + 1, &end, 10);
		const char *text;
		size_t len;
		if (*end || !find_line(data, size, line, &text, &len))
			fuzz_fail("an origin that names no line of the file");
		if (!entry_line(text, len) || !line_holds(text, len, l->target))
			fuzz_fail("an origin that names another line than the entry's");
	}
	nsb_fstab_free(&tab);
	return 0;
}
