/*-------------------------------------------------------------------------
 *
 * sim_util.c
 *		Deterministic randomness, response headers, query-string
 *		arguments, growable strings with JSON escaping, civil dates and
 *		CSV fields: the helpers of sim.h that both halves of gcsim use.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sim_util.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

/* splitmix64 finalizer: a bijective 64-bit mix */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
sim_rng_seed(SimRng *rng, uint64_t seed)
{
	rng->state = seed;
}

/*
 * An independent stream for (seed, label, index): FNV-1a of the label,
 * mixed with the seed and the index, so that streams for different labels
 * or indexes do not overlap in practice.
 */
SimRng
sim_rng_derive(uint64_t seed, const char *label, uint64_t index)
{
	SimRng		rng;
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (const unsigned char *p = (const unsigned char *) label; *p; p++)
	{
		h ^= *p;
		h *= UINT64_C(0x100000001b3);
	}
	rng.state = mix64(seed ^ mix64(h + mix64(index + UINT64_C(0x9e3779b97f4a7c15))));
	return rng;
}

uint64_t
sim_rng_next(SimRng *rng)
{
	rng->state += UINT64_C(0x9e3779b97f4a7c15);
	return mix64(rng->state);
}

double
sim_rng_uniform(SimRng *rng)
{
	return (double) (sim_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

int64_t
sim_rng_range(SimRng *rng, int64_t lo, int64_t hi)
{
	uint64_t	span;

	if (hi <= lo)
		return lo;
	span = (uint64_t) (hi - lo) + 1;
	if (span == 0)				/* the whole 64-bit range */
		return (int64_t) sim_rng_next(rng);
	return lo + (int64_t) (sim_rng_next(rng) % span);
}

/*
 * Adds a header to resp; silently drops it past SIM_MAX_HEADERS (the
 * caller sizes its headers) and truncates over-long values.
 */
void
sim_response_header(SimResponse *resp, const char *name, const char *fmt,...)
{
	SimHeader  *h;
	va_list		ap;

	if (resp->nheaders >= SIM_MAX_HEADERS)
		return;
	h = &resp->headers[resp->nheaders++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes src[0..len) into buf ('+' is a space, as in forms);
 * always NUL-terminates, truncating to buflen - 1 bytes.
 */
static void
percent_decode(const char *src, size_t len, char *buf, size_t buflen)
{
	size_t		o = 0;

	for (size_t i = 0; i < len && o + 1 < buflen; i++)
	{
		int			c = (unsigned char) src[i];

		if (c == '%' && i + 2 < len && hexval(src[i + 1]) >= 0 &&
			hexval(src[i + 2]) >= 0)
		{
			c = hexval(src[i + 1]) * 16 + hexval(src[i + 2]);
			i += 2;
		}
		else if (c == '+')
			c = ' ';
		buf[o++] = (char) c;
	}
	if (buflen > 0)
		buf[o] = '\0';
}

int
sim_query_arg(const char *query, const char *name, char *buf, size_t buflen)
{
	size_t		nlen = strlen(name);
	const char *p = query;

	if (buflen > 0)
		buf[0] = '\0';
	while (p && *p)
	{
		const char *end = strchr(p, '&');
		const char *eq;
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		eq = memchr(p, '=', len);
		if ((eq ? (size_t) (eq - p) : len) == nlen && strncmp(p, name, nlen) == 0)
		{
			if (eq)
				percent_decode(eq + 1, len - (size_t) (eq + 1 - p), buf, buflen);
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Growable strings
 * ---------------------------------------------------------------------
 */
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
sb_to_response(StrBuf *sb, SimResponse *resp)
{
	resp->body = sb->data;
	resp->body_len = sb->len;
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* ---------------------------------------------------------------------
 * Civil dates
 * ---------------------------------------------------------------------
 */

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

/* ---------------------------------------------------------------------
 * CSV fields
 * ---------------------------------------------------------------------
 */
void
sim_csv_field(FILE *f, const char *s, bool last)
{
	if (s != NULL)
	{
		if (*s == '\0' || strpbrk(s, ",\"\r\n") != NULL)
		{
			fputc('"', f);
			for (; *s; s++)
			{
				if (*s == '"')
					fputc('"', f);
				fputc(*s, f);
			}
			fputc('"', f);
		}
		else
			fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void
sim_csv_int(FILE *f, int64_t v, bool last)
{
	fprintf(f, "%lld%c", (long long) v, last ? '\n' : ',');
}

/* ----------------------------------------------------------------------
 * ISO-8601 time (UTC), shared by both halves: the Genesys side writes it
 * as it is, the Salesforce side swaps the Z for +0000
 * ----------------------------------------------------------------------
 */
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

int64_t
sim_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
