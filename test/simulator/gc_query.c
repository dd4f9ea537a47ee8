/*-------------------------------------------------------------------------
 *
 * gc_query.c
 *		Conversation details: the synchronous details query, the async
 *		details jobs, and conversations by id.
 *
 * Interval semantics:
 *	- details query: a conversation is returned when it overlaps the
 *	  interval AND started on a UTC day the interval touches;
 *	- jobs: when it had activity during the interval (overlap only);
 *	  startOfDayIntervalMatching keeps those that started on or after
 *	  00:00 UTC of the interval's first day.
 * A conversation still in progress counts as running until --now.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_query.c
 *
 *-------------------------------------------------------------------------
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

#define MAX_JOBS 256

typedef struct DetailQuery
{
	int64_t		start_ms;
	int64_t		end_ms;
	bool		desc;
	bool		job;			/* job semantics of interval */
	bool		start_of_day;
	int64_t		limit;			/* jobs: 0 = none */
	int64_t		now_ms;			/* the world's now when it was asked */
	int			page_size;
	int			page_number;
	GcFilterSet *conv_filters;
	GcFilterSet *seg_filters;
	GcFilterSet *eval_filters;
	char	   *key;			/* the query without paging and order, for
								 * the match cache */
} DetailQuery;

/*
 * The matches of a query: conversation indexes per day of the range.  A
 * day is pinned only while it is scanned and, later, while a page that
 * holds one of its conversations is rendered, so that a long interval
 * never holds more than the day cache.
 */
typedef struct MatchList
{
	int64_t		first_day;
	int			ndays;
	GcDay	   *days[64];		/* pinned days, NULL when not */
	int			n;
	int			cap;
	struct
	{
		int16_t		day;
		int32_t		conv;
	}		   *items;
} MatchList;

typedef struct Job
{
	char		id[37];
	char	   *body;			/* the query, re-run for each results page */
	int64_t		created_mono_ms;
	int64_t		submitted_ms;	/* simulated */
	bool		short_read;		/* its results are a short read
								 * (--fault-short-window) */
	bool		used;
} Job;

/*
 * The matches of recent queries: paging through a result re-runs the same
 * query for every page, so its matches are kept (by day number and
 * conversation index; days are regenerated identically when evicted).
 */
#define MATCH_CACHE 8

typedef struct MatchCacheEntry
{
	char	   *key;
	int64_t		first_day;
	int64_t		now_ms;			/* the world's now it was made at (--now
								 * wall moves it) */
	int			ndays;
	int			n;
	void	   *items;
	uint64_t	used;
} MatchCacheEntry;

static pthread_mutex_t match_lock = PTHREAD_MUTEX_INITIALIZER;
static MatchCacheEntry match_cache[MATCH_CACHE];
static uint64_t match_tick;

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static Job	jobs[MAX_JOBS];
static uint64_t job_counter;

/* ----------------------------------------------------------------------
 * Request parsing
 * ----------------------------------------------------------------------
 */
json_object *
gc_parse_body(const SimRequest *req, SimResponse *resp)
{
	json_object *o;
	enum json_tokener_error jerr;

	o = json_tokener_parse_verbose(req->body, &jerr);
	if (!o || !json_object_is_type(o, json_type_object))
	{
		gc_error(resp, 400, "bad.request", "The request body is not a JSON object: %s",
				 o ? "wrong type" : json_tokener_error_desc(jerr));
		if (o)
			json_object_put(o);
		return NULL;
	}
	return o;
}

int
gc_parse_interval(const char *s, int64_t *start, int64_t *end)
{
	const char *slash = s ? strchr(s, '/') : NULL;

	if (!slash || sim_parse_ts(s, (size_t) (slash - s), start) != 0 ||
		sim_parse_ts(slash + 1, strlen(slash + 1), end) != 0 || *end <= *start)
		return -1;
	return 0;
}

static void
query_free(DetailQuery *q)
{
	gc_filters_free(q->conv_filters);
	gc_filters_free(q->seg_filters);
	gc_filters_free(q->eval_filters);
	free(q->key);
}

/* parses a ConversationQuery / AsyncConversationQuery; 400 on error */
static int
query_parse(const char *body_text, bool job, DetailQuery *q, SimResponse *resp)
{
	SimRequest	fake;
	json_object *body,
			   *v;
	char		err[256];
	static const struct
	{
		const char *key;
		GcScope		scope;
	}			fkeys[3] = {
		{"conversationFilters", SCOPE_CONVERSATION},
		{"segmentFilters", SCOPE_SEGMENT},
		{"evaluationFilters", SCOPE_EVALUATION}
	};

	memset(q, 0, sizeof(*q));
	memset(&fake, 0, sizeof(fake));
	fake.body = body_text;
	if (!(body = gc_parse_body(&fake, resp)))
		return -1;
	q->job = job;
	q->page_size = 25;
	q->page_number = 1;
	if (!json_object_object_get_ex(body, "interval", &v) ||
		gc_parse_interval(json_object_get_string(v), &q->start_ms, &q->end_ms) != 0)
	{
		gc_error(resp, 400, "bad.request",
				 "interval is required as an ISO-8601 start/end with end after start");
		goto bad;
	}
	if (json_object_object_get_ex(body, "order", &v))
	{
		const char *o = json_object_get_string(v);

		if (strcmp(o, "desc") == 0)
			q->desc = true;
		else if (strcmp(o, "asc") != 0 && strcmp(o, "unordered") != 0)
		{
			gc_error(resp, 400, "bad.request", "Invalid order \"%s\"", o);
			goto bad;
		}
	}
	if (!job && json_object_object_get_ex(body, "paging", &v))
	{
		json_object *ps,
				   *pn;

		if (!json_object_object_get_ex(v, "pageSize", &ps) ||
			!json_object_object_get_ex(v, "pageNumber", &pn))
		{
			gc_error(resp, 400, "bad.request", "paging requires pageSize and pageNumber");
			goto bad;
		}
		q->page_size = json_object_get_int(ps);
		q->page_number = json_object_get_int(pn);
		if (q->page_size < 1 || q->page_size > sim_config.details_page_max)
		{
			gc_error(resp, 400, "bad.request", "pageSize must be between 1 and %d",
					 sim_config.details_page_max);
			goto bad;
		}
		if (q->page_number < 1)
		{
			gc_error(resp, 400, "bad.request", "pageNumber must be at least 1");
			goto bad;
		}
	}
	if (job && json_object_object_get_ex(body, "startOfDayIntervalMatching", &v))
		q->start_of_day = json_object_get_boolean(v);
	if (job && json_object_object_get_ex(body, "limit", &v))
		q->limit = json_object_get_int64(v);
	for (int k = 0; k < 3; k++)
	{
		GcFilterSet *fs;

		if (!json_object_object_get_ex(body, fkeys[k].key, &v))
			continue;
		fs = gc_filters_parse(v, fkeys[k].scope, err, sizeof(err));
		if (!fs)
		{
			gc_error(resp, 400, "bad.request", "%s: %s", fkeys[k].key, err);
			goto bad;
		}
		if (k == 0)
			q->conv_filters = fs;
		else if (k == 1)
			q->seg_filters = fs;
		else
			q->eval_filters = fs;
	}
	json_object_object_del(body, "paging");
	json_object_object_del(body, "order");
	json_object_object_del(body, "orderBy");
	q->now_ms = sim_config.now_ms;
	q->key = malloc(strlen(body_text) + 16);
	sprintf(q->key, "%d:%s", job ? 1 : 0,
			json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	return 0;

bad:
	json_object_put(body);
	query_free(q);
	return -1;
}

/* ----------------------------------------------------------------------
 * Matching
 * ----------------------------------------------------------------------
 */
static void
matches_free(MatchList *ml)
{
	for (int i = 0; i < ml->ndays; i++)
		if (ml->days[i])
			gc_day_release(ml->days[i]);
	free(ml->items);
	memset(ml, 0, sizeof(*ml));
}

static bool
conversation_matches(const DetailQuery *q, const GcDay *d, const GcConversation *c)
{
	int64_t		end = c->end_ms == GC_OPEN ? q->now_ms : c->end_ms;

	if (c->start_ms >= q->end_ms || end < q->start_ms)
		return false;
	if (q->job && q->start_of_day &&
		c->start_ms < (q->start_ms / MS_PER_DAY) * MS_PER_DAY)
		return false;
	if (q->job && gc_config.job_availability_lag_s > 0 &&
		c->start_ms >= gc_data_availability_ms())
		return false;			/* not available to jobs yet */
	return gc_filters_match(q->conv_filters, d, c) &&
		gc_filters_match(q->seg_filters, d, c) &&
		gc_filters_match(q->eval_filters, d, c);
}

/* the day range a query reads; -1 with a 400 in resp when too long */
static int
query_days(const DetailQuery *q, int64_t *first, int64_t *last, SimResponse *resp)
{
	int64_t		now_day = q->now_ms / MS_PER_DAY;

	*first = q->start_ms / MS_PER_DAY;
	*last = (q->end_ms - 1) / MS_PER_DAY;
	if (q->job)
		(*first)--;				/* conversations running over midnight */
	if (*first < 0)
		*first = 0;
	if (*last > now_day)
		*last = now_day;
	if (*last - *first + 1 > 64)
	{
		gc_error(resp, 400, "bad.request",
				 "The interval spans more than %d days; query shorter intervals.",
				 q->job ? 63 : 64);
		return -1;
	}
	return 0;
}

/* fills ml from the match cache; false on a miss */
static bool
matches_cached(const DetailQuery *q, int64_t first, MatchList *ml)
{
	MatchCacheEntry *e = NULL;

	pthread_mutex_lock(&match_lock);
	for (int i = 0; i < MATCH_CACHE; i++)
		if (match_cache[i].key && strcmp(match_cache[i].key, q->key) == 0 &&
			match_cache[i].first_day == first && match_cache[i].now_ms == q->now_ms)
			e = &match_cache[i];
	if (e)
	{
		e->used = ++match_tick;
		ml->n = ml->cap = e->n;
		ml->ndays = e->ndays;
		ml->items = malloc(sizeof(ml->items[0]) * (size_t) (e->n + 1));
		if (!ml->items)
			abort();
		memcpy(ml->items, e->items, sizeof(ml->items[0]) * (size_t) e->n);
	}
	pthread_mutex_unlock(&match_lock);
	if (!e)
		return false;
	ml->first_day = first;
	return true;
}

static void
matches_remember(const DetailQuery *q, int64_t first, const MatchList *ml)
{
	MatchCacheEntry *e = &match_cache[0];

	pthread_mutex_lock(&match_lock);
	for (int i = 1; i < MATCH_CACHE; i++)
		if (match_cache[i].used < e->used)
			e = &match_cache[i];
	free(e->key);
	free(e->items);
	e->key = strdup(q->key);
	e->first_day = first;
	e->now_ms = q->now_ms;
	e->ndays = ml->ndays;
	e->n = ml->n;
	e->items = malloc(sizeof(ml->items[0]) * (size_t) (ml->n + 1));
	if (!e->items)
		abort();
	memcpy(e->items, ml->items, sizeof(ml->items[0]) * (size_t) ml->n);
	e->used = ++match_tick;
	pthread_mutex_unlock(&match_lock);
}

/*
 * Collects the matching conversations in conversationStart order (asc or
 * desc); 400 in resp when the interval spans too many days.
 */
static int
matches_collect(const DetailQuery *q, MatchList *ml, SimResponse *resp)
{
	int64_t		first,
				last;

	memset(ml, 0, sizeof(*ml));
	if (query_days(q, &first, &last, resp) != 0)
		return -1;
	if (matches_cached(q, first, ml))
		return 0;
	ml->first_day = first;
	for (int64_t day = first; day <= last; day++)
	{
		GcDay	   *d = gc_day_get(day);
		int			di = ml->ndays++;

		for (int i = 0; i < d->nconv; i++)
		{
			if (!conversation_matches(q, d, &d->conv[i]))
				continue;
			if (ml->n >= ml->cap)
			{
				ml->cap = ml->cap ? ml->cap * 2 : 1024;
				ml->items = realloc(ml->items, sizeof(ml->items[0]) * (size_t) ml->cap);
				if (!ml->items)
					abort();
			}
			ml->items[ml->n].day = (int16_t) di;
			ml->items[ml->n].conv = i;
			ml->n++;
		}
		gc_day_release(d);
	}
	if (q->limit > 0 && ml->n > q->limit)
		ml->n = (int) q->limit;
	matches_remember(q, first, ml);
	return 0;
}

/* the i-th match in the query's order; pins its day until matches_free */
static const GcConversation *
match_at(MatchList *ml, const DetailQuery *q, int i, const GcDay **dp)
{
	int			k = q->desc ? ml->n - 1 - i : i;
	int			di = ml->items[k].day;

	if (!ml->days[di])
		ml->days[di] = gc_day_get(ml->first_day + di);
	*dp = ml->days[di];
	return &(*dp)->conv[ml->items[k].conv];
}

/* leaves out the conversations a short read drops (gc_short_drops) */
static void
matches_drop_short(MatchList *ml)
{
	int			kept = 0;

	for (int i = 0; i < ml->n; i++)
	{
		int			di = ml->items[i].day;

		if (!ml->days[di])
			ml->days[di] = gc_day_get(ml->first_day + di);
		if (!gc_short_drops(&ml->days[di]->conv[ml->items[i].conv]))
			ml->items[kept++] = ml->items[i];
	}
	ml->n = kept;
}

/*
 * The conversations of a results page, or none: [] or no key at all when
 * the page is faulty (gc_page_fault).  Appends the "conversations" member
 * (with a trailing comma when comma) for served positions [lo, hi) of
 * ml; served position j is match j, or j - 1 from shift on (a repeated
 * conversation, --fault-shift-pages).
 */
static void
append_page(StrBuf *sb, MatchList *ml, const DetailQuery *q, int64_t lo, int64_t hi,
			int64_t shift, GcPageFault fault, bool comma)
{
	if (fault == GC_PAGE_MISSING)
		return;
	sb_puts(sb, "\"conversations\":[");
	for (int64_t j = lo; j < hi && fault == GC_PAGE_OK; j++)
	{
		const GcDay *d;
		const GcConversation *c = match_at(ml, q, (int) (j < shift ? j : j - 1), &d);

		if (j > lo)
			sb_putc(sb, ',');
		gc_append_conversation(sb, d, c, q->job);
	}
	sb_putc(sb, ']');
	if (comma)
		sb_putc(sb, ',');
}

/* a 64-bit name of a read of one page, for --fault-page-once */
static uint64_t
page_read_key(const char *what, int64_t a, int64_t b)
{
	SimRng		r = sim_rng_derive(sim_hash_str(what), "page", (uint64_t) a);

	return sim_rng_next(&r) ^ (uint64_t) b * UINT64_C(0x9e3779b97f4a7c15);
}

/* ----------------------------------------------------------------------
 * POST /api/v2/analytics/conversations/details/query
 * ----------------------------------------------------------------------
 */
/*
 * The served positions [lo, hi) of a details page over n matches.
 * Normally match (pageNumber - 1) * pageSize on.  With --fault-shift-pages
 * K (and a page K + 1 within the matches), the pages after K are served
 * as if one conversation had arrived ahead of them: positions from
 * shift = K * pageSize on serve match j - 1, so page K's last
 * conversation opens page K + 1 again; the pages totalHits announces
 * stop at position n, and the one conversation pushed past them comes
 * alone on the page after.
 */
static void
details_page(const DetailQuery *q, int64_t n, int64_t *lo, int64_t *hi, int64_t *shift)
{
	int64_t		k = gc_config.fault_shift_pages;
	int64_t		last_page = (n + q->page_size - 1) / q->page_size;

	*lo = (int64_t) (q->page_number - 1) * q->page_size;
	*hi = *lo + q->page_size < n ? *lo + q->page_size : n;
	*shift = INT64_MAX;
	if (k > 0 && k * q->page_size < n)
	{
		*shift = k * q->page_size;
		if (q->page_number == last_page + 1)
		{
			*lo = n;
			*hi = n + 1;
		}
	}
	if (*hi < *lo)
		*hi = *lo;
}

void
gc_details_query(const SimRequest *req, SimResponse *resp)
{
	DetailQuery q;
	MatchList	ml;
	StrBuf		sb;
	int64_t		lo,
				hi,
				shift;

	if (query_parse(req->body, false, &q, resp) != 0)
		return;
	if ((int64_t) q.page_number * q.page_size > gc_config.max_results)
	{
		gc_error(resp, 400, "bad.request", "Pagination may not exceed %d results.",
				 gc_config.max_results);
		query_free(&q);
		return;
	}
	if (matches_collect(&q, &ml, resp) != 0)
	{
		query_free(&q);
		return;
	}
	if (gc_short_read(q.start_ms, q.end_ms, sim_hash_str(q.key), q.page_number))
		matches_drop_short(&ml);
	details_page(&q, ml.n, &lo, &hi, &shift);
	sb_init(&sb, hi > lo ? (size_t) (hi - lo) * 4096 : 64);
	sb_putc(&sb, '{');
	if (hi > lo)
		append_page(&sb, &ml, &q, lo, hi, shift,
					gc_page_fault(q.page_number,
								  page_read_key(q.key, q.page_size * 2 + q.desc,
												q.page_number)), true);
	sb_printf(&sb, "\"totalHits\":%d}", ml.n);
	resp->status = 200;
	sb_to_response(&sb, resp);
	matches_free(&ml);
	query_free(&q);
}

/* ----------------------------------------------------------------------
 * Details jobs
 * ----------------------------------------------------------------------
 */
static const char *
job_state(const Job *j)
{
	int64_t		age = sim_mono_ms() - j->created_mono_ms;

	if (age >= sim_config.job_delay_ms)
		return "FULFILLED";
	return age * 2 < sim_config.job_delay_ms ? "QUEUED" : "PENDING";
}

/*
 * copies job id's body (malloc'd), submission time and whether it reads
 * short; false if unknown
 */
static bool
job_lookup(const char *id, char **body, int64_t *submitted, const char **state,
		   bool *short_read)
{
	bool		found = false;

	pthread_mutex_lock(&job_lock);
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].used && strcmp(jobs[i].id, id) == 0)
		{
			if (body)
				*body = strdup(jobs[i].body);
			if (submitted)
				*submitted = jobs[i].submitted_ms;
			if (state)
				*state = job_state(&jobs[i]);
			if (short_read)
				*short_read = jobs[i].short_read;
			found = true;
			break;
		}
	pthread_mutex_unlock(&job_lock);
	return found;
}

void
gc_job_create(const SimRequest *req, SimResponse *resp)
{
	DetailQuery q;
	Job		   *slot = NULL;
	SimRng		rng;
	StrBuf		sb;
	bool		short_read;

	if (query_parse(req->body, true, &q, resp) != 0)
		return;
	short_read = gc_short_read(q.start_ms, q.end_ms, 0, 1);
	query_free(&q);
	pthread_mutex_lock(&job_lock);
	for (int i = 0; i < MAX_JOBS && !slot; i++)
		if (!jobs[i].used)
			slot = &jobs[i];
	if (!slot)					/* the oldest job expires */
	{
		slot = &jobs[0];
		for (int i = 1; i < MAX_JOBS; i++)
			if (jobs[i].created_mono_ms < slot->created_mono_ms)
				slot = &jobs[i];
		free(slot->body);
	}
	rng = sim_rng_derive(sim_config.seed, "job", job_counter++);
	gc_uuid(slot->id, &rng);
	slot->body = strdup(req->body);
	slot->created_mono_ms = sim_mono_ms();
	slot->submitted_ms = req->now_ms;
	slot->short_read = short_read;
	slot->used = true;
	sb_init(&sb, 64);
	sb_puts(&sb, "{\"jobId\":");
	sb_json_str(&sb, slot->id);
	sb_putc(&sb, '}');
	pthread_mutex_unlock(&job_lock);
	resp->status = 202;
	sb_to_response(&sb, resp);
}

void
gc_job_status(const char *id, SimResponse *resp)
{
	int64_t		submitted;
	const char *state;
	StrBuf		sb;

	if (!job_lookup(id, NULL, &submitted, &state, NULL))
	{
		gc_error(resp, 404, "not.found", "Job %s was not found.", id);
		return;
	}
	sb_init(&sb, 256);
	sb_puts(&sb, "{\"state\":");
	sb_json_str(&sb, state);
	sb_puts(&sb, ",\"submissionDate\":");
	sb_json_ts(&sb, submitted);
	if (strcmp(state, "FULFILLED") == 0)
	{
		sb_puts(&sb, ",\"completionDate\":");
		sb_json_ts(&sb, submitted + sim_config.job_delay_ms);
	}
	sb_puts(&sb, ",\"expirationDate\":");
	sb_json_ts(&sb, submitted + 2 * MS_PER_DAY);
	sb_putc(&sb, '}');
	resp->status = 200;
	sb_to_response(&sb, resp);
}

void
gc_job_delete(const char *id, SimResponse *resp)
{
	bool		found = false;

	pthread_mutex_lock(&job_lock);
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].used && strcmp(jobs[i].id, id) == 0)
		{
			free(jobs[i].body);
			jobs[i].body = NULL;
			jobs[i].used = false;
			found = true;
		}
	pthread_mutex_unlock(&job_lock);
	if (!found)
		gc_error(resp, 404, "not.found", "Job %s was not found.", id);
	else
		resp->status = 204;
}

int64_t
gc_data_availability_ms(void)
{
	/*
	 * data up to --job-availability-lag-s (by default five minutes, then
	 * nothing is held back) before --now, on a minute boundary
	 */
	int64_t		lag = gc_config.job_availability_lag_s > 0 ?
		gc_config.job_availability_lag_s * MS_PER_SEC : 5 * MS_PER_MIN;

	return (sim_config.now_ms - lag) / MS_PER_MIN * MS_PER_MIN;
}

/* cursors are opaque: the offset, scrambled with the job id */
static uint64_t
cursor_mask(const char *id)
{
	SimRng		r = sim_rng_derive(sim_config.seed, id, 7);

	return sim_rng_next(&r) & UINT64_C(0xffffffffffff);
}

void
gc_job_results(const SimRequest *req, const char *id, SimResponse *resp)
{
	char	   *body = NULL;
	const char *state;
	char		arg[64];
	int			page_size = sim_config.job_page_max;
	int64_t		offset = 0;
	DetailQuery q;
	MatchList	ml;
	StrBuf		sb;
	int64_t		stop;
	bool		short_read,
				first;
	GcPageFault fault = GC_PAGE_OK;

	if (!job_lookup(id, &body, NULL, &state, &short_read))
	{
		gc_error(resp, 404, "not.found", "Job %s was not found.", id);
		return;
	}
	if (strcmp(state, "FULFILLED") != 0)
	{
		gc_error(resp, 400, "bad.request", "Job %s is not fulfilled yet (state %s).", id, state);
		free(body);
		return;
	}
	if (sim_query_arg(req->query, "pageSize", arg, sizeof(arg)) && arg[0])
	{
		page_size = atoi(arg);
		if (page_size < 1 || page_size > sim_config.job_page_max)
		{
			gc_error(resp, 400, "bad.request", "pageSize must be between 1 and %d",
					 sim_config.job_page_max);
			free(body);
			return;
		}
	}
	if (sim_query_arg(req->query, "cursor", arg, sizeof(arg)) && arg[0])
	{
		char	   *end;
		uint64_t	v = strtoull(arg, &end, 16);

		offset = (int64_t) (v ^ cursor_mask(id));
		if (*end || offset < 0 || offset > 100000000)
		{
			gc_error(resp, 400, "bad.request", "Invalid cursor.");
			free(body);
			return;
		}
	}
	if (query_parse(body, true, &q, resp) != 0)
	{
		free(body);
		return;
	}
	free(body);
	if (matches_collect(&q, &ml, resp) != 0)
	{
		query_free(&q);
		return;
	}
	if (short_read)
		matches_drop_short(&ml);
	stop = offset + page_size < ml.n ? offset + page_size : ml.n;
	/* only a page with a cursor: a short last page would look complete */
	if (offset % page_size == 0 && stop > offset && stop < ml.n)
		fault = gc_page_fault((int) (offset / page_size) + 1,
							  page_read_key(id, page_size, offset));
	sb_init(&sb, (size_t) (stop > offset ? stop - offset : 0) * 4200 + 128);
	sb_putc(&sb, '{');
	append_page(&sb, &ml, &q, offset, stop, INT64_MAX, fault, false);
	first = fault == GC_PAGE_MISSING;
	if (stop < ml.n)
	{
		sb_key(&sb, "cursor", &first);
		sb_printf(&sb, "\"%llx\"", (unsigned long long) ((uint64_t) stop ^ cursor_mask(id)));
	}
	if (!gc_config.job_results_no_availability)
	{
		sb_key(&sb, "dataAvailabilityDate", &first);
		sb_json_ts(&sb, gc_data_availability_ms());
	}
	sb_putc(&sb, '}');
	resp->status = 200;
	sb_to_response(&sb, resp);
	matches_free(&ml);
	query_free(&q);
}

void
gc_job_availability(SimResponse *resp)
{
	StrBuf		sb;

	sb_init(&sb, 64);
	sb_puts(&sb, "{\"dataAvailabilityDate\":");
	sb_json_ts(&sb, gc_data_availability_ms());
	sb_putc(&sb, '}');
	resp->status = 200;
	sb_to_response(&sb, resp);
}

void
gc_jobs_reset(void)
{
	pthread_mutex_lock(&job_lock);
	for (int i = 0; i < MAX_JOBS; i++)
	{
		free(jobs[i].body);
		jobs[i].body = NULL;
		jobs[i].used = false;
	}
	job_counter = 0;
	pthread_mutex_unlock(&job_lock);
}

/* ----------------------------------------------------------------------
 * Conversations by id
 * ----------------------------------------------------------------------
 */
void
gc_conversation_by_id(const char *id, SimResponse *resp)
{
	GcDay	   *d;
	GcConversation *c = gc_conversation_find(id, &d);
	StrBuf		sb;

	if (!c)
	{
		gc_error(resp, 404, "not.found", "Conversation %s was not found.", id);
		return;
	}
	sb_init(&sb, c->json_len + 1);
	gc_append_conversation(&sb, d, c, false);
	gc_day_release(d);
	resp->status = 200;
	sb_to_response(&sb, resp);
}

void
gc_conversations_by_ids(const SimRequest *req, SimResponse *resp)
{
	char	   *ids = malloc(req->url_len + 1);
	StrBuf		sb;
	bool		first = true;
	char	   *save = NULL;

	if (!ids || !sim_query_arg(req->query, "id", ids, req->url_len + 1) || !ids[0])
	{
		free(ids);
		gc_error(resp, 400, "bad.request", "The id parameter is required.");
		return;
	}
	sb_init(&sb, 4096);
	sb_puts(&sb, "{\"conversations\":[");
	for (char *tok = strtok_r(ids, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		GcDay	   *d;
		GcConversation *c = gc_conversation_find(tok, &d);

		if (!c)
			continue;
		if (!first)
			sb_putc(&sb, ',');
		first = false;
		gc_append_conversation(&sb, d, c, false);
		gc_day_release(d);
	}
	sb_puts(&sb, "]}");
	free(ids);
	resp->status = 200;
	sb_to_response(&sb, resp);
}
