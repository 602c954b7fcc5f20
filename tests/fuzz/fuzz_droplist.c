/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the drop-list reader (nsb_droplist_read, lib/boot.c). The input is
 * the list file; an accepted list must hold valid, distinct names taken from it, a
 * refused one no name and a reason naming the file. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "boot.h"
#include "fuzz.h"

/* True when NAME is made of the characters a service name may hold. */
static int name_chars(const char *name)
{
	for (const char *s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-@+:", *s))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nsb_droplist list;
	const char *path = fuzz_file(data, size);
	char err[512];
	memset(err, 'x', sizeof err);
	int r = nsb_droplist_read(path, &list, err, sizeof err);
	if (r < 0) {
		if (list.n != 0)
			fuzz_fail("a refused list left names");
		if (!memchr(err, '\0', sizeof err) || strncmp(err, path, strlen(path)) != 0)
			fuzz_fail("a refusal that does not name the file");
		return 0;
	}
	if (r != 0 || list.n > NSB_MAX_DROP)
		fuzz_fail("a bad result");
	for (size_t i = 0; i < list.n; i++) {
		const char *name = list.names[i];
		size_t len = strnlen(name, NSB_SERVICE_NAME_MAX);
		if (len == 0 || len == NSB_SERVICE_NAME_MAX || !name_chars(name) ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			fuzz_fail("an invalid service name was accepted");
		if (!memmem(data, size, name, len))
			fuzz_fail("a name that is not in the list");
		for (size_t j = 0; j < i; j++)
			if (strcmp(list.names[j], name) == 0)
				fuzz_fail("a name listed twice");
	}
	return 0;
}
