/*-------------------------------------------------------------------------
 *
 * handler.c
 *		The FDW handler of gcanalytics_fdw: planner and executor callbacks.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/handler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "optimizer/pathnode.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "fdw.h"

PG_FUNCTION_INFO_V1(gcanalytics_fdw_handler);

static void
gcaGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("scanning foreign table \"%s\" is not supported yet",
					get_rel_name(foreigntableid))));
}

/*
 * Returns the FdwRoutine of gcanalytics_fdw.
 */
Datum
gcanalytics_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = gcaGetForeignRelSize;
	PG_RETURN_POINTER(routine);
}
