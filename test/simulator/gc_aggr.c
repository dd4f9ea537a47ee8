/*-------------------------------------------------------------------------
 *
 * gc_aggr.c
 *		POST /api/v2/analytics/conversations/aggregates/query (skeleton).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_aggr.c
 *
 *-------------------------------------------------------------------------
 */
#include "gc.h"

void
gc_aggregates_query(const SimRequest *req, SimResponse *resp)
{
	(void) req;
	resp->endpoint = "gc.aggregates.query";
	gc_error(resp, 501, "not.implemented", "Aggregates are not implemented yet.");
}
