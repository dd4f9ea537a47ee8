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
 * -1 when num is below INT64_MIN, 1 when above INT64_MAX, else 0.
 */
static int
cmp_numerics_bounds(Numeric num)
{
	Datum		d = NumericGetDatum(num);

	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, d,
										  NumericGetDatum(int64_to_numeric(PG_INT64_MIN)))) < 0)
		return -1;
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, d,
										  NumericGetDatum(int64_to_numeric(PG_INT64_MAX)))) > 0)
		return 1;
	return 0;
}

/*
 * Converts a numeric JsonbValue to int64, rounding fractions (half away
 * from zero, as numeric_int8 does).  Returns false for non-numbers, NaN,
 * infinities and values that round outside the int64 range; every value
 * from INT64_MIN to INT64_MAX is accepted.  Never throws on bad data.
 */
bool
gca_jb_value_int64(const JsonbValue *v, int64 *out)
{
	Numeric		num;
	Numeric		rounded;
	bool		err = false;
	int32		i4;

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
	/* compare the rounded value with the bounds exactly, then convert */
	rounded = DatumGetNumeric(DirectFunctionCall2(numeric_round,
												  NumericGetDatum(num),
												  Int32GetDatum(0)));
	if (cmp_numerics_bounds(rounded) != 0)
		return false;
	*out = DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 NumericGetDatum(rounded)));
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

/*
 * A text datum (palloc'd in the current context) of s; s must be present.
 */
Datum
gca_str_datum(GcaStr s)
{
	return PointerGetDatum(cstring_to_text_with_len(s.ptr, s.len));
}

