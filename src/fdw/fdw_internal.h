/*-------------------------------------------------------------------------
 *
 * fdw_internal.h
 *		The state of a scan, shared by the engine (scan.c) and EXPLAIN
 *		(explain.c) only.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/fdw_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_FDW_INTERNAL_H
#define GCA_FDW_INTERNAL_H

#include "fdw.h"

struct GcaScan
{
	ForeignScanState *node;
	MemoryContext scan_cxt;		/* lives across rescans */
	MemoryContext run_cxt;		/* reset on rescan: requests, resource state */
	MemoryContext row_cxt;		/* reset per row */
	GcaOptions *opts;
	GcaClient  *client;			/* NULL in EXPLAIN without ANALYZE */
	GcaResourceScan rs;			/* what the resource sees */
	List	   *conds;			/* GcaCond with their ExprStates */
	List	   *sort;			/* GcaSortKey: the pushed ORDER BY */
	int64		limit;			/* the pushed LIMIT, or -1 */

	/* per run */
	bool		started;		/* the run's requests are planned */
	List	   *pipeline;		/* GcaFetch, in reading order */
	GcaJson    *page;			/* the response being read */
	char	   *page_raw;		/* its body, when rs.items reads from it */
	char	   *page_request;	/* "METHOD path" of it, for errors */

	/* EXPLAIN ANALYZE */
	GcaHttpCounters counters;
	int64		pages;
	double		blocked_ms;		/* wall clock spent waiting for responses */
	int64		rows;
	TimestampTz run_started;
	int64		id_rescans;		/* runs that read one id each (joins) */
};

#endif							/* GCA_FDW_INTERNAL_H */
