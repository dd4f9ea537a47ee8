/*-------------------------------------------------------------------------
 *
 * interpolate.c
 *		gcanalytics.interpolate(value float8, at timestamptz): a window
 *		function that fills NULL values linearly between the nearest
 *		non-NULL neighbours of the partition, in the window's order.
 *
 *	value not NULL				the value itself
 *	NULL between two values		linear in "at" between them; when an "at"
 *								is NULL or both neighbours share one, linear
 *								in row position instead
 *	NULL before the first or	the nearest value (edges are not
 *	after the last value		extrapolated)
 *	no value in the partition	NULL
 *
 * The window must be ordered by "at" (ascending or descending): a row
 * whose "at" lies outside its two neighbours' is an error (42P20) with a
 * hint to add ORDER BY at, never an extrapolation.  An infinite "at" used
 * in a fill is an error (22008): no point lies between -infinity and a
 * finite time.  Spans of time are taken exactly (timestamps years apart,
 * even 4713 BC to 294276 AD, do not overflow), and neighbours whose
 * difference leaves the double range are weighted instead of subtracted;
 * -Infinity and Infinity as neighbours are an error (22003).
 *
 * The frame clause is ignored: the whole partition is read once, on its
 * first row, and every row's result is kept in partition-local memory, so
 * a partition costs linear time and 9 bytes a row.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/interpolate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "fmgr.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "windowapi.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gcanalytics_interpolate);

typedef struct InterpCache
{
	bool		ready;			/* results computed for this partition */
	int64		nrows;
	/* followed by double result[nrows], then bool isnull[nrows] */
} InterpCache;

#define CACHE_RESULTS(c)	((double *) ((char *) (c) + MAXALIGN(sizeof(InterpCache))))
#define CACHE_NULLS(c)		((bool *) (CACHE_RESULTS(c) + (c)->nrows))

/*
 * b - a as a double; exact when the difference fits in int64, else within
 * a double's rounding (finite timestamps differ by at most ~9.4e18 us).
 */
static double
ts_span(TimestampTz a, TimestampTz b)
{
	int64		d;

	if (!pg_sub_s64_overflow(b, a, &d))
		return (double) d;
	return (double) b - (double) a;
}

/* "at" as text, palloc'd (timestamptz_to_str reuses one buffer) */
static char *
ts_text(TimestampTz t)
{
	return pstrdup(timestamptz_to_str(t));
}

/*
 * Raises an error about row i and the "at" of its neighbours with values
 * p and next: sqlstate, message and hint as given.
 */
static void
at_error(int sqlstate, const char *msg, const char *hint,
		 const TimestampTz *at, int64 p, int64 i, int64 next)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", msg),
			 errdetail("Row " INT64_FORMAT " of the partition is at %s; its neighbours with values are at %s and %s.",
					   i + 1, ts_text(at[i]), ts_text(at[p]), ts_text(at[next])),
			 errhint("%s", hint)));
}

#define ORDER_MSG	"interpolation window is not ordered by its timestamps"
#define ORDER_HINT	"Order the window by the second argument, as in OVER (ORDER BY at)."

/*
 * The value of row i, NULL, between rows p and next that have values:
 * linear in "at" (linear in row position when an "at" is NULL or both
 * neighbours share one).  Errors for an infinite "at" (22008), an "at"
 * outside its neighbours' (42P20: the window is not ordered by "at") and
 * for -Infinity and Infinity as neighbours (22003).
 */
static double
interp_row(const double *res, const TimestampTz *at, const bool *atnull,
		   int64 p, int64 i, int64 next)
{
	double		a = res[p];
	double		b = res[next];
	double		frac;
	double		v;

	if (atnull[i] || atnull[p] || atnull[next])
		frac = (double) (i - p) / (double) (next - p);
	else if (TIMESTAMP_NOT_FINITE(at[i]) || TIMESTAMP_NOT_FINITE(at[p]) ||
			 TIMESTAMP_NOT_FINITE(at[next]))
		at_error(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE,
				 "cannot interpolate at an infinite timestamp",
				 "Leave rows at infinite timestamps out of the window, or pass NULL as the timestamp to interpolate by row position.",
				 at, p, i, next);
	else if (at[next] == at[p])
	{
		if (at[i] != at[p])
			at_error(ERRCODE_WINDOWING_ERROR, ORDER_MSG, ORDER_HINT, at, p, i, next);
		frac = (double) (i - p) / (double) (next - p);
	}
	else
	{
		if ((at[i] < at[p] && at[i] < at[next]) ||
			(at[i] > at[p] && at[i] > at[next]))
			at_error(ERRCODE_WINDOWING_ERROR, ORDER_MSG, ORDER_HINT, at, p, i, next);
		frac = ts_span(at[p], at[i]) / ts_span(at[p], at[next]);
	}

	if (frac <= 0)
		return a;
	if (frac >= 1)
		return b;
	v = a + (b - a) * frac;
	if (isinf(v) && isfinite(a) && isfinite(b))
		v = a * (1 - frac) + b * frac;	/* b - a left the double range */
	if (isnan(v) && !isnan(a) && !isnan(b))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot interpolate between %s and %s", float8out_internal(a),
						float8out_internal(b)),
				 errdetail("Row " INT64_FORMAT " of the partition lies between them.", i + 1),
				 errhint("Replace infinite values by NULL or by finite bounds before interpolating.")));
	return v;
}

/*
 * Reads the partition and computes every row's result into cache.
 * Temporary arrays live in the current (per-call) memory context.
 */
static void
fill_cache(WindowObject winobj, InterpCache *cache)
{
	int64		n = cache->nrows;
	double	   *res = CACHE_RESULTS(cache);
	bool	   *resnull = CACHE_NULLS(cache);
	TimestampTz *at = palloc(sizeof(TimestampTz) * n);
	bool	   *atnull = palloc(sizeof(bool) * n);
	int64	   *prev = palloc(sizeof(int64) * n);
	int64		last = -1;
	int64		next = -1;

	for (int64 i = 0; i < n; i++)
	{
		bool		isnull,
					isout;
		Datum		d;

		d = WinGetFuncArgInPartition(winobj, 0, i, WINDOW_SEEK_HEAD, false,
									 &isnull, &isout);
		resnull[i] = isnull;
		res[i] = isnull ? 0 : DatumGetFloat8(d);
		d = WinGetFuncArgInPartition(winobj, 1, i, WINDOW_SEEK_HEAD, false,
									 &isnull, &isout);
		atnull[i] = isnull;
		at[i] = isnull ? 0 : DatumGetTimestampTz(d);
		prev[i] = last;
		if (!resnull[i])
			last = i;
	}

	/* backwards, so that "next" is at hand; prev[] came from the pass above */
	for (int64 i = n - 1; i >= 0; i--)
	{
		int64		p = prev[i];

		if (!resnull[i])
		{
			next = i;
			continue;
		}
		if (p < 0 && next < 0)
			continue;			/* stays NULL */
		resnull[i] = false;
		if (p < 0)
			res[i] = res[next];
		else if (next < 0)
			res[i] = res[p];
		else
			res[i] = interp_row(res, at, atnull, p, i, next);
	}
	pfree(at);
	pfree(atnull);
	pfree(prev);
	cache->ready = true;
}

/*
 * interpolate(value float8, at timestamptz) returns float8.  Window
 * function; IMMUTABLE, not STRICT (NULL values are what it fills).
 */
Datum
gcanalytics_interpolate(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	int64		nrows = WinGetPartitionRowCount(winobj);
	int64		pos = WinGetCurrentPosition(winobj);
	InterpCache *cache;
	Size		sz;

	if (nrows > (int64) ((MaxAllocSize - MAXALIGN(sizeof(InterpCache))) /
						 (sizeof(double) + sizeof(bool))))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window partition is too large to interpolate"),
				 errdetail("The partition has " INT64_FORMAT " rows.", nrows),
				 errhint("Partition the window, for example by day or by queue.")));
	sz = MAXALIGN(sizeof(InterpCache)) + nrows * (sizeof(double) + sizeof(bool));
	cache = (InterpCache *) WinGetPartitionLocalMemory(winobj, sz);
	if (!cache->ready)
	{
		cache->nrows = nrows;
		fill_cache(winobj, cache);
	}
	if (CACHE_NULLS(cache)[pos])
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(CACHE_RESULTS(cache)[pos]);
}
