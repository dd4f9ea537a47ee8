/*-------------------------------------------------------------------------
 *
 * aggregates.c
 *		The Genesys resource "conversation_aggregates": the aggregates
 *		query, one row per bucket, group and metric.
 *
 * POST /api/v2/analytics/conversations/aggregates/query:
 *	- interval (required by the API): from the interval_start conditions
 *	  (a lower bound is required; the upper defaults to now);
 *	- granularity, an ISO-8601 period: from granularity = / IN (one
 *	  request per value), else none (the API's default: one bucket, the
 *	  whole interval; the column reads NULL);
 *	- timeZone, an IANA name (day and week buckets are that zone's
 *	  calendar days): from time_zone = / IN (one request per value and
 *	  granularity), else none (the API's default, UTC; the column reads
 *	  NULL);
 *	- groupBy: the dimension columns the query references;
 *	- filter: = / IN on dimension columns, each an "or" clause;
 *	- metrics: from metric = / IN, else a default set.
 * Every response holds the whole answer (the API does not page it):
 * results[] of {group, data[] of {interval, metrics[] of {metric,
 * stats}}}.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/aggregates.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "conversations.h"
#include "details.h"
#include "isotime.h"

#define AGGREGATES_PATH "/api/v2/analytics/conversations/aggregates/query"
#define GROUPS_ESTIMATE 20.0

typedef enum AggColumn
{
	AG_INTERVAL_START = 1,
	AG_INTERVAL_END,
	AG_GRANULARITY,
	AG_TIME_ZONE,
	AG_QUEUE_ID,
	AG_MEDIA_TYPE,
	AG_USER_ID,
	AG_DIRECTION,
	AG_WRAPUP_CODE,
	AG_METRIC,
	AG_COUNT,
	AG_SUM,
	AG_MIN,
	AG_MAX,
	AG_NUMERATOR,
	AG_DENOMINATOR,
	AG_TARGET,
	AG_NCOLUMNS
} AggColumn;

#define GROUP_DIMENSION 1

static const GcaColumnDef aggregate_columns[] = {
	{"interval_start", "timestamptz", AG_INTERVAL_START, GCA_PUSH_TIME, NULL, 0, 0,
	"start of the bucket; ranges become the request interval"},
	{"interval_end", "timestamptz", AG_INTERVAL_END, GCA_PUSH_NONE, NULL, 0, 0,
	"end of the bucket"},
	{"granularity", "text", AG_GRANULARITY, GCA_PUSH_PARAM, "granularity", 0, 0,
	"bucket length asked for (P1D, PT1H, PT30M, ...); NULL: the whole interval"},
	{"time_zone", "text", AG_TIME_ZONE, GCA_PUSH_PARAM, "timeZone", 0, 0,
	"IANA time zone asked for (timeZone: day and week buckets are its calendar days); NULL: UTC"},
	{"queue_id", "text", AG_QUEUE_ID, GCA_PUSH_FILTER, "queueId", GROUP_DIMENSION, 0,
	"queue (grouped by when the query reads it)"},
	{"media_type", "text", AG_MEDIA_TYPE, GCA_PUSH_FILTER, "mediaType", GROUP_DIMENSION, 0,
	"media type (grouped by when the query reads it)"},
	{"user_id", "text", AG_USER_ID, GCA_PUSH_FILTER, "userId", GROUP_DIMENSION, 0,
	"user (grouped by when the query reads it)"},
	{"direction", "text", AG_DIRECTION, GCA_PUSH_FILTER, "direction", GROUP_DIMENSION, 0,
	"direction (grouped by when the query reads it)"},
	{"wrapup_code", "text", AG_WRAPUP_CODE, GCA_PUSH_FILTER, "wrapUpCode", GROUP_DIMENSION, 0,
	"wrap-up code id (grouped by when the query reads it)"},
	{"metric", "text", AG_METRIC, GCA_PUSH_PARAM, "metrics", 0, 0,
	"metric name (nOffered, tHandle, ...); without a condition, a default set"},
	{"count", "bigint", AG_COUNT, GCA_PUSH_NONE, NULL, 0, 0, "stats.count"},
	{"sum", "float8", AG_SUM, GCA_PUSH_NONE, NULL, 0, 0, "stats.sum (ms for t-metrics)"},
	{"min", "float8", AG_MIN, GCA_PUSH_NONE, NULL, 0, 0, "stats.min"},
	{"max", "float8", AG_MAX, GCA_PUSH_NONE, NULL, 0, 0, "stats.max"},
	{"numerator", "float8", AG_NUMERATOR, GCA_PUSH_NONE, NULL, 0, 0, "stats.numerator"},
	{"denominator", "float8", AG_DENOMINATOR, GCA_PUSH_NONE, NULL, 0, 0, "stats.denominator"},
	{"target", "float8", AG_TARGET, GCA_PUSH_NONE, NULL, 0, 0, "stats.target"},
	{NULL}
};

/* Where each column is in a data element's metric ({metric, stats}). */
static const char *const metric_paths[AG_NCOLUMNS] = {
	[AG_METRIC] = "metric",
	[AG_COUNT] = "stats.count",
	[AG_SUM] = "stats.sum",
	[AG_MIN] = "stats.min",
	[AG_MAX] = "stats.max",
	[AG_NUMERATOR] = "stats.numerator",
	[AG_DENOMINATOR] = "stats.denominator",
	[AG_TARGET] = "stats.target",
};

static const char *const default_metrics[] = {
	"nOffered", "nConnected", "tHandle", "tTalk", "tHeld", "tAcw", "tAcd",
	"tAbandon", "nTransferred", "oServiceLevel"
};

typedef struct AggScan
{
	List	   *granularities;	/* char *; a NULL element: none */
	List	   *time_zones;		/* char *; a NULL element: none */
	int			next;			/* next request: granularity x time zone */
	List	   *metrics;		/* char * */

	/* the response being read */
	const char *granularity;
	const char *time_zone;
	GcaJson    *results;
	int			result,
				datum,
				metric;
} AggScan;

static void
aggregates_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	*rows = Max(in->days, 1) * GROUPS_ESTIMATE * lengthof(default_metrics);
	*requests = 1;
}

/* The request body: palloc'd JSON. */
static char *
aggregates_body(GcaResourceScan *rs, AggScan *st, const char *granularity, const char *time_zone)
{
	StringInfoData buf;
	bool		first = true;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	gca_details_append_interval(&buf, rs->pushed.lower, rs->pushed.upper);
	if (granularity)
	{
		appendStringInfoString(&buf, ",\"granularity\":");
		escape_json(&buf, granularity);
	}
	if (time_zone)
	{
		appendStringInfoString(&buf, ",\"timeZone\":");
		escape_json(&buf, time_zone);
	}
	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;

		if (!def || !rs->columns[i].used || def->push_group != GROUP_DIMENSION)
			continue;
		appendStringInfo(&buf, "%s\"%s\"", first ? ",\"groupBy\":[" : ",", def->api_name);
		first = false;
	}
	if (!first)
		appendStringInfoChar(&buf, ']');
	first = true;
	foreach(lc, rs->pushed.filters)
	{
		GcaPushedValues *f = lfirst(lc);
		ListCell   *vc;

		appendStringInfoString(&buf, first ? ",\"filter\":{\"type\":\"and\",\"clauses\":[" : ",");
		first = false;
		appendStringInfoString(&buf, "{\"type\":\"or\",\"predicates\":[");
		foreach(vc, f->values)
		{
			appendStringInfo(&buf, "%s{\"type\":\"dimension\",\"dimension\":\"%s\",\"value\":",
							 vc == list_head(f->values) ? "" : ",", f->def->api_name);
			escape_json(&buf, lfirst(vc));
			appendStringInfoChar(&buf, '}');
		}
		appendStringInfoString(&buf, "]}");
	}
	if (!first)
		appendStringInfoString(&buf, "]}");
	appendStringInfoString(&buf, ",\"metrics\":[");
	foreach(lc, st->metrics)
	{
		if (lc != list_head(st->metrics))
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, lfirst(lc));
	}
	appendStringInfoString(&buf, "]}");
	return buf.data;
}

/* The strings of a also in b. */
static List *
string_intersection(List *a, List *b)
{
	List	   *result = NIL;
	ListCell   *la,
			   *lb;

	foreach(la, a)
		foreach(lb, b)
			if (strcmp(lfirst(la), lfirst(lb)) == 0)
			{
				result = lappend(result, lfirst(la));
				break;
			}
	return result;
}

static void
aggregates_plan(GcaResourceScan *rs)
{
	AggScan    *st = palloc0(sizeof(AggScan));
	ListCell   *lc;

	rs->state = st;
	foreach(lc, rs->pushed.params)
	{
		GcaPushedValues *p = lfirst(lc);
		List	  **target = p->def->id == AG_METRIC ? &st->metrics
			: p->def->id == AG_TIME_ZONE ? &st->time_zones : &st->granularities;

		/* several conditions on one column: the values all must meet */
		*target = *target == NIL ? list_copy(p->values)
			: string_intersection(*target, p->values);
		if (*target == NIL)
			rs->pushed.empty = true;
	}
	if (st->metrics == NIL)
		for (int i = 0; i < lengthof(default_metrics); i++)
			st->metrics = lappend(st->metrics, (char *) default_metrics[i]);
	if (st->granularities == NIL)
		st->granularities = list_make1(NULL);
	if (st->time_zones == NIL)
		st->time_zones = list_make1(NULL);
	rs->windows_total = list_length(st->granularities) * list_length(st->time_zones);
}

static bool
aggregates_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	AggScan    *st = rs->state;

	int			nzones = list_length(st->time_zones);

	if (rs->pushed.empty || st->next >= rs->windows_total)
		return false;
	req->method = "POST";
	req->path = pstrdup(AGGREGATES_PATH);
	req->body = aggregates_body(rs, st, list_nth(st->granularities, st->next / nzones),
								list_nth(st->time_zones, st->next % nzones));
	req->number = st->next++;
	return true;
}

static int
aggregates_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	AggScan    *st = rs->state;

	rs->windows_done++;
	st->granularity = list_nth(st->granularities, req->number / list_length(st->time_zones));
	st->time_zone = list_nth(st->time_zones, req->number % list_length(st->time_zones));
	st->results = gca_json_get(page, "results");
	st->result = st->datum = st->metric = 0;
	return gca_json_array_length(st->results);
}

/* Fills the columns a row takes from its group and bucket. */
static void
fill_bucket(GcaResourceScan *rs, AggScan *st, GcaJson *group, GcaJson *datum,
			Datum *values, bool *nulls)
{
	const char *interval = gca_json_get_string(datum, "interval");
	const char *slash = interval ? strchr(interval, '/') : NULL;

	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;
		TimestampTz t;
		char	   *part;

		if (def == NULL || !rs->columns[i].used)
			continue;
		if (def->push_group == GROUP_DIMENSION)
			values[i] = gca_json_column_value(gca_json_get(group, def->api_name), def, &nulls[i]);
		else if (def->id == AG_GRANULARITY && st->granularity)
		{
			values[i] = CStringGetTextDatum(st->granularity);
			nulls[i] = false;
		}
		else if (def->id == AG_TIME_ZONE && st->time_zone)
		{
			values[i] = CStringGetTextDatum(st->time_zone);
			nulls[i] = false;
		}
		else if ((def->id == AG_INTERVAL_START || def->id == AG_INTERVAL_END) && slash)
		{
			part = def->id == AG_INTERVAL_START
				? pnstrdup(interval, slash - interval) : pstrdup(slash + 1);
			if (gca_parse_iso_time(part, &t))
			{
				values[i] = TimestampTzGetDatum(t);
				nulls[i] = false;
			}
		}
	}
}

/* Rows: results[] (groups) x data[] (buckets) x metrics[]. */
static bool
aggregates_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	AggScan    *st = rs->state;

	while (st->result < gca_json_array_length(st->results))
	{
		GcaJson    *group = gca_json_array_item(st->results, st->result);
		GcaJson    *data = gca_json_get(group, "data");
		GcaJson    *datum = gca_json_array_item(data, st->datum);
		GcaJson    *metrics = gca_json_get(datum, "metrics");

		if (st->datum >= gca_json_array_length(data))
		{
			st->result++;
			st->datum = st->metric = 0;
			continue;
		}
		if (st->metric >= gca_json_array_length(metrics))
		{
			st->datum++;
			st->metric = 0;
			continue;
		}
		gca_fill_from_paths(gca_json_array_item(metrics, st->metric++), metric_paths,
							rs->columns, rs->ncolumns, values, nulls);
		fill_bucket(rs, st, gca_json_get(group, "group"), datum, values, nulls);
		return true;
	}
	st->results = NULL;
	return false;
}

static List *
aggregates_explain(GcaResourceScan *rs)
{
	AggScan    *st = rs->state;
	List	   *items;

	if (rs->pushed.empty)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	items = list_make1(gca_explain_item("Request", pstrdup("POST " AGGREGATES_PATH)));
	if (rs->pushed.have_lower)
		items = lappend(items, gca_explain_item("Body",
												aggregates_body(rs, st, linitial(st->granularities),
																linitial(st->time_zones))));
	return items;
}

/* the last count asked, so that a statement's planning and route share it */
static struct
{
	GcaClient  *client;
	TimestampTz lower;
	TimestampTz upper;
	TimestampTz xact_start;
	double		count;
}			last_count;

/*
 * The number of conversations started in [lower, upper): the aggregates
 * query's nConversations over the whole interval (use_remote_estimate:
 * asked at planning time and, for extraction 'auto', by the scan; within
 * one transaction the same range is asked once).  Errors as any API call.
 */
double
gca_remote_conversation_count(GcaClient *client, TimestampTz lower, TimestampTz upper)
{
	GcaCall		call;
	GcaBufferSink buf;
	StringInfoData body;
	GcaJson    *doc;
	GcaJson    *results;
	double		count = 0;

	if (last_count.client == client && last_count.lower == lower &&
		last_count.upper == upper &&
		last_count.xact_start == GetCurrentTransactionStartTimestamp())
		return last_count.count;
	initStringInfo(&body);
	appendStringInfoChar(&body, '{');
	gca_details_append_interval(&body, lower, upper);
	appendStringInfoString(&body, ",\"metrics\":[\"nConversations\"]}");
	memset(&call, 0, sizeof(call));
	call.method = "POST";
	call.path = AGGREGATES_PATH;
	call.body = body.data;
	gca_buffer_sink_init(&call.sink, &buf, 16 * 1024 * 1024);
	gca_call_perform(client, &call);
	doc = gca_json_parse(buf.data, buf.len);
	results = gca_json_get(doc, "results");
	for (int r = 0; r < gca_json_array_length(results); r++)
	{
		GcaJson    *data = gca_json_get(gca_json_array_item(results, r), "data");

		for (int d = 0; d < gca_json_array_length(data); d++)
		{
			GcaJson    *metrics = gca_json_get(gca_json_array_item(data, d), "metrics");

			for (int m = 0; m < gca_json_array_length(metrics); m++)
				count += gca_json_get_int64(gca_json_path(gca_json_array_item(metrics, m),
														  "stats"), "count", 0);
		}
	}
	gca_json_free(doc);
	last_count.client = client;
	last_count.lower = lower;
	last_count.upper = upper;
	last_count.xact_start = GetCurrentTransactionStartTimestamp();
	last_count.count = count;
	return count;
}

const GcaResource gca_genesys_aggregates = {
	.name = "conversation_aggregates",
	.service = GCA_SERVICE_GENESYS,
	.needs_time_bound = true,
	.columns = aggregate_columns,
	.comment = "Genesys Cloud conversation aggregates, one row per bucket, group and metric",
	.estimate = aggregates_estimate,
	.plan = aggregates_plan,
	.next_request = aggregates_next_request,
	.read_page = aggregates_read_page,
	.next_row = aggregates_next_row,
	.explain = aggregates_explain,
};
