/*-------------------------------------------------------------------------
 *
 * evaluations.c
 *		The Genesys resource "evaluations": quality evaluations, one row
 *		each, with the Quality API's float scores.
 *
 * Three steps:
 *	- the details query (POST .../details/query) with evaluationFilters
 *	  finds the conversations that have a matching evaluation, by the
 *	  details query protocol of details.c (day windows of
 *	  conversation_start, halved at the result cap, short reads); the
 *	  records' evaluations[] name (conversation, evaluation, evaluator)
 *	  triples; one details page is in flight at a time, and a page short
 *	  of pageSize that completes totalHits is the window's last (no page
 *	  past it is asked for);
 *	- the Quality API's listing, GET /api/v2/quality/evaluations/query
 *	  (it needs one of conversationId, evaluatorUserId, agentUserId or
 *	  assigneeUserId), gives the rows in pages: per evaluator with two or
 *	  more evaluations found, evaluatorUserId, startTime the earliest of
 *	  their conversations' starts (every date of an evaluation is later,
 *	  whichever one the API bounds), endTime three days after the
 *	  latest (or now, if sooner), expandAnswerTotalScores
 *	  (the scoring set), 100 a page.  The analytics record's scores are
 *	  rounded ints; the Quality API's have the float scores.  An entity
 *	  that is not one of the evaluations found is skipped; a listing whose
 *	  first page announces more pages than it has evaluations to find is
 *	  not read further;
 *	- one GET /api/v2/quality/conversations/{c}/evaluations/{e} for each
 *	  evaluation no listing gave with what the row needs (an evaluator's
 *	  only evaluation, an entity without its answers).
 * An evaluation deleted between the steps answers 404: it is skipped, and
 * the scan raises one NOTICE with how many were.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/evaluations.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "details.h"
#include "isotime.h"
#include "url.h"

#define QUALITY_PATH "/api/v2/quality/conversations/%s/evaluations/%s"
#define QUALITY_QUERY_PATH "/api/v2/quality/evaluations/query"
#define EVALUATIONS_PER_DAY_ESTIMATE 100.0
/* the largest pageSize of the Quality API's listings */
#define LISTING_PAGE_MAX 100
/*
 * A listing's endTime: this long after its latest conversation start (or
 * now).  Evaluations are mostly assigned within a day or two of the
 * conversation; one assigned later is fetched by its own GET.
 */
#define LISTING_SPAN_AFTER_USECS (3 * USECS_PER_DAY)

/* GcaColumnDef.push_group */
#define GROUP_CONVERSATION 1
#define GROUP_EVALUATION 2

typedef enum EvalColumn
{
	EV_EVALUATION_ID = 1,
	EV_CONVERSATION_ID,
	EV_CONVERSATION_START,
	EV_AGENT_ID,
	EV_EVALUATOR_ID,
	EV_QUEUE_ID,
	EV_FORM_ID,
	EV_FORM_NAME,
	EV_STATUS,
	EV_TOTAL_SCORE,
	EV_TOTAL_CRITICAL_SCORE,
	EV_TOTAL_NON_CRITICAL_SCORE,
	EV_ANY_FAILED_KILL_QUESTIONS,
	EV_IS_CALIBRATION,
	EV_CALIBRATION_ID,
	EV_RELEASE_DATE,
	EV_ASSIGNED_DATE,
	EV_CHANGED_DATE,
	EV_ANSWERS,
	EV_NCOLUMNS
} EvalColumn;

/* api_name: the evaluation filter dimension (and the record's member) */
static const GcaColumnDef evaluation_columns[] = {
	{"evaluation_id", "text", EV_EVALUATION_ID, GCA_PUSH_FILTER, "evaluationId", GROUP_EVALUATION, 0,
	"evaluation id"},
	{"conversation_id", "text", EV_CONVERSATION_ID, GCA_PUSH_FILTER, "conversationId", GROUP_CONVERSATION, 0,
	"the evaluated conversation"},
	{"conversation_start", "timestamptz", EV_CONVERSATION_START, GCA_PUSH_TIME, "conversationStart", 0, 0,
	"start of the evaluated conversation; ranges become the request interval"},
	{"agent_id", "text", EV_AGENT_ID, GCA_PUSH_FILTER, "userId", GROUP_EVALUATION, 1,
	"the evaluated agent"},
	{"evaluator_id", "text", EV_EVALUATOR_ID, GCA_PUSH_FILTER, "evaluatorId", GROUP_EVALUATION, 2,
	"the evaluator"},
	{"queue_id", "text", EV_QUEUE_ID, GCA_PUSH_FILTER, "queueId", GROUP_EVALUATION, 3,
	"queue of the evaluated interaction"},
	{"form_id", "text", EV_FORM_ID, GCA_PUSH_FILTER, "formId", GROUP_EVALUATION, 4,
	"evaluation form id"},
	{"form_name", "text", EV_FORM_NAME, GCA_PUSH_FILTER, "formName", GROUP_EVALUATION, 5,
	"evaluation form name"},
	{"status", "text", EV_STATUS, GCA_PUSH_FILTER, "evaluationStatus", GROUP_EVALUATION, 6,
	"PENDING, INPROGRESS, FINISHED, INREVIEW or RETRACTED"},
	{"total_score", "float8", EV_TOTAL_SCORE, GCA_PUSH_NONE, NULL, 0, 0,
	"answers.totalScore (Quality API, float)"},
	{"total_critical_score", "float8", EV_TOTAL_CRITICAL_SCORE, GCA_PUSH_NONE, NULL, 0, 0,
	"answers.totalCriticalScore"},
	{"total_non_critical_score", "float8", EV_TOTAL_NON_CRITICAL_SCORE, GCA_PUSH_NONE, NULL, 0, 0,
	"answers.totalNonCriticalScore"},
	{"any_failed_kill_questions", "boolean", EV_ANY_FAILED_KILL_QUESTIONS, GCA_PUSH_NONE, NULL, 0, 0,
	"answers.anyFailedKillQuestions"},
	{"is_calibration", "boolean", EV_IS_CALIBRATION, GCA_PUSH_NONE, NULL, 0, 0,
	"the evaluation belongs to a calibration"},
	{"calibration_id", "text", EV_CALIBRATION_ID, GCA_PUSH_FILTER, "calibrationId", GROUP_EVALUATION, 7,
	"the calibration, or NULL"},
	{"release_date", "timestamptz", EV_RELEASE_DATE, GCA_PUSH_NONE, NULL, 0, 0,
	"when the evaluation was released to the agent"},
	{"assigned_date", "timestamptz", EV_ASSIGNED_DATE, GCA_PUSH_NONE, NULL, 0, 0,
	"when the evaluation was assigned"},
	{"changed_date", "timestamptz", EV_CHANGED_DATE, GCA_PUSH_NONE, NULL, 0, 0,
	"last change"},
	{"answers", "jsonb", EV_ANSWERS, GCA_PUSH_NONE, NULL, 0, 0,
	"the scoring set as the Quality API returns it"},
	{NULL}
};

/* Where each column is in an EvaluationResponse (NULL: filled here). */
static const char *const quality_paths[EV_NCOLUMNS] = {
	[EV_EVALUATION_ID] = "id",
	[EV_CONVERSATION_ID] = "conversation.id",
	[EV_AGENT_ID] = "agent.id",
	[EV_EVALUATOR_ID] = "evaluator.id",
	[EV_QUEUE_ID] = "queue.id",
	[EV_FORM_ID] = "evaluationForm.id",
	[EV_FORM_NAME] = "evaluationForm.name",
	[EV_STATUS] = "status",
	[EV_TOTAL_SCORE] = "answers.totalScore",
	[EV_TOTAL_CRITICAL_SCORE] = "answers.totalCriticalScore",
	[EV_TOTAL_NON_CRITICAL_SCORE] = "answers.totalNonCriticalScore",
	[EV_ANY_FAILED_KILL_QUESTIONS] = "answers.anyFailedKillQuestions",
	[EV_CALIBRATION_ID] = "calibration.id",
	[EV_RELEASE_DATE] = "releaseDate",
	[EV_ASSIGNED_DATE] = "assignedDate",
	[EV_CHANGED_DATE] = "changedDate",
	[EV_ANSWERS] = "answers",
};

/* The Quality API's status and the analytics evaluationStatus. */
static const char *const status_names[][2] = {
	{"FINISHED", "Finished"},
	{"INPROGRESS", "InProgress"},
	{"INREVIEW", "InReview"},
	{"PENDING", "Pending"},
	{"RETRACTED", "Retracted"},
};

/* What a response is, in GcaRequest.kind. */
enum
{
	REQ_DETAILS_PAGE,
	REQ_EVALUATION,
	REQ_LISTING
};

static const int accept_not_found[] = {404, 0};

/* A slice [start, end) of the conversation_start range. */
typedef GcaDetailsWindow EvalWindow;

/* An evaluation to fetch; the owner of its request. */
typedef struct EvalRef
{
	char	   *conversation_id;
	char	   *evaluation_id;
	TimestampTz conversation_start;
	char	   *evaluator_id;	/* NULL when the record names none */
} EvalRef;

/* An evaluator's listing: the owner of its requests. */
typedef struct Listing
{
	char	   *evaluator_id;
	TimestampTz since;			/* earliest conversation start of refs */
	TimestampTz until;			/* latest, plus LISTING_SPAN_AFTER_USECS */
	List	   *refs;			/* EvalRef of this evaluator not listed yet */
	int			next_page;		/* next pageNumber to request */
	int			page_count;		/* from page 1, -1 unknown */
	int			pages_read;
	bool		closed;			/* no more pages are read */
} Listing;

typedef struct EvalScan
{
	GcaDetailsQuery q;			/* windows: EvalWindow, by start */
	List	   *filters;		/* GcaPushedValues sent (status mapped) */
	bool		details_busy;	/* a details page is in flight */
	int64		requests;		/* issued: requests are read in this order */
	List	   *pending;		/* EvalRef to GET, not yet requested */
	List	   *found;			/* EvalRef found, before the listings */
	bool		listings_planned;
	List	   *listings;		/* Listing, by evaluator */
	bool		need_answers;	/* a column read from answers is used */
	int64		in_flight;		/* evaluation requests not yet read */
	int64		vanished;		/* 404s */
	bool		notified;

	/* duplicate filter of the current window */
	MemoryContext window_cxt;
	HTAB	   *seen;
	EvalWindow *seen_window;

	/* the evaluation being read */
	GcaJson    *page;
	EvalRef    *ref;
	/* the listing page being read: its entities and their refs */
	GcaJson    *entities;
	EvalRef   **matches;
	int			nentities;
	int			entity_index;
} EvalScan;

/* ------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------
 */

/* The analytics name of a Quality API status, or NULL. */
static const char *
analytics_status(const char *status)
{
	for (int i = 0; i < lengthof(status_names); i++)
		if (strcmp(status_names[i][0], status) == 0)
			return status_names[i][1];
	return NULL;
}

/*
 * The filters to send: a status the analytics API names differently is
 * translated; a list with an unknown status is not sent (the local qual
 * still applies).
 */
static List *
sent_filters(const GcaPushed *pushed)
{
	List	   *sent = NIL;
	ListCell   *lc;

	foreach(lc, pushed->filters)
	{
		GcaPushedValues *f = lfirst(lc);
		GcaPushedValues *copy;
		ListCell   *vc;
		bool		ok = true;

		if (f->def->id != EV_STATUS)
		{
			sent = lappend(sent, f);
			continue;
		}
		copy = palloc0(sizeof(GcaPushedValues));
		copy->def = f->def;
		foreach(vc, f->values)
		{
			const char *name = analytics_status(lfirst(vc));

			ok = ok && name != NULL;
			if (name)
				copy->values = lappend(copy->values, (char *) name);
		}
		if (ok)
			sent = lappend(sent, copy);
	}
	return sent;
}

/*
 * The details query for one window and page: every conversation filter
 * as a filter, and one evaluation filter whose clauses one evaluation
 * must all satisfy.
 */
static char *
details_body(EvalScan *st, TimestampTz start, TimestampTz end, int page)
{
	StringInfoData buf;
	bool		first;
	ListCell   *lc;

	initStringInfo(&buf);
	gca_details_body_open(&buf, start, end, st->q.page_size, page);
	gca_details_append_conversation_filters(&buf, NIL, st->filters,
											GROUP_CONVERSATION);
	appendStringInfoString(&buf, ",\"evaluationFilters\":[{\"type\":\"and\",\"predicates\":"
						   "[{\"type\":\"dimension\",\"dimension\":\"evaluationId\",\"operator\":\"exists\"}]");
	first = true;
	foreach(lc, st->filters)
	{
		GcaPushedValues *f = lfirst(lc);

		if (f->def->push_group != GROUP_EVALUATION)
			continue;
		appendStringInfoString(&buf, first ? ",\"clauses\":[" : ",");
		first = false;
		gca_details_append_filter(&buf, f);
	}
	appendStringInfoString(&buf, first ? "}]}" : "]}]}");
	return buf.data;
}

static char *
quality_path(const char *conversation_id, const char *evaluation_id)
{
	StringInfoData buf;

	/* one buffer, freed by the engine with the request: one per evaluation */
	initStringInfo(&buf);
	appendStringInfoString(&buf, "/api/v2/quality/conversations/");
	gca_append_url_escaped(&buf, conversation_id);
	appendStringInfoString(&buf, "/evaluations/");
	gca_append_url_escaped(&buf, evaluation_id);
	return buf.data;
}

static void
evaluations_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	*rows = Max(in->days * EVALUATIONS_PER_DAY_ESTIMATE * pow(0.3, in->filters), 1);
	*requests = *rows + ceil(*rows / GCA_DETAILS_PAGE_MAX) + ceil(in->days);
}

static void
evaluations_plan(GcaResourceScan *rs)
{
	EvalScan   *st = palloc0(sizeof(EvalScan));
	GcaPushed  *pushed = &rs->pushed;

	rs->state = st;
	gca_details_init(&st->q, sizeof(EvalWindow),
					 rs->page_size > 0 ? Min(rs->page_size, GCA_DETAILS_PAGE_MAX)
					 : GCA_DETAILS_PAGE_MAX);
	st->filters = sent_filters(pushed);
	st->window_cxt = AllocSetContextCreate(CurrentMemoryContext,
										   "gcanalytics evaluation window",
										   ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;

		if (def && rs->columns[i].used &&
			((def->id >= EV_TOTAL_SCORE && def->id <= EV_ANY_FAILED_KILL_QUESTIONS) ||
			 def->id == EV_ANSWERS))
			st->need_answers = true;
	}
	if (pushed->empty || !pushed->have_lower)
		return;
	gca_details_day_windows(&st->q, pushed->lower, pushed->upper);
	rs->windows_total = list_length(st->q.windows);
}

/*
 * Groups the evaluations found by evaluator: a listing for each evaluator
 * with two or more, a GET for each of the rest.
 */
static void
plan_listings(EvalScan *st)
{
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;

	st->listings_planned = true;
	foreach(lc, st->found)
	{
		EvalRef    *ref = lfirst(lc);
		Listing    *l = NULL;
		ListCell   *ll;

		if (ref->evaluator_id == NULL)
		{
			st->pending = lappend(st->pending, ref);
			continue;
		}
		foreach(ll, st->listings)
			if (strcmp(((Listing *) lfirst(ll))->evaluator_id, ref->evaluator_id) == 0)
				l = lfirst(ll);
		if (l == NULL)
		{
			l = palloc0(sizeof(Listing));
			l->evaluator_id = ref->evaluator_id;
			l->since = ref->conversation_start;
			l->next_page = 1;
			l->page_count = -1;
			st->listings = lappend(st->listings, l);
		}
		l->since = Min(l->since, ref->conversation_start);
		l->until = Max(l->until, ref->conversation_start + LISTING_SPAN_AFTER_USECS);
		l->refs = lappend(l->refs, ref);
	}
	list_free(st->found);
	st->found = NIL;
	foreach(lc, st->listings)
	{
		Listing    *l = lfirst(lc);

		l->until = Min(l->until, now);
		if (list_length(l->refs) < 2)
		{
			/* one GET costs no more than a page, and cannot miss */
			st->pending = list_concat(st->pending, l->refs);
			l->refs = NIL;
			l->closed = true;
		}
	}
}

/* GET .../evaluations/query of listing l, page page. */
static char *
listing_path(Listing *l, int page)
{
	StringInfoData buf;
	char		since[32],
				until[32];

	gca_format_iso_time(l->since, since);
	gca_format_iso_time(l->until, until);
	initStringInfo(&buf);
	appendStringInfoString(&buf, QUALITY_QUERY_PATH "?evaluatorUserId=");
	gca_append_url_escaped(&buf, l->evaluator_id);
	appendStringInfoString(&buf, "&startTime=");
	gca_append_url_escaped(&buf, since);
	appendStringInfoString(&buf, "&endTime=");
	gca_append_url_escaped(&buf, until);
	appendStringInfo(&buf, "&expandAnswerTotalScores=true&pageSize=%d&pageNumber=%d",
					 LISTING_PAGE_MAX, page);
	return buf.data;
}

/*
 * The next listing page due, once the details query is read: page 1 of
 * each listing, then the pages its first announced.
 */
static bool
next_listing_request(EvalScan *st, GcaRequest *req)
{
	ListCell   *lc;

	foreach(lc, st->listings)
	{
		Listing    *l = lfirst(lc);

		if (l->closed || (l->next_page > 1 &&
						  (l->page_count < 0 || l->next_page > l->page_count)))
			continue;
		req->method = "GET";
		req->path = listing_path(l, l->next_page);
		req->kind = REQ_LISTING;
		req->owner = l;
		req->number = l->next_page++;
		req->order = ++st->requests;
		return true;
	}
	return false;
}

/*
 * Evaluations to GET first, then the next details page (one at a time),
 * then the listings, so requests are read in the order they are issued.
 */
static bool
evaluations_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	EvalScan   *st = rs->state;
	EvalWindow *w;
	int			page;

	if (st->pending != NIL)
	{
		EvalRef    *ref = linitial(st->pending);

		st->pending = list_delete_first(st->pending);
		req->method = "GET";
		req->path = quality_path(ref->conversation_id, ref->evaluation_id);
		req->kind = REQ_EVALUATION;
		req->owner = ref;
		req->accept_statuses = accept_not_found;
		req->order = ++st->requests;
		st->in_flight++;
		return true;
	}
	if (st->details_busy)
		return false;
	while (st->q.windows != NIL && ((EvalWindow *) linitial(st->q.windows))->finished)
		st->q.windows = list_delete_first(st->q.windows);
	if (st->q.windows == NIL && !st->listings_planned)
	{
		plan_listings(st);
		if (st->pending != NIL)
			return evaluations_next_request(rs, req);
	}
	if (st->q.windows == NIL)
		return next_listing_request(st, req);
	w = linitial(st->q.windows);
	if (!gca_details_next_page(w, &page))
		return false;
	req->method = "POST";
	req->path = pstrdup(GCA_DETAILS_QUERY_PATH);
	req->body = details_body(st, w->start, w->end, page);
	req->kind = REQ_DETAILS_PAGE;
	req->owner = w;
	req->number = page;
	req->order = ++st->requests;
	st->details_busy = true;
	return true;
}

/* ------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------
 */

/* True the first time evaluation id is seen in window w. */
static bool
first_sighting(EvalScan *st, EvalWindow *w, const char *id)
{
	bool		found;
	char		key[NAMEDATALEN * 2];

	if (st->seen == NULL || st->seen_window != w)
	{
		HASHCTL		ctl;

		MemoryContextReset(st->window_cxt);
		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(key);
		ctl.hcxt = st->window_cxt;
		st->seen = hash_create("gcanalytics seen evaluations", 256, &ctl,
							   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		st->seen_window = w;
	}
	strlcpy(key, id, sizeof(key));
	(void) hash_search(st->seen, key, HASH_ENTER, &found);
	return !found;
}

/*
 * Whether an evaluation of a record meets every evaluation filter sent
 * (the API returns the conversation when one of its evaluations does).
 */
static bool
evaluation_wanted(EvalScan *st, const GcaJson *ev)
{
	ListCell   *lc;

	foreach(lc, st->filters)
	{
		GcaPushedValues *f = lfirst(lc);
		const char *v = gca_json_get_string(ev, f->def->api_name);
		bool		match = false;
		ListCell   *vc;

		if (f->def->push_group != GROUP_EVALUATION)
			continue;
		foreach(vc, f->values)
			match = match || (v && strcmp(v, lfirst(vc)) == 0);
		if (!match)
			return false;
	}
	return true;
}

/* Notes the wanted evaluations of the conversations w owns on a page. */
static void
collect_evaluations(EvalScan *st, EvalWindow *w, GcaJson *convs)
{
	for (int i = 0; i < gca_json_array_length(convs); i++)
	{
		GcaJson    *conv = gca_json_array_item(convs, i);
		GcaJson    *evals = gca_json_get(conv, "evaluations");
		const char *conv_id = gca_json_get_string(conv, "conversationId");
		TimestampTz start;

		if (conv_id == NULL || !gca_json_get_time(conv, "conversationStart", &start) ||
			!gca_details_window_owns(w, start))
			continue;
		for (int e = 0; e < gca_json_array_length(evals); e++)
		{
			GcaJson    *ev = gca_json_array_item(evals, e);
			const char *id = gca_json_get_string(ev, "evaluationId");
			const char *evaluator;
			EvalRef    *ref;

			if (id == NULL || !evaluation_wanted(st, ev) || !first_sighting(st, w, id))
				continue;
			ref = palloc0(sizeof(EvalRef));
			ref->conversation_id = pstrdup(conv_id);
			ref->evaluation_id = pstrdup(id);
			ref->conversation_start = start;
			evaluator = gca_json_get_string(ev, "evaluatorId");
			ref->evaluator_id = evaluator ? pstrdup(evaluator) : NULL;
			st->found = lappend(st->found, ref);
		}
	}
}

static void
free_ref(EvalRef *ref)
{
	pfree(ref->conversation_id);
	pfree(ref->evaluation_id);
	if (ref->evaluator_id)
		pfree(ref->evaluator_id);
	pfree(ref);
}

/* Whether a listing's entity carries what the row needs. */
static bool
entity_complete(EvalScan *st, GcaJson *entity)
{
	GcaJson    *answers = gca_json_get(entity, "answers");

	if (!gca_json_is_object(gca_json_get(entity, "evaluationForm")))
		return false;
	return !st->need_answers ||
		(gca_json_is_object(answers) && gca_json_has(answers, "totalScore") &&
		 gca_json_is_array(gca_json_get(answers, "questionGroupScores")));
}

/*
 * Reads a page of listing l: the entities that are evaluations of l not
 * yet given become rows (st->matches); once l is read (or its first page
 * announces more pages than it has evaluations to find), what it did not
 * give is fetched one by one.  Returns the rows the page gives.
 */
static int
read_listing(EvalScan *st, Listing *l, int number, GcaJson *page)
{
	GcaJson    *entities = gca_json_get(page, "entities");
	int			n = gca_json_array_length(entities);
	int			rows = 0;
	int			missing = 0;
	ListCell   *lc;

	l->pages_read++;
	if (number == 1)
	{
		missing = list_length(l->refs);
		l->page_count = (int) gca_json_get_int64(page, "pageCount", 1);
		if (l->page_count > missing)
			l->closed = true;	/* more pages than GETs: GET the rest */
	}
	st->matches = n > 0 ? palloc0(n * sizeof(EvalRef *)) : NULL;
	for (int i = 0; i < n; i++)
	{
		GcaJson    *entity = gca_json_array_item(entities, i);
		const char *id = gca_json_get_string(entity, "id");

		if (id == NULL || !entity_complete(st, entity))
			continue;
		foreach(lc, l->refs)
		{
			EvalRef    *ref = lfirst(lc);

			if (strcmp(ref->evaluation_id, id) == 0)
			{
				/* its row frees it: it leaves the listing now */
				l->refs = foreach_delete_current(l->refs, lc);
				st->matches[i] = ref;
				rows++;
				break;
			}
		}
	}
	/* a page short of its size, or no entities: the listing ends here */
	if (n < LISTING_PAGE_MAX)
		l->page_count = Min(l->page_count, number);
	if (l->closed || l->pages_read >= l->page_count || n == 0)
	{
		l->closed = true;
		l->page_count = Min(l->page_count, l->pages_read);
		st->pending = list_concat(st->pending, l->refs);
		l->refs = NIL;
	}
	if (rows == 0)
	{
		if (st->matches)
			pfree(st->matches);
		st->matches = NULL;
		return 0;
	}
	st->entities = entities;
	st->nentities = n;
	st->entity_index = 0;
	return rows;
}

/* The one NOTICE of a run, once everything has been read. */
static void
notify_vanished(GcaResourceScan *rs, EvalScan *st)
{
	ListCell   *lc;

	if (st->notified || st->vanished == 0 || st->in_flight > 0 ||
		st->pending != NIL || st->details_busy || !st->listings_planned)
		return;
	foreach(lc, st->q.windows)
		if (!((EvalWindow *) lfirst(lc))->finished)
			return;
	foreach(lc, st->listings)
		if (!((Listing *) lfirst(lc))->closed)
			return;
	st->notified = true;
	ereport(NOTICE,
			(errmsg("%lld evaluations of foreign table \"%s\" were not found",
					(long long) st->vanished, rs->relname),
			 errdetail("The Quality API answered 404 for evaluations the details query had listed: they were deleted in between, and are left out.")));
}

static int
evaluations_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	EvalScan   *st = rs->state;

	if (req->kind == REQ_DETAILS_PAGE)
	{
		GcaJson    *convs = gca_json_get(page, "conversations");
		EvalWindow *w = req->owner;
		int			n;

		st->details_busy = false;
		n = gca_details_read_page(rs, &st->q, w, req->number, page,
								  gca_json_array_length(convs));

		if (n > 0)
		{
			collect_evaluations(st, w, convs);
			/*
			 * A page short of pageSize that holds every record totalHits
			 * announced is the last: its pages are read one at a time, so
			 * none is in flight, and the page past it is not asked for.
			 */
			if (n < st->q.page_size && w->hits >= 0 &&
				(int64) (req->number - 1) * st->q.page_size + n >= w->hits)
			{
				w->finished = true;
				rs->windows_done++;
			}
		}
		notify_vanished(rs, st);
		return 0;
	}
	if (req->kind == REQ_LISTING)
	{
		int			rows = read_listing(st, req->owner, req->number, page);

		notify_vanished(rs, st);
		return rows;
	}
	st->in_flight--;
	if (req->status == 404)
	{
		free_ref(req->owner);
		st->vanished++;
		notify_vanished(rs, st);
		return 0;
	}
	st->page = page;
	st->ref = req->owner;
	notify_vanished(rs, st);
	return 1;
}

/* ------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------
 */

static bool
evaluations_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	EvalScan   *st = rs->state;
	GcaJson    *evaluation = st->page;

	if (st->entities)
	{
		while (st->entity_index < st->nentities && st->matches[st->entity_index] == NULL)
			st->entity_index++;
		if (st->entity_index >= st->nentities)
		{
			if (st->matches)
				pfree(st->matches);
			st->matches = NULL;
			st->entities = NULL;
			return false;
		}
		evaluation = gca_json_array_item(st->entities, st->entity_index);
		st->ref = st->matches[st->entity_index++];
	}
	if (evaluation == NULL)
		return false;
	gca_fill_from_paths(evaluation, quality_paths, rs->columns, rs->ncolumns,
						values, nulls);
	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;

		if (def == NULL || !rs->columns[i].used)
			continue;
		if (def->id == EV_CONVERSATION_START)
		{
			values[i] = TimestampTzGetDatum(st->ref->conversation_start);
			nulls[i] = false;
		}
		else if (def->id == EV_IS_CALIBRATION)
		{
			values[i] = BoolGetDatum(gca_json_get(evaluation, "calibration") != NULL);
			nulls[i] = false;
		}
	}
	st->page = NULL;
	free_ref(st->ref);
	st->ref = NULL;
	return true;
}

/* ------------------------------------------------------------------
 * EXPLAIN
 * ------------------------------------------------------------------
 */

static List *
evaluations_explain(GcaResourceScan *rs)
{
	EvalScan   *st = rs->state;
	List	   *items = NIL;

	if (rs->pushed.empty)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	items = lappend(items, gca_explain_item("Request", pstrdup("POST " GCA_DETAILS_QUERY_PATH)));
	if (st->q.windows != NIL)
	{
		EvalWindow *w = linitial(st->q.windows);

		items = lappend(items, gca_explain_item("Body", details_body(st, w->start, w->end, 1)));
	}
	items = lappend(items, gca_explain_item("Then",
											psprintf("GET " QUALITY_QUERY_PATH "?evaluatorUserId={evaluatorId}&expandAnswerTotalScores=true&pageSize=%d per evaluator with two or more evaluations, then GET " QUALITY_PATH " for each evaluation no listing gave",
													 LISTING_PAGE_MAX, "{conversationId}", "{evaluationId}")));
	return lappend(items, gca_explain_integer("Windows", list_length(st->q.windows), true));
}

const GcaResource gca_genesys_evaluations = {
	.name = "evaluations",
	.service = GCA_SERVICE_GENESYS,
	.needs_time_bound = true,
	.columns = evaluation_columns,
	.comment = "Genesys Cloud quality evaluations, one row per evaluation (Quality API scores)",
	.estimate = evaluations_estimate,
	.plan = evaluations_plan,
	.next_request = evaluations_next_request,
	.read_page = evaluations_read_page,
	.next_row = evaluations_next_row,
	.explain = evaluations_explain,
};
