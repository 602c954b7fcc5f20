/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one splitter of comma-separated lists (mount options, GO's fd names). */
#ifndef NSB_LIST_H
#define NSB_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Takes the next item of the comma-separated list at *LIST (NULL or "" when empty): true
 * with its start in *ITEM and its length in *LEN, *LIST moved past it and its comma; false
 * at the end. An item may be empty ("a,,b"); a trailing comma adds none. Usage:
 *   for (const char *s = opts, *item; nsb_list_next(&s, &item, &len);) ... */
static inline bool nsb_list_next(const char **list, const char **item, size_t *len)
{
	const char *p = *list;
	if (!p || !*p)
		return false;
	size_t n = strcspn(p, ",");
	*item = p;
	*len = n;
	*list = p + n + (p[n] == ',');
	return true;
}

/* True when the item ITEM of LEN bytes is the word WORD. */
static inline bool nsb_list_is(const char *item, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(item, word, len) == 0;
}

#endif
