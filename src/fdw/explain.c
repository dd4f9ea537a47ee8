/*-------------------------------------------------------------------------
 *
 * explain.c
 *		EXPLAIN of a foreign scan: the request under VERBOSE (never a
 *		credential), the traffic under ANALYZE.
 *
 * Labels are service-neutral ("Remote Request"); what a request looks
 * like comes from the resource's explain callback.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/explain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/explain.h"

#include "fdw_internal.h"

void
gca_explain_scan(GcaScan *scan, ExplainState *es)
{
	if (es->verbose && scan->started)
	{
		List	   *items = scan->rs.resource->explain(&scan->rs);
		ListCell   *lc;

		foreach(lc, items)
		{
			GcaExplainItem *item = lfirst(lc);
			char	   *label = psprintf("Remote %s", item->label);

			if (item->verbose_only && es->analyze)
				continue;
			if (item->is_integer)
				ExplainPropertyInteger(label, NULL, strtoll(item->value, NULL, 10), es);
			else
				ExplainPropertyText(label, item->value, es);
		}
	}
	if (es->analyze)
	{
		ExplainPropertyInteger("Remote Requests", NULL, scan->counters.requests, es);
		ExplainPropertyInteger("Remote Pages", NULL, scan->pages, es);
		ExplainPropertyInteger("Remote Bytes", NULL, scan->counters.bytes, es);
		ExplainPropertyInteger("Remote Retries", NULL, scan->counters.retries, es);
		ExplainPropertyInteger("Remote 429s", NULL, scan->counters.n429, es);
		/* wall clock: never more than the scan's own time */
		ExplainPropertyFloat("Remote Wait", "ms", scan->blocked_ms, 1, es);
		/* summed over requests, which overlap when max_concurrency > 1 */
		ExplainPropertyFloat("Remote Throttled", "ms", scan->counters.wait_ms, 1, es);
	}
}
