/*-------------------------------------------------------------------------
 *
 * weht.c
 *		gcanalytics.weighted_handle_time(): handle time weighted by the
 *		number of transfers and by the channel.
 *
 *	weighted = handle_ms * transfer multiplier * channel multiplier
 *
 * The multipliers come from a weights jsonb,
 *	{"transfers": {"0": 1.0, "1": 1.2, "2": 1.5},
 *	 "media_type": {"voice": 1.0, ..., "default": 1.0}}
 * so that the function stays IMMUTABLE; gcanalytics.weht_weights_json()
 * builds it from the editable table gcanalytics.weht_weights.  The
 * three-argument form uses the built-in defaults below, which are also the
 * table's initial contents.
 *
 * A transfer count takes the multiplier of the largest key not above it
 * ("2" serves 2 or more); a media type without its own key takes "default";
 * whatever is not found counts 1.0.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/weht.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gcanalytics_weighted_handle_time);
PG_FUNCTION_INFO_V1(gcanalytics_weht_default_weights);

/* keep in step with the INSERT into gcanalytics.weht_weights (src/sql/state/21_kpi_weights.sql) */
#define WEHT_DEFAULTS \
	"{\"transfers\": {\"0\": 1.0, \"1\": 1.2, \"2\": 1.5}, " \
	"\"media_type\": {\"voice\": 1.0, \"callback\": 1.0, \"chat\": 0.9, " \
	"\"message\": 0.9, \"email\": 1.1, \"video\": 1.2, \"default\": 1.0}}"

static Jsonb *default_weights = NULL;

/* the built-in defaults, parsed once per backend */
static Jsonb *
get_default_weights(void)
{
	if (default_weights == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		default_weights = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															 CStringGetDatum(WEHT_DEFAULTS)));
		MemoryContextSwitchTo(old);
	}
	return default_weights;
}

/* raises the error for malformed weights; detail is a full sentence */
static void
weights_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid weights for weighted handle time"),
			 errdetail_internal("%s", detail),
			 errhint("Weights look like {\"transfers\": {\"0\": 1.0, \"1\": 1.2, \"2\": 1.5}, \"media_type\": {\"voice\": 1.0, \"default\": 1.0}}.")));
}

/* a multiplier value: a finite number above zero */
static double
multiplier(JsonbValue *v, const char *key)
{
	double		d;

	if (!gca_jb_value_float8(v, &d) || d <= 0)
		weights_error(psprintf("The multiplier of \"%s\" is not a number above zero.", key));
	return d;
}

/*
 * The multiplier of a transfer count: the value of the largest integer key
 * not above transfers; 1.0 when there is none.  Every key is checked.
 */
static double
transfer_multiplier(JsonbContainer *tm, int32 transfers)
{
	JsonbIterator *it = JsonbIteratorInit(tm);
	JsonbIteratorToken tok;
	JsonbValue	v;
	int64		best_key = -1;
	double		best = 1.0;
	char	   *key = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *end;
			long		k;

			key = pnstrdup(v.val.string.val, v.val.string.len);
			errno = 0;
			k = strtol(key, &end, 10);
			if (v.val.string.len == 0 || *end != '\0' || k < 0 || errno != 0 ||
				key[0] < '0' || key[0] > '9')
				weights_error(psprintf("The transfer count \"%s\" is not a non-negative integer.", key));
			if (k <= transfers && k > best_key)
			{
				best_key = k;
				best = -1;		/* set from the value just below */
			}
		}
		else if (tok == WJB_VALUE)
		{
			double		m = multiplier(&v, key);

			if (best < 0)
				best = m;
		}
	}
	return best;
}

/*
 * The channel multiplier: media_type's key, else "default", else 1.0.
 */
static double
channel_multiplier(JsonbContainer *cm, text *media_type)
{
	JsonbValue	v;
	char	   *mt = text_to_cstring(media_type);

	/* validate every value, so that a typo fails whatever the media type */
	{
		JsonbIterator *it = JsonbIteratorInit(cm);
		JsonbIteratorToken tok;
		JsonbValue	kv;
		char	   *key = NULL;

		while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				key = pnstrdup(kv.val.string.val, kv.val.string.len);
			else if (tok == WJB_VALUE)
				(void) multiplier(&kv, key);
		}
	}
	if (getKeyJsonValueFromContainer(cm, mt, strlen(mt), &v) != NULL)
		return multiplier(&v, mt);
	if (getKeyJsonValueFromContainer(cm, "default", 7, &v) != NULL)
		return multiplier(&v, "default");
	return 1.0;
}

/*
 * weighted_handle_time(handle_ms bigint, transfers int, media_type text
 * [, weights jsonb]) returns float8 milliseconds.  STRICT, IMMUTABLE.
 * Errors (22023) for negative inputs and malformed weights, and (22003)
 * when the product is past the double precision range.
 */
Datum
gcanalytics_weighted_handle_time(PG_FUNCTION_ARGS)
{
	int64		handle_ms = PG_GETARG_INT64(0);
	int32		transfers = PG_GETARG_INT32(1);
	text	   *media_type = PG_GETARG_TEXT_PP(2);
	Jsonb	   *weights = PG_NARGS() > 3 ? PG_GETARG_JSONB_P(3) : get_default_weights();
	JsonbContainer *tm = NULL;
	JsonbContainer *cm = NULL;
	double		tmult = 1.0;
	double		cmult = 1.0;
	double		result;

	if (handle_ms < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handle_ms must not be negative"),
				 errdetail("The value given is " INT64_FORMAT ".", handle_ms)));
	if (transfers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transfers must not be negative"),
				 errdetail("The value given is %d.", transfers)));
	if (!JB_ROOT_IS_OBJECT(weights) || JB_ROOT_IS_SCALAR(weights))
		weights_error("The weights are not a JSON object.");
	if (gca_jb_container(&weights->root, "transfers", false, &tm) == GCA_JB_WRONG_TYPE)
		weights_error("\"transfers\" is not a JSON object.");
	if (gca_jb_container(&weights->root, "media_type", false, &cm) == GCA_JB_WRONG_TYPE)
		weights_error("\"media_type\" is not a JSON object.");

	if (tm != NULL)
		tmult = transfer_multiplier(tm, transfers);
	if (cm != NULL)
		cmult = channel_multiplier(cm, media_type);

	result = (double) handle_ms * tmult * cmult;
	if (isinf(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weighted handle time is out of range"),
				 errdetail("handle_ms " INT64_FORMAT " times the transfer multiplier %g and the channel multiplier %g exceeds the double precision range.",
						   handle_ms, tmult, cmult),
				 errhint("Check the multipliers in the weights (gcanalytics.weht_weights).")));
	PG_RETURN_FLOAT8(result);
}

/*
 * weht_default_weights() returns the built-in defaults as jsonb.
 */
Datum
gcanalytics_weht_default_weights(PG_FUNCTION_ARGS)
{
	Jsonb	   *d = get_default_weights();
	Jsonb	   *copy = palloc(VARSIZE(d));

	memcpy(copy, d, VARSIZE(d));
	PG_RETURN_JSONB_P(copy);
}
