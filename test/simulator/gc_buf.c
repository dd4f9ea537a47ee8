/*-------------------------------------------------------------------------
 *
 * gc_buf.c
 *		Growable string buffers, JSON string escaping and ISO-8601 time
 *		conversion for gcsim's responses and truth files.
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
sb_init(StrBuf *sb, size_t cap)
{
	if (cap < 64)
		cap = 64;
	sb->data = malloc(cap);
	if (!sb->data)
		abort();
	sb->data[0] = '\0';
	sb->len = 0;
	sb->cap = cap;
}

void
sb_free(StrBuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* makes room for extra more bytes plus the terminating NUL */
void
sb_reserve(StrBuf *sb, size_t extra)
{
	size_t		need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->data = realloc(sb->data, sb->cap);
	if (!sb->data)
		abort();
}

void
sb_append(StrBuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_puts(StrBuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_putc(StrBuf *sb, char c)
{
	sb_reserve(sb, 1);
	sb->data[sb->len++] = c;
	sb->data[sb->len] = '\0';
}

void
sb_printf(StrBuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n >= sb->cap - sb->len)
	{
		sb_reserve(sb, (size_t) n);
		va_start(ap, fmt);
		vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t) n;
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
sb_json_str(StrBuf *sb, const char *s)
{
	if (s == NULL)
	{
		sb_append(sb, "null", 4);
		return;
	}
	sb_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				sb_append(sb, "\\\"", 2);
				break;
			case '\\':
				sb_append(sb, "\\\\", 2);
				break;
			case '\n':
				sb_append(sb, "\\n", 2);
				break;
			case '\r':
				sb_append(sb, "\\r", 2);
				break;
			case '\t':
				sb_append(sb, "\\t", 2);
				break;
			default:
				if (*p < 0x20)
					sb_printf(sb, "\\u%04x", *p);
				else
					sb_putc(sb, (char) *p);
		}
	}
	sb_putc(sb, '"');
}

void
sb_key(StrBuf *sb, const char *key, bool *first)
{
	if (first && !*first)
		sb_putc(sb, ',');
	if (first)
		*first = false;
	sb_putc(sb, '"');
	sb_puts(sb, key);
	sb_append(sb, "\":", 2);
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

void
sb_to_response(StrBuf *sb, SimResponse *resp)
{
	resp->body = sb->data;
	resp->body_len = sb->len;
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* Howard Hinnant's days_from_civil / civil_from_days */
int64_t
sim_days_from_civil(int y, int m, int d)
{
	int64_t		era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (unsigned) ((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

void
sim_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		era;
	unsigned	doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) (yoe + era * 400 + (*m <= 2));
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
