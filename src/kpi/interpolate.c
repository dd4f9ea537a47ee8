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

#include "fmgr.h"
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
		{
			double		frac;

			if (!atnull[i] && !atnull[p] && !atnull[next] && at[next] != at[p])
				frac = (double) (at[i] - at[p]) / (double) (at[next] - at[p]);
			else
				frac = (double) (i - p) / (double) (next - p);
			res[i] = res[p] + (res[next] - res[p]) * frac;
		}
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
