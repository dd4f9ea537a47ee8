/*-------------------------------------------------------------------------
 *
 * gc_wfm.c
 *		Workforce management: management units, the agents' schedules and
 *		their historical adherence, read through the asynchronous query of
 *		the SDK (purecloud-platform-client-v2's WfmHistoricalAdherenceQuery,
 *		WfmHistoricalAdherenceResponse, WfmHistoricalAdherenceResultWrapper,
 *		HistoricalAdherenceQueryResult, HistoricalAdherenceDayMetrics,
 *		HistoricalAdherenceExceptionInfo).
 *
 *	GET  /api/v2/workforcemanagement/managementunits
 *	POST /api/v2/workforcemanagement/managementunits/{mu}/historicaladherencequery
 *		-> 202 {"id", "queryState": "Processing"}
 *	GET  /api/v2/workforcemanagement/adherence/historical/jobs/{id}
 *		-> {"id", "queryState": "Processing" | "Complete", "downloadUrls"}
 *	GET  /downloads/wfm/{id}/{n}	(a pre-signed URL: no Authorization)
 *		-> WfmHistoricalAdherenceResultWrapper, --wfm-download-users users
 *
 * A day's schedule and adherence of an agent is a pure function of (seed,
 * agent, day of the base calendar), drawn from a stream of its own: the
 * same whatever was asked before.  Schedules are drawn per UTC day (a
 * shift's UTC day counts once it has ended by --now); the query's days are
 * days of its timeZone (UTC when absent), each holding the shifts that
 * start in it.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_wfm.c
 *
 *-------------------------------------------------------------------------
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc.h"

#define WFM_PREFIX "/api/v2/workforcemanagement/"
#define DOWNLOAD_PREFIX "/downloads/wfm/"
#define MAX_WFM_JOBS 64
#define MAX_QUERY_DAYS 32
#define MAX_USER_IDS 100

static const char *const mu_names[GC_WFM_NUM_MU] = {"Customer Care", "Sales"};

/* the fields of WfmHistoricalAdherenceQuery: any other is refused */
static const char *const query_fields[] = {
	"startDate", "endDate", "timeZone", "userIds", "includeExceptions", "teamIds", NULL
};

/* actual activity categories of an exception, and their presences */
static const struct
{
	const char *category;
	const char *presence;
	const char *routing;
}			exception_kinds[] = {
	{"Break", "Break", "OFF_QUEUE"},
	{"Meal", "Meal", "OFF_QUEUE"},
	{"Unscheduled", "Away", "OFF_QUEUE"},
	{"OffQueueWork", "Busy", "OFF_QUEUE"},
};

static char mu_ids[GC_WFM_NUM_MU][37];
static pthread_once_t mu_ids_once = PTHREAD_ONCE_INIT;

static void
mu_ids_init(void)
{
	for (int m = 0; m < GC_WFM_NUM_MU; m++)
	{
		SimRng		rng = sim_rng_derive(sim_config.seed, "wfm.mu", (uint64_t) m);

		gc_uuid(mu_ids[m], &rng);
	}
}

const char *
gc_wfm_mu_id(int mu)
{
	pthread_once(&mu_ids_once, mu_ids_init);
	return mu_ids[mu];
}

int
gc_wfm_mu_of(int user)
{
	const GcUser *u = &gc_world.users[user];

	if (u->evaluator || strcmp(u->state, "active") != 0)
		return -1;
	return strcmp(u->department, "Sales") == 0 ? 1 : 0;
}

/*
 * The schedule and adherence of agent user on UTC day day: false when the
 * agent is not scheduled that day (days off, not an agent of a unit, the
 * day not over by --now).  Two days off a week, by agent; a shift of 8.5 h
 * starting between 07:00 and 11:00 UTC, 7.5 h of it on queue; 0 to 4
 * exceptions of 2 to 25 min off queue.
 */
bool
gc_wfm_day(int user, int64_t day, GcWfmDay *out)
{
	int64_t		base = day - sim_config.shift_days;
	SimRng		rng;
	int			slot;

	memset(out, 0, sizeof(*out));
	if (gc_wfm_mu_of(user) < 0 || (day + 1) * MS_PER_DAY > sim_config.now_ms || base < 0)
		return false;
	if ((base + user) % 7 < 2)
		return false;
	rng = sim_rng_derive(sim_config.seed, "wfm.day", (uint64_t) base * 4096 + (uint64_t) user);
	out->shift_start_s = (7 + user % 5) * 3600;
	out->schedule_length_s = 30600;
	out->adherence_schedule_s = 30600;
	out->conformance_schedule_s = 27000;
	out->nexceptions = (int) sim_rng_range(&rng, 0, GC_WFM_MAX_EXCEPTIONS);
	slot = out->schedule_length_s / (out->nexceptions > 0 ? out->nexceptions : 1);
	for (int i = 0; i < out->nexceptions; i++)
	{
		GcWfmException *e = &out->exceptions[i];
		int			len = (int) sim_rng_range(&rng, 120, 1500);

		e->start_s = out->shift_start_s + i * slot +
			(int) sim_rng_range(&rng, 0, slot - len > 0 ? slot - len : 0);
		e->end_s = e->start_s + len;
		e->kind = (int) sim_rng_range(&rng, 0, 3);
		out->exception_duration_s += len;
	}
	out->conformance_actual_s = (int) (out->conformance_schedule_s *
									   (0.82 + 0.24 * sim_rng_uniform(&rng)));
	out->actual_length_s = out->schedule_length_s + (int) sim_rng_range(&rng, -900, 900);
	out->impact_s = out->conformance_actual_s - out->conformance_schedule_s;
	return true;
}

bool
gc_wfm_span(int user, int64_t from_ms, int64_t to_ms, GcWfmDay *out)
{
	bool		any = false;

	memset(out, 0, sizeof(*out));
	/* a shift starts 7 to 11 hours into its UTC day */
	for (int64_t day = from_ms / MS_PER_DAY - 1; day * MS_PER_DAY < to_ms; day++)
	{
		GcWfmDay	d;
		int64_t		start;

		if (!gc_wfm_day(user, day, &d))
			continue;
		start = day * MS_PER_DAY + (int64_t) d.shift_start_s * 1000;
		if (start < from_ms || start >= to_ms)
			continue;
		if (!any)
		{
			*out = d;
		}
		else
		{
			out->schedule_length_s += d.schedule_length_s;
			out->adherence_schedule_s += d.adherence_schedule_s;
			out->conformance_schedule_s += d.conformance_schedule_s;
			out->conformance_actual_s += d.conformance_actual_s;
			out->exception_duration_s += d.exception_duration_s;
			out->impact_s += d.impact_s;
			out->actual_length_s += d.actual_length_s;
			out->nexceptions += d.nexceptions;
		}
		any = true;
	}
	return any;
}

/* ----------------------------------------------------------------------
 * Jobs
 * ----------------------------------------------------------------------
 */
typedef struct WfmJob
{
	bool		used;
	char		id[37];
	int			mu;
	int64_t		start_ms;
	int64_t		end_ms;
	char		tz[64];			/* timeZone: the days are its days */
	int			ndays;
	int64_t		bounds[MAX_QUERY_DAYS + 1];	/* the days' local midnights */
	bool		exceptions;
	int			nusers;			/* users of the query, in unit order */
	int			users[256];
	int64_t		created_mono_ms;
} WfmJob;

static pthread_mutex_t wfm_lock = PTHREAD_MUTEX_INITIALIZER;
static WfmJob wfm_jobs[MAX_WFM_JOBS];
static uint64_t wfm_job_counter;

static int
download_count(const WfmJob *j)
{
	int			per = gc_config.wfm_download_users;

	return j->nusers == 0 ? 1 : (j->nusers + per - 1) / per;
}

/* a copy of job id; false when unknown */
static bool
job_get(const char *id, WfmJob *out)
{
	bool		found = false;

	pthread_mutex_lock(&wfm_lock);
	for (int i = 0; i < MAX_WFM_JOBS && !found; i++)
		if (wfm_jobs[i].used && strcmp(wfm_jobs[i].id, id) == 0)
		{
			*out = wfm_jobs[i];
			found = true;
		}
	pthread_mutex_unlock(&wfm_lock);
	return found;
}

static int
mu_by_id(const char *id)
{
	for (int m = 0; m < GC_WFM_NUM_MU; m++)
		if (strcmp(gc_wfm_mu_id(m), id) == 0)
			return m;
	return -1;
}

/* v is an ISO-8601 time (any offset) that is a midnight of zone tz */
static bool
local_midnight(json_object *v, const char *tz, int64_t *ms)
{
	const char *s = json_object_get_string(v);

	return s && sim_parse_ts(s, strlen(s), ms) == 0 && gc_local_midnight(tz, *ms, 0) == *ms;
}

static void
adherence_query(const SimRequest *req, const char *mu_id, SimResponse *resp)
{
	int			mu = mu_by_id(mu_id);
	json_object *body,
			   *v;
	WfmJob		job;
	WfmJob	   *slot = NULL;
	SimRng		rng;
	StrBuf		sb;

	if (mu < 0)
	{
		gc_error(resp, 404, "not.found", "Management unit %s was not found.", mu_id);
		return;
	}
	if (!(body = gc_parse_body(req, resp)))
		return;
	memset(&job, 0, sizeof(job));
	job.mu = mu;
	json_object_object_foreach(body, key, val)
	{
		bool		known = false;

		(void) val;
		for (int i = 0; query_fields[i]; i++)
			known |= strcmp(query_fields[i], key) == 0;
		if (!known)
		{
			gc_error(resp, 400, "bad.request",
					 "Unrecognized field \"%s\" (not a field of WfmHistoricalAdherenceQuery)", key);
			goto done;
		}
	}
	snprintf(job.tz, sizeof(job.tz), "UTC");
	if (json_object_object_get_ex(body, "timeZone", &v))
	{
		const char *tz = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || !tz ||
			(strcmp(tz, "UTC") != 0 && strcmp(tz, "Etc/UTC") != 0 && !gc_tz_known(tz)) ||
			strlen(tz) >= sizeof(job.tz))
		{
			gc_error(resp, 400, "bad.request", "Invalid timeZone \"%s\"", tz ? tz : "");
			goto done;
		}
		snprintf(job.tz, sizeof(job.tz), "%s", tz);
	}
	if (!json_object_object_get_ex(body, "startDate", &v) || !local_midnight(v, job.tz, &job.start_ms))
	{
		gc_error(resp, 400, "bad.request",
				 "startDate is required: an ISO-8601 midnight of the time zone (%s)", job.tz);
		goto done;
	}
	job.end_ms = gc_local_midnight(job.tz, job.start_ms, 1);
	if (json_object_object_get_ex(body, "endDate", &v) &&
		(!local_midnight(v, job.tz, &job.end_ms) || job.end_ms <= job.start_ms))
	{
		gc_error(resp, 400, "bad.request",
				 "endDate must be an ISO-8601 midnight of the time zone (%s) after startDate", job.tz);
		goto done;
	}
	/* the days: their local midnights */
	job.bounds[0] = job.start_ms;
	for (job.ndays = 0; job.bounds[job.ndays] < job.end_ms; job.ndays++)
	{
		if (job.ndays >= MAX_QUERY_DAYS)
		{
			gc_error(resp, 400, "bad.request", "The date range spans more than %d days.",
					 MAX_QUERY_DAYS);
			goto done;
		}
		job.bounds[job.ndays + 1] = gc_local_midnight(job.tz, job.start_ms, job.ndays + 1);
	}
	if (json_object_object_get_ex(body, "teamIds", &v) &&
		json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
	{
		gc_error(resp, 400, "bad.request", "teamIds: gcsim has no teams");
		goto done;
	}
	job.exceptions = json_object_object_get_ex(body, "includeExceptions", &v) &&
		json_object_get_boolean(v);
	json_object_object_get_ex(body, "userIds", &v);
	if (v && (!json_object_is_type(v, json_type_array) ||
			  json_object_array_length(v) > MAX_USER_IDS))
	{
		gc_error(resp, 400, "bad.request", "userIds: an array of at most %d user ids",
				 MAX_USER_IDS);
		goto done;
	}
	for (int u = 0; u < gc_world.nusers; u++)
	{
		bool		asked = v == NULL;

		if (gc_wfm_mu_of(u) != mu)
			continue;
		for (size_t i = 0; v && i < json_object_array_length(v); i++)
		{
			const char *id = json_object_get_string(json_object_array_get_idx(v, i));

			asked |= id && strcmp(id, gc_world.users[u].id) == 0;
		}
		if (asked && job.nusers < 256)
			job.users[job.nusers++] = u;
	}

	pthread_mutex_lock(&wfm_lock);
	for (int i = 0; i < MAX_WFM_JOBS && !slot; i++)
		if (!wfm_jobs[i].used)
			slot = &wfm_jobs[i];
	if (!slot)					/* the oldest job expires */
	{
		slot = &wfm_jobs[0];
		for (int i = 1; i < MAX_WFM_JOBS; i++)
			if (wfm_jobs[i].created_mono_ms < slot->created_mono_ms)
				slot = &wfm_jobs[i];
	}
	rng = sim_rng_derive(sim_config.seed, "wfm.job", wfm_job_counter++);
	gc_uuid(job.id, &rng);
	job.created_mono_ms = sim_mono_ms();
	job.used = true;
	*slot = job;
	pthread_mutex_unlock(&wfm_lock);

	sb_init(&sb, 128);
	sb_puts(&sb, "{\"id\":");
	sb_json_str(&sb, job.id);
	sb_puts(&sb, ",\"queryState\":\"Processing\"}");
	resp->status = 202;
	sb_to_response(&sb, resp);
done:
	json_object_put(body);
}

static void
job_status(const char *id, SimResponse *resp)
{
	WfmJob		j;
	StrBuf		sb;
	bool		complete;

	if (!job_get(id, &j))
	{
		gc_error(resp, 404, "not.found", "Historical adherence job %s was not found.", id);
		return;
	}
	complete = sim_mono_ms() - j.created_mono_ms >= sim_config.job_delay_ms;
	sb_init(&sb, 512);
	sb_puts(&sb, "{\"id\":");
	sb_json_str(&sb, j.id);
	sb_puts(&sb, complete ? ",\"queryState\":\"Complete\"" : ",\"queryState\":\"Processing\"");
	if (complete)
	{
		int			n = download_count(&j);

		for (int k = 0; k < n; k++)
		{
			sb_puts(&sb, k == 0 ? ",\"downloadUrls\":[" : ",");
			sb_printf(&sb, "\"%s%s%s/%d\"", sim_config.base_url, DOWNLOAD_PREFIX, j.id, k);
		}
		sb_puts(&sb, "]");
	}
	sb_putc(&sb, '}');
	resp->status = 200;
	sb_to_response(&sb, resp);
}

static void
sb_pct(StrBuf *sb, double num, double den)
{
	sb_printf(sb, "%.4f", den > 0 ? 100.0 * num / den : 0.0);
}

/* one HistoricalAdherenceQueryResult */
static void
render_user(StrBuf *sb, const WfmJob *j, int user)
{
	char		t1[32],
				t2[32];
	int64_t		sched = 0,
				exc = 0,
				conf_s = 0,
				conf_a = 0,
				impact = 0;
	bool		first = true;
	GcWfmDay	d;

	sim_format_ts(t1, j->start_ms);
	sim_format_ts(t2, j->end_ms);
	sb_puts(sb, "{\"userId\":");
	sb_json_str(sb, gc_world.users[user].id);
	sb_puts(sb, ",\"managementUnitId\":");
	sb_json_str(sb, gc_wfm_mu_id(j->mu));
	sb_printf(sb, ",\"startDate\":\"%s\",\"endDate\":\"%s\"", t1, t2);
	sb_puts(sb, ",\"dayMetrics\":[");
	for (int k = 0; k < j->ndays; k++)
	{
		if (!gc_wfm_span(user, j->bounds[k], j->bounds[k + 1], &d))
			continue;
		sb_printf(sb, "%s{\"dayStartOffsetSecs\":%lld,\"adherenceScheduleSecs\":%d,"
				  "\"conformanceScheduleSecs\":%d,\"conformanceActualSecs\":%d,"
				  "\"exceptionCount\":%d,\"exceptionDurationSecs\":%d,\"impactSeconds\":%d,"
				  "\"scheduleLengthSecs\":%d,\"actualLengthSecs\":%d,\"adherencePercentage\":",
				  first ? "" : ",", (long long) ((j->bounds[k] - j->start_ms) / 1000),
				  d.adherence_schedule_s, d.conformance_schedule_s, d.conformance_actual_s,
				  d.nexceptions, d.exception_duration_s, d.impact_s, d.schedule_length_s,
				  d.actual_length_s);
		sb_pct(sb, d.adherence_schedule_s - d.exception_duration_s, d.adherence_schedule_s);
		sb_puts(sb, ",\"conformancePercentage\":");
		sb_pct(sb, d.conformance_actual_s, d.conformance_schedule_s);
		sb_putc(sb, '}');
		first = false;
		sched += d.adherence_schedule_s;
		exc += d.exception_duration_s;
		conf_s += d.conformance_schedule_s;
		conf_a += d.conformance_actual_s;
		impact += d.impact_s;
	}
	sb_putc(sb, ']');
	if (sched > 0)
	{
		sb_puts(sb, ",\"adherencePercentage\":");
		sb_pct(sb, (double) (sched - exc), (double) sched);
		sb_puts(sb, ",\"conformancePercentage\":");
		sb_pct(sb, (double) conf_a, (double) conf_s);
		sb_printf(sb, ",\"impact\":\"%s\"",
				  impact > 0 ? "Positive" : impact < 0 ? "Negative" : "Neutral");
	}
	if (j->exceptions)
	{
		first = true;
		sb_puts(sb, ",\"exceptionInfo\":[");
		/* each shift's, from the UTC midnight of its day */
		for (int64_t day = j->start_ms / MS_PER_DAY - 1; day * MS_PER_DAY < j->end_ms; day++)
		{
			int64_t		off = (day * MS_PER_DAY - j->start_ms) / 1000;
			int64_t		start;

			if (!gc_wfm_day(user, day, &d))
				continue;
			start = day * MS_PER_DAY + (int64_t) d.shift_start_s * 1000;
			if (start < j->start_ms || start >= j->end_ms)
				continue;
			for (int i = 0; i < d.nexceptions; i++)
			{
				const GcWfmException *e = &d.exceptions[i];

				sb_printf(sb, "%s{\"startOffsetSeconds\":%lld,\"endOffsetSeconds\":%lld,"
						  "\"scheduledActivityCategory\":\"OnQueueWork\","
						  "\"actualActivityCategory\":\"%s\",\"systemPresence\":\"%s\","
						  "\"routingStatus\":\"%s\",\"impact\":\"Negative\"}",
						  first ? "" : ",", (long long) (off + e->start_s),
						  (long long) (off + e->end_s), exception_kinds[e->kind].category,
						  exception_kinds[e->kind].presence, exception_kinds[e->kind].routing);
				first = false;
			}
		}
		sb_putc(sb, ']');
	}
	sb_putc(sb, '}');
}

static void
download(const SimRequest *req, const char *id, int n, SimResponse *resp)
{
	WfmJob		j;
	StrBuf		sb;
	int			per = gc_config.wfm_download_users;

	if (req->authorization)
	{
		/* a pre-signed URL carries its own authorization, as S3's does */
		gc_error(resp, 400, "bad.request",
				 "A download URL is pre-signed: send it without an Authorization header");
		return;
	}
	if (!job_get(id, &j) || sim_mono_ms() - j.created_mono_ms < sim_config.job_delay_ms ||
		n < 0 || n >= download_count(&j))
	{
		gc_error(resp, 404, "not.found", "The download %s/%d was not found.", id, n);
		return;
	}
	sb_init(&sb, 4096);
	sb_puts(&sb, "{\"entityId\":");
	sb_json_str(&sb, gc_wfm_mu_id(j.mu));
	/* members come in no fixed order: the map first on even downloads */
	sb_puts(&sb, n % 2 == 0 ? ",\"lookupIdToSecondaryPresenceId\":{},\"data\":[" : ",\"data\":[");
	for (int i = n * per; i < j.nusers && i < (n + 1) * per; i++)
	{
		if (i > n * per)
			sb_putc(&sb, ',');
		render_user(&sb, &j, j.users[i]);
	}
	sb_puts(&sb, n % 2 == 0 ? "]}" : "],\"lookupIdToSecondaryPresenceId\":{}}");
	resp->status = 200;
	sb_to_response(&sb, resp);
}

static void
management_units(SimResponse *resp)
{
	StrBuf		sb;

	sb_init(&sb, 512);
	sb_puts(&sb, "{\"entities\":[");
	for (int m = 0; m < GC_WFM_NUM_MU; m++)
	{
		sb_puts(&sb, m ? ",{\"id\":" : "{\"id\":");
		sb_json_str(&sb, gc_wfm_mu_id(m));
		sb_puts(&sb, ",\"name\":");
		sb_json_str(&sb, mu_names[m]);
		sb_printf(&sb, ",\"startDayOfWeek\":\"Monday\",\"timeZone\":\"UTC\","
				  "\"selfUri\":\"/api/v2/workforcemanagement/managementunits/%s\"}",
				  gc_wfm_mu_id(m));
	}
	sb_printf(&sb, "],\"pageSize\":%d,\"pageNumber\":1,\"total\":%d,\"pageCount\":1}",
			  GC_WFM_NUM_MU, GC_WFM_NUM_MU);
	resp->status = 200;
	sb_to_response(&sb, resp);
}

const char *
gc_wfm_route(const SimRequest *req, char a[64], int *n)
{
	const char *path = req->path;
	bool		get = strcmp(req->method, "GET") == 0;
	int			used = 0;

	*n = 0;
	a[0] = '\0';
	if (strncmp(path, DOWNLOAD_PREFIX, strlen(DOWNLOAD_PREFIX)) == 0)
		return get && sscanf(path + strlen(DOWNLOAD_PREFIX), "%63[^/]/%d%n", a, n, &used) == 2 &&
			path[strlen(DOWNLOAD_PREFIX) + used] == '\0' ? "gc.wfm.download" : "gc.unknown";
	if (strncmp(path, WFM_PREFIX, strlen(WFM_PREFIX)) != 0)
		return NULL;
	path += strlen(WFM_PREFIX);
	if (get && strcmp(path, "managementunits") == 0)
		return "gc.wfm.managementunits";
	if (strcmp(req->method, "POST") == 0 &&
		sscanf(path, "managementunits/%63[^/]/historicaladherencequery%n", a, &used) == 1 &&
		path[used] == '\0')
		return "gc.wfm.adherence.query";
	if (get && sscanf(path, "adherence/historical/jobs/%63[^/]%n", a, &used) == 1 &&
		path[used] == '\0')
		return "gc.wfm.adherence.job";
	return "gc.unknown";
}

bool
gc_wfm_handle(const SimRequest *req, const char *label, const char *a, int n,
			  SimResponse *resp)
{
	if (strcmp(label, "gc.wfm.download") == 0)
		download(req, a, n, resp);
	else if (strcmp(label, "gc.wfm.managementunits") == 0)
		management_units(resp);
	else if (strcmp(label, "gc.wfm.adherence.query") == 0)
		adherence_query(req, a, resp);
	else if (strcmp(label, "gc.wfm.adherence.job") == 0)
		job_status(a, resp);
	else
		return false;
	return true;
}
