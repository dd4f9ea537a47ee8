/*-------------------------------------------------------------------------
 *
 * gc_buf.c
 *		String hashing, JSON numbers and timestamps for gcsim's Genesys
 *		responses and truth files (the StrBuf, civil dates and ISO-8601
 *		time conversion are in sim_util.c, shared with the Salesforce
 *		side).
 *
 * JSON is built as text, never as json-c object trees: serving pages must
 * be much cheaper than parsing them.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_buf.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

/* FNV-1a of a string: the hash of every string-keyed table of gcsim */
uint64_t
sim_hash_str(const char *s)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++)
	{
		h ^= (unsigned char) *s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void
sb_int(StrBuf *sb, int64_t v)
{
	char		tmp[24];
	int			n = 0;
	uint64_t	u = v < 0 ? (uint64_t) (-(v + 1)) + 1 : (uint64_t) v;

	do
	{
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	sb_reserve(sb, (size_t) n + 1);
	if (v < 0)
		sb->data[sb->len++] = '-';
	while (n > 0)
		sb->data[sb->len++] = tmp[--n];
	sb->data[sb->len] = '\0';
}

void
sb_json_ts(StrBuf *sb, int64_t ms)
{
	char		buf[32];

	sim_format_ts(buf, ms);
	sb_putc(sb, '"');
	sb_append(sb, buf, 24);
	sb_putc(sb, '"');
}
