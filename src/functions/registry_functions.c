/*-------------------------------------------------------------------------
 *
 * registry_functions.c
 *		The resource registry as SQL: gcanalytics.resources() and
 *		gcanalytics.resource_columns(), which document every foreign table
 *		and column (and give the column comments IMPORT leaves).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/functions/registry_functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "resource.h"

PG_FUNCTION_INFO_V1(gcanalytics_resources);
PG_FUNCTION_INFO_V1(gcanalytics_resource_columns);

static const char *
role_name(GcaPushRole role)
{
	switch (role)
	{
		case GCA_PUSH_NONE:
			return NULL;
		case GCA_PUSH_TIME:
			return "time range";
		case GCA_PUSH_ID:
			return "id lookup";
		case GCA_PUSH_FILTER:
			return "filter";
		case GCA_PUSH_ARRAY_FILTER:
			return "filter (array contains)";
		case GCA_PUSH_PARAM:
			return "request parameter";
		case GCA_PUSH_EXISTS:
			return "IS NOT NULL filter";
		case GCA_PUSH_WHERE:
			return "SOQL WHERE";
	}
	return NULL;
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* resources(): resource, service, needs_time_bound, description */
Datum
gcanalytics_resources(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (const GcaResource *const *r = gca_resources(); *r; r++)
	{
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = CStringGetTextDatum((*r)->name);
		values[1] = CStringGetTextDatum(gca_service_name((*r)->service));
		values[2] = BoolGetDatum((*r)->needs_time_bound);
		values[3] = text_or_null((*r)->comment, &nulls[3]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * resource_columns(): resource, column_name, type, pushdown, api_name,
 * description, one row per column IMPORT FOREIGN SCHEMA creates.
 */
Datum
gcanalytics_resource_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (const GcaResource *const *r = gca_resources(); *r; r++)
	{
		int			n = 0;

		for (const GcaColumnDef *c = (*r)->columns; c && c->name; c++)
		{
			Datum		values[7];
			bool		nulls[7] = {0};

			values[0] = CStringGetTextDatum((*r)->name);
			values[1] = Int32GetDatum(++n);
			values[2] = CStringGetTextDatum(c->name);
			values[3] = CStringGetTextDatum(c->type);
			values[4] = text_or_null(role_name(c->push), &nulls[4]);
			values[5] = text_or_null(c->api_name, &nulls[5]);
			values[6] = text_or_null(c->comment, &nulls[6]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
