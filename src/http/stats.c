/*-------------------------------------------------------------------------
 *
 * stats.c
 *		SQL functions of the HTTP core: http_stats(), http_stats_reset()
 *		and the diagnostic http_request().
 *
 * http_stats() reads the counters kept in the rate budgets (ratelimit.c):
 * shared by all backends when gcanalytics is preloaded, this session's
 * otherwise (the "shared" column says which).
 *
 * No json-c here: this file includes utils/builtins.h.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/stats.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "fdw.h"
#include "http_internal.h"

PG_FUNCTION_INFO_V1(gcanalytics_http_stats);
PG_FUNCTION_INFO_V1(gcanalytics_http_stats_reset);
PG_FUNCTION_INFO_V1(gcanalytics_http_request);

#define MAX_STAT_ROWS		64
#define HTTP_REQUEST_MAX	(64 * 1024 * 1024)

/*
 * gcanalytics.http_stats() returns one row per server of this database
 * that made requests: server, requests, retries, errors (jsonb: count per
 * HTTP status, "network" for transport errors), bytes, wait_ms,
 * token_requests, shared.
 */
Datum
gcanalytics_http_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GcaBudgetStats *rows = palloc(sizeof(GcaBudgetStats) * MAX_STAT_ROWS);
	int			n;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	n = gca_budget_snapshot(rows, MAX_STAT_ROWS);
	for (i = 0; i < n; i++)
	{
		GcaBudgetStats *r = &rows[i];
		Datum		values[8];
		bool		nulls[8] = {0};
		ForeignServer *server = GetForeignServerExtended(r->serverid, FSV_MISSING_OK);
		StringInfoData errors;
		NameData	name;
		int			j;

		initStringInfo(&errors);
		appendStringInfoChar(&errors, '{');
		for (j = 0; j < r->nstatus; j++)
			appendStringInfo(&errors, "%s\"%d\": " INT64_FORMAT,
							 errors.len > 1 ? ", " : "",
							 r->statuses[j], r->status_counts[j]);
		if (r->network_errors > 0)
			appendStringInfo(&errors, "%s\"network\": " INT64_FORMAT,
							 errors.len > 1 ? ", " : "", r->network_errors);
		if (r->other_errors > 0)
			appendStringInfo(&errors, "%s\"other\": " INT64_FORMAT,
							 errors.len > 1 ? ", " : "", r->other_errors);
		appendStringInfoChar(&errors, '}');

		namestrcpy(&name, server ? server->servername : r->servername);
		values[0] = NameGetDatum(&name);
		values[1] = Int64GetDatum(r->requests);
		values[2] = Int64GetDatum(r->retries);
		values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(errors.data));
		values[4] = Int64GetDatum(r->bytes);
		values[5] = Float8GetDatum(r->wait_ms);
		values[6] = Int64GetDatum(r->token_requests);
		values[7] = BoolGetDatum(gca_budget_is_shared());
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* gcanalytics.http_stats_reset() zeroes the counters of this database. */
Datum
gcanalytics_http_stats_reset(PG_FUNCTION_ARGS)
{
	gca_budget_reset_stats();
	PG_RETURN_VOID();
}

/*
 * gcanalytics.http_request(server name, method text, path text,
 *							request_body text DEFAULT NULL)
 *
 * Sends one request through the HTTP core with the calling user's
 * mapping: token, rate budget, retries and errors as for a scan.  Returns
 * status, body, attempts and correlation_id; a failure after the retries
 * raises the same error a scan would.  Execute is revoked from PUBLIC.
 */
Datum
gcanalytics_http_request(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *servername;
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	GcaOptions *opts;
	GcaClient  *client;
	GcaCall		call;
	GcaBufferSink buf;
	char	   *method;
	Datum		values[4];
	bool		nulls[4] = {0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server, method and path must not be null")));
	servername = NameStr(*PG_GETARG_NAME(0));
	method = text_to_cstring(PG_GETARG_TEXT_PP(1));
	server = GetForeignServerByName(servername, false);
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, "gcanalytics_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("server \"%s\" does not use the foreign-data wrapper gcanalytics_fdw",
						servername)));
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0 &&
		strcmp(method, "DELETE") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid HTTP method \"%s\"", method),
				 errhint("Use GET, POST or DELETE.")));

	memset(&call, 0, sizeof(call));
	call.method = method;
	call.path = text_to_cstring(PG_GETARG_TEXT_PP(2));
	call.body = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	gca_buffer_sink_init(&call.sink, &buf, HTTP_REQUEST_MAX);

	InitMaterializedSRF(fcinfo, 0);
	opts = gca_get_options(server->serverid, GetUserId(), InvalidOid);
	client = gca_client_get(opts);
	gca_call_perform(client, &call);

	values[0] = Int32GetDatum(call.status);
	if (buf.data == NULL)
		values[1] = CStringGetTextDatum("");
	else
	{
		if (!pg_verifymbstr(buf.data, (int) buf.len, true))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("response body of %s %s is not valid in the database encoding",
							method, call.path)));
		values[1] = PointerGetDatum(cstring_to_text_with_len(buf.data, (int) buf.len));
	}
	values[2] = Int32GetDatum(call.attempts);
	if (call.correlation_id[0])
		values[3] = CStringGetTextDatum(call.correlation_id);
	else
		nulls[3] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
