/*-------------------------------------------------------------------------
 *
 * gc_buf.c
 *		String hashing, JSON numbers and timestamps, and ISO-8601 time
 *		conversion for gcsim's responses and truth files (the StrBuf
 *		itself and civil dates are in sim_util.c).
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

static inline void
put2(char *p, int v)
{
	p[0] = (char) ('0' + v / 10);
	p[1] = (char) ('0' + v % 10);
}

void
sim_format_ts(char *buf, int64_t ms)
{
	int64_t		days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	int64_t		rem = ms - days * MS_PER_DAY;
	int			y,
				mo,
				d;
	int			sec = (int) (rem / 1000);

	sim_civil_from_days(days, &y, &mo, &d);
	put2(buf, y / 100);
	put2(buf + 2, y % 100);
	buf[4] = '-';
	put2(buf + 5, mo);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, sec / 3600);
	buf[13] = ':';
	put2(buf + 14, sec / 60 % 60);
	buf[16] = ':';
	put2(buf + 17, sec % 60);
	buf[19] = '.';
	buf[20] = (char) ('0' + rem % 1000 / 100);
	put2(buf + 21, (int) (rem % 100));
	buf[23] = 'Z';
	buf[24] = '\0';
}

void
sim_format_date(char *buf, int64_t ms)
{
	sim_format_ts(buf, ms);
	buf[10] = '\0';
}

/* reads exactly n digits at *p; -1 if they are not digits */
static int
digits(const char *s, size_t len, size_t *pos, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (*pos >= len || s[*pos] < '0' || s[*pos] > '9')
			return -1;
		v = v * 10 + (s[(*pos)++] - '0');
	}
	return v;
}

int
sim_parse_ts(const char *s, size_t len, int64_t *ms)
{
	size_t		p = 0;
	int			y,
				mo,
				d,
				h = 0,
				mi = 0,
				sec = 0,
				frac = 0;
	int64_t		off = 0;

	while (len > 0 && (s[len - 1] == ' '))
		len--;
	if ((y = digits(s, len, &p, 4)) < 0 || p >= len || s[p++] != '-' ||
		(mo = digits(s, len, &p, 2)) < 1 || mo > 12 || p >= len || s[p++] != '-' ||
		(d = digits(s, len, &p, 2)) < 1 || d > 31)
		return -1;
	if (p < len && (s[p] == 'T' || s[p] == 't' || s[p] == ' '))
	{
		p++;
		if ((h = digits(s, len, &p, 2)) < 0 || h > 24 || p >= len || s[p++] != ':' ||
			(mi = digits(s, len, &p, 2)) < 0 || mi > 59)
			return -1;
		if (p < len && s[p] == ':')
		{
			p++;
			if ((sec = digits(s, len, &p, 2)) < 0 || sec > 60)
				return -1;
			if (p < len && (s[p] == '.' || s[p] == ','))
			{
				int			scale = 100;

				p++;
				if (p >= len || s[p] < '0' || s[p] > '9')
					return -1;
				while (p < len && s[p] >= '0' && s[p] <= '9')
				{
					frac += (s[p++] - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (p < len && (s[p] == 'Z' || s[p] == 'z'))
			p++;
		else if (p < len && (s[p] == '+' || s[p] == '-'))
		{
			int			sign = s[p++] == '-' ? -1 : 1;
			int			oh,
						om = 0;

			if ((oh = digits(s, len, &p, 2)) < 0)
				return -1;
			if (p < len && s[p] == ':')
				p++;
			if (p < len && (om = digits(s, len, &p, 2)) < 0)
				return -1;
			off = sign * ((int64_t) oh * MS_PER_HOUR + (int64_t) om * MS_PER_MIN);
		}
	}
	if (p != len)
		return -1;
	*ms = sim_days_from_civil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR +
		mi * MS_PER_MIN + sec * MS_PER_SEC + frac - off;
	return 0;
}
