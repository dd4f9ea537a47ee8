/*-------------------------------------------------------------------------
 *
 * http_diagnostics.c
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
 *		src/functions/http_diagnostics.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "fdw.h"
#include "http.h"

PG_FUNCTION_INFO_V1(gcanalytics_http_stats);
PG_FUNCTION_INFO_V1(gcanalytics_http_stats_reset);
PG_FUNCTION_INFO_V1(gcanalytics_http_request);
PG_FUNCTION_INFO_V1(gcanalytics_http_request_many);

#define MAX_STAT_ROWS		64
#define HTTP_REQUEST_MAX	(64 * 1024 * 1024)

/*
 * gcanalytics.http_stats() returns one row per server of this database
 * that made requests: server, requests, retries, errors (jsonb: count per
 * HTTP status, "network" for transport errors), bytes, wait_ms,
 * token_requests, shared, limit_info (the last usage the API reported in
 * Sforce-Limit-Info or inin-ratelimit-* headers).  Like PostgreSQL's
 * statistics views, it shows a server only to roles with USAGE on it,
 * unless the caller has the privileges of pg_read_all_stats (superusers
 * do); a dropped server's counters only to the latter.
 */
Datum
gcanalytics_http_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GcaBudgetStats *rows = palloc(sizeof(GcaBudgetStats) * MAX_STAT_ROWS);
	int			n;
	int			i;
	bool		all_stats = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	n = gca_budget_snapshot(rows, MAX_STAT_ROWS);
	for (i = 0; i < n; i++)
	{
		GcaBudgetStats *r = &rows[i];
		Datum		values[9];
		bool		nulls[9] = {0};
		ForeignServer *server = GetForeignServerExtended(r->serverid, FSV_MISSING_OK);
		StringInfoData errors;
		NameData	name;
		int			j;

		if (!all_stats &&
			(server == NULL ||
			 pg_foreign_server_aclcheck(server->serverid, GetUserId(),
										ACL_USAGE) != ACLCHECK_OK))
			continue;
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
		values[5] = Float8GetDatum(rint(r->wait_ms));	/* whole ms */
		values[6] = Int64GetDatum(r->token_requests);
		values[7] = BoolGetDatum(gca_budget_is_shared());
		if (r->limit_info[0])
			values[8] = CStringGetTextDatum(r->limit_info);
		else
			nulls[8] = true;
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
 * The client of the calling user for a gcanalytics server, checking the
 * method on the way.  Throws on an unknown or foreign server, an invalid
 * method, a missing user mapping or a failed token fetch.
 */
static GcaClient *
request_client(FunctionCallInfo fcinfo, char **method)
{
	char	   *servername;
	ForeignServer *server;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server, method and path must not be null")));
	servername = NameStr(*PG_GETARG_NAME(0));
	*method = text_to_cstring(PG_GETARG_TEXT_PP(1));
	server = gca_server_by_name(servername);
	if (strcmp(*method, "GET") != 0 && strcmp(*method, "POST") != 0 &&
		strcmp(*method, "DELETE") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid HTTP method \"%s\"", *method),
				 errhint("Use GET, POST or DELETE.")));
	InitMaterializedSRF(fcinfo, 0);
	return gca_client_get(&gca_get_options(server->serverid, GetUserId(), InvalidOid)->http);
}

/*
 * Adds the row (path, status, body, attempts, correlation_id) of a done
 * call; with_path = false leaves out the first column.
 */
static void
put_response(ReturnSetInfo *rsinfo, bool with_path, GcaCall *call,
			 GcaBufferSink *buf)
{
	Datum		values[5];
	bool		nulls[5] = {0};
	int			i = 0;

	if (with_path)
		values[i++] = CStringGetTextDatum(call->path);
	values[i++] = Int32GetDatum(call->status);
	if (buf->data && !pg_verifymbstr(buf->data, (int) buf->len, true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("response body of %s %s is not valid in the database encoding",
						call->method, call->path)));
	values[i++] = PointerGetDatum(cstring_to_text_with_len(buf->data ? buf->data : "",
														   (int) buf->len));
	values[i++] = Int32GetDatum(call->attempts);
	if (call->correlation_id[0])
		values[i] = CStringGetTextDatum(call->correlation_id);
	else
		nulls[i] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
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
	char	   *method;
	GcaClient  *client = request_client(fcinfo, &method);
	GcaCall		call;
	GcaBufferSink buf;

	memset(&call, 0, sizeof(call));
	call.method = method;
	call.path = text_to_cstring(PG_GETARG_TEXT_PP(2));
	call.body = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	gca_buffer_sink_init(&call.sink, &buf, HTTP_REQUEST_MAX);

	gca_call_perform(client, &call);
	put_response((ReturnSetInfo *) fcinfo->resultinfo, false, &call, &buf);
	return (Datum) 0;
}

/*
 * gcanalytics.http_request_many(server name, method text, paths text[])
 *
 * Starts one request per path at once; they run max_concurrency at a
 * time under the rate budget, and are waited for in order.  One row per
 * path: path, status, body, attempts, correlation_id.  The first failure
 * raises its error (the other requests are abandoned).
 */
Datum
gcanalytics_http_request_many(PG_FUNCTION_ARGS)
{
	char	   *method;
	GcaClient  *client = request_client(fcinfo, &method);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
	Datum	   *elems;
	bool	   *enulls;
	int			n;
	int			i;
	GcaCall    *calls;
	GcaBufferSink *bufs;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
	calls = palloc0(sizeof(GcaCall) * Max(n, 1));
	bufs = palloc0(sizeof(GcaBufferSink) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("paths must not contain nulls")));
		calls[i].method = method;
		calls[i].path = TextDatumGetCString(elems[i]);
		gca_buffer_sink_init(&calls[i].sink, &bufs[i], HTTP_REQUEST_MAX);
	}
	for (i = 0; i < n; i++)
		gca_call_start(client, &calls[i]);
	for (i = 0; i < n; i++)
	{
		gca_call_wait(client, &calls[i]);
		put_response((ReturnSetInfo *) fcinfo->resultinfo, true, &calls[i], &bufs[i]);
	}
	return (Datum) 0;
}
