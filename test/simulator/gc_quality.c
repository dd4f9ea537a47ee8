/*-------------------------------------------------------------------------
 *
 * gc_quality.c
 *		GET /api/v2/quality/evaluations/query: the Quality API's listing of
 *		evaluations, as the official SDK (purecloud-platform-client-v2,
 *		QualityApi.getQualityEvaluationsQuery) describes it.
 *
 * - One of conversationId, evaluatorUserId, agentUserId or assigneeUserId
 *   is required (400 otherwise); several are and'ed.  The assignee is the
 *   evaluator in this world.
 * - startTime/endTime (ISO-8601) bound the evaluation's assignedDate (its
 *   createdDate here): the SDK does not say which date they bound, so a
 *   client must not count on it.  endTime defaults to --now, startTime to
 *   30 days before endTime; at most 64 days of conversations are looked
 *   at (400 beyond).
 * - pageSize (default 25, at most 100) and pageNumber (from 1); the answer
 *   is an EvaluationEntityListing {entities, pageSize, pageNumber, total,
 *   pageCount, firstUri, selfUri, lastUri, nextUri while more}, sorted by
 *   assigned date.
 * - expandAnswerTotalScores=true: each entity carries its answers (the
 *   scoring set, as GET .../evaluations/{id} has it); without it, none.
 * - Evaluations deleted (gc_eval_gone) are not listed.
 * A listing looks at many days, so each day's evaluations (with a copy of
 * their conversation's record) are kept in an index of their own, small
 * beside the day cache, so that listings do not churn it.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_quality.c
 *
 *-------------------------------------------------------------------------
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

#define LISTING_PAGE_DEFAULT 25
#define LISTING_PAGE_MAX 100
#define LISTING_DAYS_MAX 64
#define LISTING_DEFAULT_SPAN_MS (30 * MS_PER_DAY)
/* an evaluation is created up to 48 h after its conversation ends */
#define CREATED_LAG_DAYS 3

typedef struct Listed
{
	const GcConversation *c;
	const GcEvaluation *e;
} Listed;

/* A day's evaluations, and a copy of each one's conversation record. */
typedef struct DayEvals
{
	int64_t		day;
	int64_t		now_ms;			/* the day's now_ms when indexed */
	int			n;
	GcEvaluation *eval;
	GcConversation *conv;
} DayEvals;

#define INDEX_DAYS 512
static DayEvals *day_index[INDEX_DAYS];
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * The evaluations of day (indexed once, again when the day was generated
 * at another now); valid while gcsim runs.  Superseded entries are kept
 * (a listing being rendered may point into them): they are few.
 */
static const DayEvals *
day_evals(int64_t day)
{
	DayEvals   *de;
	GcDay	   *d;
	int			slot = (int) (day % INDEX_DAYS);

	pthread_mutex_lock(&index_lock);
	de = day_index[slot];
	pthread_mutex_unlock(&index_lock);
	if (de && de->day == day && de->now_ms == sim_config.now_ms)
		return de;
	d = gc_day_get(day);
	de = calloc(1, sizeof(DayEvals));
	de->day = day;
	de->now_ms = sim_config.now_ms;
	for (int ci = 0; ci < d->nconv; ci++)
		de->n += d->conv[ci].neval;
	de->eval = calloc(de->n ? de->n : 1, sizeof(GcEvaluation));
	de->conv = calloc(de->n ? de->n : 1, sizeof(GcConversation));
	de->n = 0;
	for (int ci = 0; ci < d->nconv; ci++)
		for (int k = 0; k < d->conv[ci].neval; k++)
		{
			de->eval[de->n] = d->eval[d->conv[ci].first_eval + k];
			de->conv[de->n] = d->conv[ci];
			de->n++;
		}
	gc_day_release(d);
	pthread_mutex_lock(&index_lock);
	day_index[slot] = de;
	pthread_mutex_unlock(&index_lock);
	return de;
}

static int
cmp_listed(const void *a, const void *b)
{
	const Listed *x = a,
			   *y = b;

	if (x->e->created_ms != y->e->created_ms)
		return x->e->created_ms < y->e->created_ms ? -1 : 1;
	return strcmp(x->e->id, y->e->id);
}

/* the index of the user whose id is id, or GC_NONE; "" matches any */
static int
user_index(const char *id, bool *given)
{
	*given = id[0] != '\0';
	if (!*given)
		return GC_NONE;
	for (int i = 0; i < gc_world.nusers; i++)
		if (strcmp(gc_world.users[i].id, id) == 0)
			return i;
	return -2;					/* an unknown user matches nothing */
}

static bool
time_arg(const SimRequest *req, const char *name, int64_t *ms, SimResponse *resp)
{
	char		buf[64];

	if (!sim_query_arg(req->query, name, buf, sizeof(buf)) || !buf[0])
		return false;
	if (sim_parse_ts(buf, strlen(buf), ms) != 0)
	{
		gc_error(resp, 400, "bad.request", "%s is not an ISO-8601 date-time: %s", name, buf);
		*ms = INT64_MIN;
	}
	return true;
}

void
gc_quality_evaluations_query(const SimRequest *req, SimResponse *resp)
{
	char		conv_id[64] = "",
				evaluator[64] = "",
				agent[64] = "",
				assignee[64] = "",
				arg[64];
	bool		has_evaluator,
				has_agent,
				has_assignee;
	int			ev_user,
				agent_user,
				assignee_user;
	int			page_size = LISTING_PAGE_DEFAULT,
				page_number = 1,
				page_count;
	bool		answers = false;
	int64_t		start_ms = 0,
				end_ms = sim_config.now_ms,
				first_day,
				last_day;
	bool		has_start;
	Listed	   *items = NULL;
	size_t		n = 0,
				cap = 0;
	StrBuf		sb;

	sim_query_arg(req->query, "conversationId", conv_id, sizeof(conv_id));
	sim_query_arg(req->query, "evaluatorUserId", evaluator, sizeof(evaluator));
	sim_query_arg(req->query, "agentUserId", agent, sizeof(agent));
	sim_query_arg(req->query, "assigneeUserId", assignee, sizeof(assignee));
	if (!conv_id[0] && !evaluator[0] && !agent[0] && !assignee[0])
	{
		gc_error(resp, 400, "bad.request",
				 "Query params must include one of conversationId, evaluatorUserId, agentUserId or assigneeUserId");
		return;
	}
	if (sim_query_arg(req->query, "pageSize", arg, sizeof(arg)))
		page_size = atoi(arg);
	if (sim_query_arg(req->query, "pageNumber", arg, sizeof(arg)))
		page_number = atoi(arg);
	if (page_size < 1 || page_size > LISTING_PAGE_MAX || page_number < 1)
	{
		gc_error(resp, 400, "bad.request",
				 "pageSize must be between 1 and %d and pageNumber at least 1", LISTING_PAGE_MAX);
		return;
	}
	if (sim_query_arg(req->query, "expandAnswerTotalScores", arg, sizeof(arg)))
		answers = strcmp(arg, "true") == 0;
	if (time_arg(req, "endTime", &end_ms, resp) && end_ms == INT64_MIN)
		return;
	has_start = time_arg(req, "startTime", &start_ms, resp);
	if (has_start && start_ms == INT64_MIN)
		return;
	if (!has_start)
		start_ms = end_ms - LISTING_DEFAULT_SPAN_MS;
	ev_user = user_index(evaluator, &has_evaluator);
	agent_user = user_index(agent, &has_agent);
	assignee_user = user_index(assignee, &has_assignee);

	if (conv_id[0])
	{
		GcDay	   *d;
		GcConversation *c = gc_conversation_find(conv_id, &d);

		first_day = last_day = c ? d->day : 0;
		if (c)
			gc_day_release(d);
		else
			last_day = -1;		/* nothing */
	}
	else
	{
		first_day = start_ms / MS_PER_DAY - CREATED_LAG_DAYS;
		last_day = (end_ms - 1) / MS_PER_DAY;
	}
	if (first_day < 0)
		first_day = 0;
	if (last_day > sim_config.now_ms / MS_PER_DAY)
		last_day = sim_config.now_ms / MS_PER_DAY;
	if (last_day - first_day + 1 > LISTING_DAYS_MAX)
	{
		gc_error(resp, 400, "bad.request",
				 "The time range spans more than %d days; query shorter ranges.",
				 LISTING_DAYS_MAX - CREATED_LAG_DAYS);
		return;
	}

	for (int64_t day = first_day; day <= last_day; day++)
	{
		const DayEvals *de = day_evals(day);

		for (int i = 0; i < de->n; i++)
		{
			const GcConversation *c = &de->conv[i];
			const GcEvaluation *e = &de->eval[i];

			if ((conv_id[0] && strcmp(c->id, conv_id) != 0) ||
				(has_evaluator && e->evaluator != ev_user) ||
				(has_assignee && e->evaluator != assignee_user) ||
				(has_agent && e->agent != agent_user) ||
				e->created_ms < start_ms || e->created_ms >= end_ms ||
				gc_eval_gone(e->id))
				continue;
			if (n == cap)
			{
				cap = cap ? cap * 2 : 64;
				items = realloc(items, cap * sizeof(Listed));
			}
			items[n].c = c;
			items[n].e = e;
			n++;
		}
	}
	if (n > 1)
		qsort(items, n, sizeof(Listed), cmp_listed);

	page_count = (int) ((n + page_size - 1) / page_size);
	sb_init(&sb, 8192);
	sb_puts(&sb, "{\"entities\":[");
	for (size_t i = (size_t) (page_number - 1) * page_size;
		 i < n && i < (size_t) page_number * page_size; i++)
	{
		if (i > (size_t) (page_number - 1) * page_size)
			sb_putc(&sb, ',');
		gc_render_evaluation(&sb, items[i].c, items[i].e, answers);
	}
	sb_printf(&sb, "],\"pageSize\":%d,\"pageNumber\":%d,\"total\":%zu,\"pageCount\":%d",
			  page_size, page_number, n, page_count);
	sb_printf(&sb, ",\"firstUri\":\"/api/v2/quality/evaluations/query?pageSize=%d&pageNumber=1\"",
			  page_size);
	sb_printf(&sb, ",\"selfUri\":\"/api/v2/quality/evaluations/query?pageSize=%d&pageNumber=%d\"",
			  page_size, page_number);
	sb_printf(&sb, ",\"lastUri\":\"/api/v2/quality/evaluations/query?pageSize=%d&pageNumber=%d\"",
			  page_size, page_count > 0 ? page_count : 1);
	if (page_number < page_count)
		sb_printf(&sb, ",\"nextUri\":\"/api/v2/quality/evaluations/query?pageSize=%d&pageNumber=%d\"",
				  page_size, page_number + 1);
	sb_putc(&sb, '}');
	free(items);
	resp->status = 200;
	sb_to_response(&sb, resp);
}
