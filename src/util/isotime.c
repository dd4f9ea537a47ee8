/*-------------------------------------------------------------------------
 *
 * isotime.c
 *		ISO-8601 times as the Genesys and Salesforce APIs write them.
 *
 * One parser and one formatter for every part of gcanalytics (the FDW's
 * page parser, the KPI functions, request bodies); PostgreSQL headers
 * only, so json-c files may use it too.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/util/isotime.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "isotime.h"

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static int64
days_from_civil(int y, int m, int d)
{
	int64		era;
	int			yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* reads exactly n digits at *p into *out; advances *p */
static bool
read_digits(const char **p, const char *end, int n, int *out)
{
	int			v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++)
	{
		char		c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/*
 * Parses an ISO-8601 date-time as the Genesys API writes it
 * ("2024-04-29T17:30:43.090Z"): date, 'T' or ' ', hh:mm[:ss[.fraction]],
 * then 'Z', +hh:mm, +hhmm or nothing (UTC).  Fractions beyond
 * milliseconds are truncated.  Returns false for anything else, including
 * impossible dates.  Years 0001-9999 only.
 */
bool
gca_parse_iso8601_ms(const char *s, int len, int64 *ms)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = s;
	const char *end = s + len;
	int			y,
				mo,
				d,
				h,
				mi,
				sec = 0,
				frac = 0;
	int64		offset_ms = 0;

	if (!read_digits(&p, end, 4, &y) || p >= end || *p++ != '-' ||
		!read_digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
		!read_digits(&p, end, 2, &d))
		return false;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	if (p >= end || (*p != 'T' && *p != 't' && *p != ' '))
		return false;
	p++;
	if (!read_digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
		!read_digits(&p, end, 2, &mi))
		return false;
	if (p < end && *p == ':')
	{
		p++;
		if (!read_digits(&p, end, 2, &sec))
			return false;
		if (p < end && (*p == '.' || *p == ','))
		{
			int			n = 0;

			p++;
			while (p < end && *p >= '0' && *p <= '9')
			{
				if (n < 3)
					frac = frac * 10 + (*p - '0');
				n++;
				p++;
			}
			if (n == 0)
				return false;
			for (; n < 3; n++)
				frac *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	if (p < end && (*p == 'Z' || *p == 'z'))
		p++;
	else if (p < end && (*p == '+' || *p == '-'))
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			oh,
					om;

		p++;
		if (!read_digits(&p, end, 2, &oh))
			return false;
		if (p < end && *p == ':')
			p++;
		if (!read_digits(&p, end, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_ms = sign * ((int64) oh * 3600 + om * 60) * 1000;
	}
	if (p != end)
		return false;
	*ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * INT64CONST(60000)
		+ (int64) sec * 1000 + frac - offset_ms;
	return true;
}

/*
 * Unix epoch milliseconds to a timestamptz.
 */
TimestampTz
gca_ms_to_timestamptz(int64 ms)
{
	return (ms - (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
			SECS_PER_DAY * 1000) * 1000;
}

/*
 * Parses a NUL-terminated ISO-8601 time (see gca_parse_iso8601_ms) into a
 * timestamptz with millisecond precision.
 */
bool
gca_parse_iso_time(const char *s, TimestampTz *result)
{
	int64		ms;

	if (!gca_parse_iso8601_ms(s, (int) strlen(s), &ms))
		return false;
	*result = gca_ms_to_timestamptz(ms);
	return true;
}

/* Writes t as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into buf (32 bytes). */
void
gca_format_iso_time(TimestampTz t, char *buf)
{
	int64		us = t + (int64) 10957 * USECS_PER_DAY;
	int64		days = us >= 0 ? us / USECS_PER_DAY : -((-us + USECS_PER_DAY - 1) / USECS_PER_DAY);
	int64		rem = us - days * USECS_PER_DAY;
	int64		z = days + 719468;
	int64		era = (z >= 0 ? z : z - 146096) / 146097;
	int64		doe = z - era * 146097;
	int64		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64		mp = (5 * doy + 2) / 153;
	int64		d = doy - (153 * mp + 2) / 5 + 1;
	int64		m = mp < 10 ? mp + 3 : mp - 9;
	int64		y = yoe + era * 400 + (m <= 2);
	int64		secs = rem / USECS_PER_SEC;

	snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 (int) y, (int) m, (int) d,
			 (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60),
			 (int) (rem % USECS_PER_SEC / 1000));
}

TimestampTz
gca_next_utc_midnight(TimestampTz t)
{
	TimestampTz next = t - (t % USECS_PER_DAY) + USECS_PER_DAY;

	if (t < 0 && t % USECS_PER_DAY != 0)
		next -= USECS_PER_DAY;
	return next;
}
