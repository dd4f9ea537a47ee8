/*-------------------------------------------------------------------------
 *
 * adherence.c
 *		The Genesys resource "adherence": workforce management historical
 *		adherence, one row per agent and scheduled day (the day metrics of
 *		the SDK's HistoricalAdherenceQueryResult).
 *
 * Read through the asynchronous query, the way details jobs are read:
 *	- the management units: those of management_unit_id = / IN, else the
 *	  listing GET /api/v2/workforcemanagement/managementunits (paged);
 *	- per unit and range of at most MAX_RANGE_DAYS UTC days, POST
 *	  .../managementunits/{id}/historicaladherencequery with a
 *	  WfmHistoricalAdherenceQuery (startDate, endDate, timeZone: UTC, or
 *	  the zone of time_zone =,
 *	  userIds when user_id is pushed, includeExceptions false): the answer
 *	  (WfmHistoricalAdherenceResponse) names the job and its queryState;
 *	- the job is polled (GET .../adherence/historical/jobs/{id}) with
 *	  backoff until Complete, when it names its downloadUrls (or one
 *	  downloadUrl); Error, or no state, ends the scan with an error;
 *	- each download URL is pre-signed: fetched without the bearer token
 *	  (GcaRequest.presigned), its "data" items streamed one user at a
 *	  time; each dayMetrics entry is a row.
 * The units' queries advance side by side (responses of different units
 * in any order).  day_start bounds become the range, widened to whole
 * days of the zone; every condition is rechecked locally.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/adherence.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "isotime.h"
#include "resource.h"
#include "url.h"

#define UNITS_PATH "/api/v2/workforcemanagement/managementunits"
#define QUERY_PATH UNITS_PATH "/%s/historicaladherencequery"
#define JOB_PATH "/api/v2/workforcemanagement/adherence/historical/jobs/%s"
#define MAX_RANGE_DAYS 31		/* days per query */
#define UNITS_PAGE_SIZE 100
#define POLL_FIRST_MS 50		/* then doubled up to POLL_MAX_MS */
#define POLL_MAX_MS 2000
#define AGENTS_ESTIMATE 50.0

typedef enum AdhColumn
{
	AD_MANAGEMENT_UNIT_ID = 1,
	AD_USER_ID,
	AD_DAY_START,
	AD_SCHEDULE_LENGTH_S,
	AD_ADHERENCE_SCHEDULE_S,
	AD_CONFORMANCE_SCHEDULE_S,
	AD_CONFORMANCE_ACTUAL_S,
	AD_EXCEPTION_COUNT,
	AD_EXCEPTION_DURATION_S,
	AD_IMPACT_S,
	AD_ACTUAL_LENGTH_S,
	AD_ADHERENCE_PERCENTAGE,
	AD_CONFORMANCE_PERCENTAGE,
	AD_TIME_ZONE,
	AD_NCOLUMNS
} AdhColumn;

static const GcaColumnDef adherence_columns[] = {
	{"management_unit_id", "text", AD_MANAGEMENT_UNIT_ID, GCA_PUSH_PARAM, "managementUnitId", 0, 0,
	"the agent's management unit; = or IN reads only those units"},
	{"user_id", "text", AD_USER_ID, GCA_PUSH_PARAM, "userIds", 0, 1,
	"the agent; = or IN becomes the query's userIds"},
	{"day_start", "timestamptz", AD_DAY_START, GCA_PUSH_TIME, NULL, 0, 0,
	"the midnight the day starts at (of time_zone); ranges become the query's startDate and endDate"},
	{"schedule_length_s", "integer", AD_SCHEDULE_LENGTH_S, GCA_PUSH_NONE, NULL, 0, 0,
	"scheduleLengthSecs: length of the day's schedule"},
	{"adherence_schedule_s", "integer", AD_ADHERENCE_SCHEDULE_S, GCA_PUSH_NONE, NULL, 0, 0,
	"adherenceScheduleSecs: scheduled time adherence is measured over"},
	{"conformance_schedule_s", "integer", AD_CONFORMANCE_SCHEDULE_S, GCA_PUSH_NONE, NULL, 0, 0,
	"conformanceScheduleSecs: time scheduled on queue"},
	{"conformance_actual_s", "integer", AD_CONFORMANCE_ACTUAL_S, GCA_PUSH_NONE, NULL, 0, 0,
	"conformanceActualSecs: time actually on queue"},
	{"exception_count", "integer", AD_EXCEPTION_COUNT, GCA_PUSH_NONE, NULL, 0, 0,
	"exceptionCount: adherence exceptions of the day"},
	{"exception_duration_s", "integer", AD_EXCEPTION_DURATION_S, GCA_PUSH_NONE, NULL, 0, 0,
	"exceptionDurationSecs: their total length"},
	{"impact_s", "integer", AD_IMPACT_S, GCA_PUSH_NONE, NULL, 0, 0,
	"impactSeconds: the exceptions' impact"},
	{"actual_length_s", "integer", AD_ACTUAL_LENGTH_S, GCA_PUSH_NONE, NULL, 0, 0,
	"actualLengthSecs: length of the day actually worked"},
	{"adherence_percentage", "float8", AD_ADHERENCE_PERCENTAGE, GCA_PUSH_NONE, NULL, 0, 0,
	"adherencePercentage, 0-100"},
	{"conformance_percentage", "float8", AD_CONFORMANCE_PERCENTAGE, GCA_PUSH_NONE, NULL, 0, 0,
	"conformancePercentage, 0-100"},
	{"time_zone", "text", AD_TIME_ZONE, GCA_PUSH_PARAM, "timeZone", 0, 0,
	"the IANA time zone of the days (UTC unless = pushes one): the query's timeZone"},
	{NULL}
};

/* Where each day column is in a HistoricalAdherenceDayMetrics. */
static const char *const day_paths[AD_NCOLUMNS] = {
	[AD_SCHEDULE_LENGTH_S] = "scheduleLengthSecs",
	[AD_ADHERENCE_SCHEDULE_S] = "adherenceScheduleSecs",
	[AD_CONFORMANCE_SCHEDULE_S] = "conformanceScheduleSecs",
	[AD_CONFORMANCE_ACTUAL_S] = "conformanceActualSecs",
	[AD_EXCEPTION_COUNT] = "exceptionCount",
	[AD_EXCEPTION_DURATION_S] = "exceptionDurationSecs",
	[AD_IMPACT_S] = "impactSeconds",
	[AD_ACTUAL_LENGTH_S] = "actualLengthSecs",
	[AD_ADHERENCE_PERCENTAGE] = "adherencePercentage",
	[AD_CONFORMANCE_PERCENTAGE] = "conformancePercentage",
};

typedef enum
{
	REQ_UNITS,
	REQ_CREATE,
	REQ_STATUS,
	REQ_DOWNLOAD
} RequestKind;

typedef enum
{
	Q_NEW,						/* not asked yet */
	Q_RUNNING,					/* asked, polled until Complete */
	Q_READY,					/* its download URLs are known */
	Q_DONE
} QueryState;

/* One asynchronous query: a unit and a range of days. */
typedef struct Query
{
	int			index;
	char	   *unit;
	TimestampTz start;
	TimestampTz end;
	QueryState	state;
	char	   *job_id;
	int			poll_delay_ms;
	bool		busy;			/* a request of it is in flight */
	int			seq;			/* its requests, numbered */
	List	   *urls;			/* char *: the downloads */
	int			next_url;
	int			urls_read;
} Query;

typedef struct AdhScan
{
	TimestampTz start;			/* whole days of time_zone */
	TimestampTz end;
	const char *time_zone;		/* the query's timeZone */
	List	   *user_ids;		/* pushed user_id values, or NIL */
	bool		list_units;		/* the units come from the listing */
	int			units_page;		/* next listing page; 0: done */
	List	   *queries;		/* Query */
	/* the page being read */
	Query	   *reading;
	int			item;			/* user result in rs->items */
	GcaJson    *data;			/* the page's "data" when not streamed */
	GcaJson    *result;
	int			day;
	int			ndays;
} AdhScan;

/*
 * The midnight of zone tz that starts t's day, moved days calendar days
 * (23 or 25 hours across a DST change); an unknown zone is PostgreSQL's
 * error.
 */
static TimestampTz
local_midnight(const char *tz, TimestampTz t, int days)
{
	Datum		zone = CStringGetTextDatum(tz);
	Timestamp	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, zone,
															  TimestampTzGetDatum(t)));
	Timestamp	r = local % USECS_PER_DAY;

	local = (r < 0 ? local - r - USECS_PER_DAY : local - r) + (Timestamp) days * USECS_PER_DAY;
	return DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone, zone, TimestampGetDatum(local)));
}

static void
adherence_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	double		days = in->have_time ? Max(in->days, 1.0) : 7.0;

	*rows = AGENTS_ESTIMATE * days * 5.0 / 7.0;
	*requests = 2.0 * (3.0 + ceil(days / MAX_RANGE_DAYS));
}

static GcaPushedValues *
pushed_param(GcaPushed *pushed, int id)
{
	ListCell   *lc;

	foreach(lc, pushed->params)
	{
		GcaPushedValues *pv = lfirst(lc);

		if (pv->def->id == id)
			return pv;
	}
	return NULL;
}

/* The queries of unit: its range in pieces of at most MAX_RANGE_DAYS. */
static void
add_unit(AdhScan *st, const char *unit)
{
	for (TimestampTz s = st->start; s < st->end;)
	{
		Query	   *q = palloc0(sizeof(Query));

		q->index = list_length(st->queries);
		q->unit = pstrdup(unit);
		q->start = s;
		q->end = Min(st->end, local_midnight(st->time_zone, s, MAX_RANGE_DAYS));
		st->queries = lappend(st->queries, q);
		s = q->end;
	}
}

static void
adherence_plan(GcaResourceScan *rs)
{
	AdhScan    *st = palloc0(sizeof(AdhScan));
	GcaPushedValues *units = pushed_param(&rs->pushed, AD_MANAGEMENT_UNIT_ID);
	GcaPushedValues *users = pushed_param(&rs->pushed, AD_USER_ID);
	GcaPushedValues *zones = pushed_param(&rs->pushed, AD_TIME_ZONE);
	ListCell   *lc;

	rs->state = st;
	rs->any_owner_order = true;
	if (rs->pushed.empty)
		return;
	st->time_zone = "UTC";
	if (zones)
	{
		if (list_length(zones->values) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("adherence reads the days of one time zone at a time"),
					 errdetail("The condition on time_zone names %d zones.", list_length(zones->values)),
					 errhint("Query each zone apart: WHERE time_zone = 'America/New_York'.")));
		st->time_zone = linitial(zones->values);
	}
	st->start = local_midnight(st->time_zone, rs->pushed.lower, 0);
	st->end = local_midnight(st->time_zone, rs->pushed.upper - 1, 1);
	st->user_ids = users ? users->values : NIL;
	if (units)
	{
		foreach(lc, units->values)
			add_unit(st, lfirst(lc));
	}
	else
	{
		st->list_units = true;
		st->units_page = 1;
	}
	rs->windows_total = list_length(st->queries);
}

/* The WfmHistoricalAdherenceQuery of q. */
static char *
query_body(AdhScan *st, Query *q)
{
	StringInfoData buf;
	char		start[64],
				end[64];
	ListCell   *lc;

	gca_format_iso_time(q->start, start);
	gca_format_iso_time(q->end, end);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"startDate\":\"%s\",\"endDate\":\"%s\",\"timeZone\":", start, end);
	escape_json(&buf, st->time_zone);
	appendStringInfoString(&buf, ",\"includeExceptions\":false");
	if (st->user_ids != NIL)
	{
		appendStringInfoString(&buf, ",\"userIds\":[");
		foreach(lc, st->user_ids)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoChar(&buf, ',');
			escape_json(&buf, lfirst(lc));
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static char *
escaped_path(const char *fmt, const char *id)
{
	StringInfoData esc;

	initStringInfo(&esc);
	gca_append_url_escaped(&esc, id);
	return psprintf(fmt, esc.data);
}

/* q's next request, if one is due */
static bool
query_request(AdhScan *st, Query *q, GcaRequest *req)
{
	if (q->busy || q->state == Q_DONE)
		return false;
	switch (q->state)
	{
		case Q_NEW:
			req->method = "POST";
			req->path = escaped_path(QUERY_PATH, q->unit);
			req->body = query_body(st, q);
			req->kind = REQ_CREATE;
			req->peek = true;
			break;
		case Q_RUNNING:
			req->method = "GET";
			req->path = escaped_path(JOB_PATH, q->job_id);
			req->kind = REQ_STATUS;
			req->delay_ms = q->poll_delay_ms;
			req->peek = true;
			break;
		case Q_READY:
			if (q->next_url >= list_length(q->urls))
				return false;
			req->method = "GET";
			req->path = pstrdup(list_nth(q->urls, q->next_url++));
			req->presigned = true;
			req->kind = REQ_DOWNLOAD;
			req->items_key = "data";
			break;
		case Q_DONE:
			return false;
	}
	q->busy = req->kind != REQ_DOWNLOAD;
	req->owner = q;
	req->order = q->index + 1;
	req->number = ++q->seq;
	return true;
}

static bool
adherence_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	AdhScan    *st = rs->state;
	ListCell   *lc;

	if (rs->pushed.empty)
		return false;
	if (st->list_units)
	{
		if (st->units_page <= 0)
			return false;
		req->method = "GET";
		req->path = psprintf("%s?pageSize=%d&pageNumber=%d", UNITS_PATH, UNITS_PAGE_SIZE,
							 st->units_page);
		req->kind = REQ_UNITS;
		req->order = 0;
		req->number = st->units_page;
		st->units_page = 0;		/* the next one once this one is read */
		return true;
	}
	foreach(lc, st->queries)
	{
		if (query_request(st, lfirst(lc), req))
			return true;
	}
	return false;
}

/* Reads a WfmHistoricalAdherenceResponse: the job, its state, its URLs. */
static void
read_response(void *arg, const GcaRequest *req, GcaJson *doc)
{
	Query	   *q = arg;
	const char *state = gca_json_get_string(doc, "queryState");
	const char *id = gca_json_get_string(doc, "id");
	GcaJson    *urls = gca_json_get(doc, "downloadUrls");

	if (id && !q->job_id)
		q->job_id = pstrdup(id);
	if (state && strcmp(state, "Complete") == 0)
	{
		const char *one = gca_json_get_string(doc, "downloadUrl");

		for (int i = 0; gca_json_is_array(urls) && i < gca_json_array_length(urls); i++)
		{
			const char *u = gca_json_string(gca_json_array_item(urls, i));

			if (u)
				q->urls = lappend(q->urls, pstrdup(u));
		}
		if (q->urls == NIL && one)
			q->urls = list_make1(pstrdup(one));
		q->state = Q_READY;
		return;
	}
	if (state == NULL || strcmp(state, "Processing") != 0 || q->job_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("genesys historical adherence query of management unit %s ended in state %s",
						q->unit, state ? state : "(none)"),
				 errdetail("The response to %s %s has no job id or an unknown queryState.",
						   req->method, req->path),
				 errhint("The range is read again by the next scan.")));
	q->state = Q_RUNNING;
	q->poll_delay_ms = q->poll_delay_ms == 0 ? POLL_FIRST_MS
		: Min(q->poll_delay_ms * 2, POLL_MAX_MS);
}

static bool
adherence_peek(GcaResourceScan *rs, const GcaRequest *req, const char *raw, size_t len)
{
	Query	   *q = req->owner;

	if (req->kind != REQ_CREATE && req->kind != REQ_STATUS)
		return false;
	q->busy = false;
	gca_read_peeked_object(rs, req, raw, len, read_response, q);
	if (q->state == Q_READY && q->urls == NIL)
	{
		q->state = Q_DONE;
		rs->windows_done++;
	}
	return true;
}

/* A page of the unit listing: a query per unit and range. */
static void
read_units(GcaResourceScan *rs, AdhScan *st, const GcaRequest *req, GcaJson *page)
{
	GcaJson    *entities = gca_json_get(page, "entities");
	int			n = gca_json_array_length(entities);
	int64		page_count = gca_json_get_int64(page, "pageCount", -1);

	for (int i = 0; i < n; i++)
	{
		const char *id = gca_json_get_string(gca_json_array_item(entities, i), "id");

		if (id)
			add_unit(st, id);
	}
	if (n > 0 && (gca_json_get_string(page, "nextUri") != NULL ||
				  (page_count >= 0 && req->number < page_count)))
		st->units_page = req->number + 1;
	else
		st->list_units = false;
	rs->windows_total = list_length(st->queries);
}

static int
adherence_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	AdhScan    *st = rs->state;
	Query	   *q = req->owner;
	int			count;

	if (req->kind == REQ_UNITS)
	{
		read_units(rs, st, req, page);
		return 0;
	}
	if (req->kind != REQ_DOWNLOAD)
		return 0;				/* read by adherence_peek */
	/*
	 * "data" is streamed when nothing nested follows it in the document;
	 * otherwise the page was parsed whole and its array is read.
	 */
	st->data = rs->items ? NULL : gca_json_get(page, "data");
	count = rs->items ? gca_json_items_count(rs->items)
		: gca_json_is_array(st->data) ? gca_json_array_length(st->data) : 0;
	if (rs->items && count <= 0 && gca_json_items_error(rs->items))
		(void) gca_page_item(rs, 0);	/* throws */
	if (++q->urls_read >= list_length(q->urls))
	{
		q->state = Q_DONE;
		rs->windows_done++;
	}
	st->reading = q;
	st->item = -1;
	st->result = NULL;
	st->day = st->ndays = 0;
	return count > 0 ? count : 0;
}

static bool
adherence_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	AdhScan    *st = rs->state;
	GcaJson    *day;
	GcaJson    *days;
	TimestampTz start;

	while (st->result == NULL || st->day >= st->ndays)
	{
		++st->item;
		st->result = rs->items ? gca_page_item(rs, st->item)
			: st->item < gca_json_array_length(st->data) ? gca_json_array_item(st->data, st->item) : NULL;
		if (st->result == NULL)
			return false;
		days = gca_json_get(st->result, "dayMetrics");
		st->ndays = gca_json_is_array(days) ? gca_json_array_length(days) : 0;
		st->day = 0;
	}
	days = gca_json_get(st->result, "dayMetrics");
	day = gca_json_array_item(days, st->day++);
	if (!gca_json_get_time(st->result, "startDate", &start))
		start = st->reading->start;
	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;

		nulls[i] = true;
		if (!def || !rs->columns[i].used)
			continue;
		switch ((AdhColumn) def->id)
		{
			case AD_MANAGEMENT_UNIT_ID:
				values[i] = gca_json_column_value(gca_json_get(st->result, "managementUnitId"),
												  def, &nulls[i]);
				if (nulls[i])
				{
					values[i] = CStringGetTextDatum(st->reading->unit);
					nulls[i] = false;
				}
				break;
			case AD_USER_ID:
				values[i] = gca_json_column_value(gca_json_get(st->result, "userId"), def,
												  &nulls[i]);
				break;
			case AD_TIME_ZONE:
				values[i] = CStringGetTextDatum(st->time_zone);
				nulls[i] = false;
				break;
			case AD_DAY_START:
				values[i] = TimestampTzGetDatum(start + gca_json_get_int64(day, "dayStartOffsetSecs", 0) *
												USECS_PER_SEC);
				nulls[i] = false;
				break;
			default:
				values[i] = gca_json_column_value(gca_json_get(day, day_paths[def->id]), def,
												  &nulls[i]);
				break;
		}
	}
	return true;
}

static List *
adherence_explain(GcaResourceScan *rs)
{
	AdhScan    *st = rs->state;
	List	   *items;

	if (rs->pushed.empty)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	items = list_make1(gca_explain_item("Request",
										pstrdup("POST " UNITS_PATH "/{id}/historicaladherencequery, "
												"polled, then its pre-signed downloads")));
	if (st->list_units)
		items = lappend(items, gca_explain_item("Units", pstrdup("GET " UNITS_PATH)));
	else
		items = lappend(items, gca_explain_integer("Queries", list_length(st->queries), true));
	if (!rs->pushed.needs_outer)
	{
		/* the body of the first range (every unit's is the same) */
		Query		first = {.start = st->start,
		.end = Min(st->end, local_midnight(st->time_zone, st->start, MAX_RANGE_DAYS))};

		items = lappend(items, gca_explain_item("Body", query_body(st, &first)));
	}
	return items;
}

const GcaResource gca_genesys_adherence = {
	.name = "adherence",
	.service = GCA_SERVICE_GENESYS,
	.needs_time_bound = true,
	.columns = adherence_columns,
	.comment = "Genesys Cloud workforce management historical adherence, one row per agent and scheduled day",
	.estimate = adherence_estimate,
	.plan = adherence_plan,
	.next_request = adherence_next_request,
	.read_page = adherence_read_page,
	.peek = adherence_peek,
	.next_row = adherence_next_row,
	.explain = adherence_explain,
};
