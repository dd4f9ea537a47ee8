/*-------------------------------------------------------------------------
 *
 * jbutil.c
 *		Typed field access on PostgreSQL jsonb, and ISO-8601 timestamps,
 *		for the KPI functions.
 *
 * Every lookup says whether the field was there with the wanted type,
 * missing (or JSON null), or there with another type, so that callers can
 * flag bad input instead of guessing.  Nothing here throws on bad data
 * except for out-of-memory.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/jbutil.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "kpi.h"

/*
 * Looks key up in obj.  Returns false when obj is not an object, the key is
 * missing or its value is JSON null; otherwise fills *val (which may point
 * into the jsonb datum).
 */
static bool
jb_lookup(JsonbContainer *obj, const char *key, JsonbValue *val)
{
	if (obj == NULL || !JsonContainerIsObject(obj))
		return false;
	if (getKeyJsonValueFromContainer(obj, key, strlen(key), val) == NULL)
		return false;
	return val->type != jbvNull;
}

/*
 * A string field.  On GCA_JB_OK, out points into the jsonb datum.
 */
GcaJbResult
gca_jb_string(JsonbContainer *obj, const char *key, GcaStr *out)
{
	JsonbValue	v;

	out->ptr = NULL;
	out->len = 0;
	if (!jb_lookup(obj, key, &v))
		return GCA_JB_ABSENT;
	if (v.type != jbvString)
		return GCA_JB_WRONG_TYPE;
	out->ptr = v.val.string.val;
	out->len = v.val.string.len;
	return GCA_JB_OK;
}

/*
 * A nested object (want_array false) or array (want_array true).
 */
GcaJbResult
gca_jb_container(JsonbContainer *obj, const char *key, bool want_array,
				 JsonbContainer **out)
{
	JsonbValue	v;

	*out = NULL;
	if (!jb_lookup(obj, key, &v))
		return GCA_JB_ABSENT;
	if (v.type != jbvBinary)
		return GCA_JB_WRONG_TYPE;
	if (want_array ? !JsonContainerIsArray(v.val.binary.data)
		: !JsonContainerIsObject(v.val.binary.data))
		return GCA_JB_WRONG_TYPE;
	*out = v.val.binary.data;
	return GCA_JB_OK;
}

/*
 * Converts a numeric JsonbValue to int64, rounding fractions.  Returns false
 * for non-numbers, NaN, infinities and values outside the int64 range.
 */
bool
gca_jb_value_int64(const JsonbValue *v, int64 *out)
{
	Numeric		num;
	bool		err = false;
	int32		i4;
	double		d;

	if (v->type != jbvNumeric)
		return false;
	num = v->val.numeric;
	if (numeric_is_nan(num) || numeric_is_inf(num))
		return false;
	/* the common case: fits in int32, no error thrown */
	i4 = numeric_int4_opt_error(num, &err);
	if (!err)
	{
		*out = i4;
		return true;
	}
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(num)));
	if (!(fabs(d) < 9.0e18))
		return false;
	*out = DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 NumericGetDatum(num)));
	return true;
}

/*
 * Converts a numeric JsonbValue to a finite double.
 */
bool
gca_jb_value_float8(const JsonbValue *v, double *out)
{
	double		d;

	if (v->type != jbvNumeric)
		return false;
	if (numeric_is_nan(v->val.numeric))
		return false;
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(v->val.numeric)));
	if (isinf(d) || isnan(d))
		return false;
	*out = d;
	return true;
}

/*
 * An integral number field (fractions are rounded).
 */
GcaJbResult
gca_jb_int64(JsonbContainer *obj, const char *key, int64 *out)
{
	JsonbValue	v;

	if (!jb_lookup(obj, key, &v))
		return GCA_JB_ABSENT;
	return gca_jb_value_int64(&v, out) ? GCA_JB_OK : GCA_JB_WRONG_TYPE;
}

/*
 * A finite number field.
 */
GcaJbResult
gca_jb_float8(JsonbContainer *obj, const char *key, double *out)
{
	JsonbValue	v;

	if (!jb_lookup(obj, key, &v))
		return GCA_JB_ABSENT;
	return gca_jb_value_float8(&v, out) ? GCA_JB_OK : GCA_JB_WRONG_TYPE;
}

/*
 * A boolean field.
 */
GcaJbResult
gca_jb_bool(JsonbContainer *obj, const char *key, bool *out)
{
	JsonbValue	v;

	if (!jb_lookup(obj, key, &v))
		return GCA_JB_ABSENT;
	if (v.type != jbvBool)
		return GCA_JB_WRONG_TYPE;
	*out = v.val.boolean;
	return GCA_JB_OK;
}

/*
 * Element i of an array when it is an object: GCA_JB_OK and *out set (a
 * pointer into the array's data); GCA_JB_WRONG_TYPE for any other element
 * (JSON null included).  Reads the JEntry directly, without allocating.
 */
GcaJbResult
gca_jb_array_element(JsonbContainer *array, uint32 i, JsonbContainer **out)
{
	uint32		n = JsonContainerSize(array);
	JEntry		entry;
	char	   *base;

	*out = NULL;
	if (!JsonContainerIsArray(array) || i >= n)
		return GCA_JB_WRONG_TYPE;
	entry = array->children[i];
	if (!JBE_ISCONTAINER(entry))
		return GCA_JB_WRONG_TYPE;
	base = (char *) &array->children[n];
	*out = (JsonbContainer *) (base + INTALIGN(getJsonbOffset(array, i)));
	return JsonContainerIsObject(*out) ? GCA_JB_OK : GCA_JB_WRONG_TYPE;
}

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
 * A text datum (palloc'd in the current context) of s; s must be present.
 */
Datum
gca_str_datum(GcaStr s)
{
	return PointerGetDatum(cstring_to_text_with_len(s.ptr, s.len));
}

