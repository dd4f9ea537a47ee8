/*-------------------------------------------------------------------------
 *
 * scan.c
 *		Executing a scan of a Genesys conversations or segments table.
 *
 * Three ways to read, chosen per scan (design.md 2.4, 2.5):
 *	- by id: GET /api/v2/analytics/conversations/details?id=a,b,... in
 *	  batches, when the query gives conversation ids;
 *	- query: POST .../details/query, page by page (pageNumber) until the
 *	  API omits "conversations", per window of at most one UTC day; a
 *	  window whose totalHits passes the 100,000-result cap is halved;
 *	- job: POST .../details/jobs, poll its status, then read its results
 *	  by cursor; the only route that returns participant attributes.
 * Windows partition the requested conversation_start range, and a
 * conversation is returned by the window its start falls in, once (pages
 * may shift while data arrives: duplicates are dropped by id within the
 * window).  Pages are parsed as they arrive and freed once consumed, so
 * memory does not grow with the number of rows; with max_concurrency > 1
 * the next pages are fetched while the current one is read.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "fdw.h"
#include "genesys.h"
#include "http.h"

#define DETAILS_QUERY_PATH "/api/v2/analytics/conversations/details/query"
#define DETAILS_JOBS_PATH "/api/v2/analytics/conversations/details/jobs"
#define DETAILS_BY_ID_PATH "/api/v2/analytics/conversations/details"
#define RESULT_CAP 100000		/* "Pagination may not exceed 100000
								 * results" */
#define QUERY_PAGE_MAX 100
#define JOB_PAGE_MAX 1000
#define IDS_PER_REQUEST 100
#define MIN_WINDOW_USECS (60 * USECS_PER_SEC)
#define AUTO_JOB_DAYS 3			/* auto uses jobs beyond this many days */

typedef enum GcaExtraction
{
	EXTRACT_QUERY,
	EXTRACT_JOB,
	EXTRACT_BY_ID
} GcaExtraction;

/* A slice [start, end) of the conversation_start range. */
typedef struct GcaWindow
{
	TimestampTz start;
	TimestampTz end;
	int			est_pages;		/* from totalHits of page 1, -1 unknown */
	int			next_page;		/* next pageNumber to request */
	bool		finished;		/* the API said there is no more */
	char	   *job_id;			/* job mode */
	char	   *cursor;			/* job mode: next results cursor */
	bool		job_ready;
} GcaWindow;

/* One page request in flight or waiting to be read. */
typedef struct GcaFetch
{
	GcaCall		call;
	GcaParser  *parser;
	GcaWindow  *window;			/* NULL for by-id batches */
	int			page_number;	/* query page, or batch number */
	char	   *path;
	char	   *body;
	bool		sink_failed;
	bool		parsing;		/* the page is being read: parse as it comes */
	StringInfoData held;		/* bytes that came before that, unparsed */
} GcaFetch;

struct GcaScan
{
	ForeignScanState *node;
	MemoryContext scan_cxt;		/* lives across rescans */
	MemoryContext run_cxt;		/* reset on rescan: windows, fetches */
	MemoryContext window_cxt;	/* reset per window: the seen-id set */
	MemoryContext row_cxt;		/* reset per row */
	GcaOptions *opts;
	const GcaResourceDef *resource;
	GcaClient  *client;			/* NULL in EXPLAIN without ANALYZE */
	GcaColumn  *columns;
	int			ncolumns;
	List	   *conds;			/* GcaCond with value = expr index */
	List	   *cond_states;	/* ExprState per fdw_expr */
	bool		explain_only;
	bool		parameterized;	/* values depend on an outer row */

	/* per run */
	bool		started;
	GcaRequestSpec spec;
	GcaExtraction extraction;
	int			page_size;
	List	   *windows;		/* GcaWindow, by start */
	int			id_batches;		/* by id: batches issued */
	List	   *pipeline;		/* GcaFetch, in reading order */
	GcaWindow  *cur_window;		/* the window the seen-set belongs to */
	HTAB	   *seen;
	GcaPage    *page;
	GcaWindow  *page_window;
	int			conv_index;
	int			conv_count;
	int			seg_index;
	int			seg_count;
	bool		conv_accepted;

	/* EXPLAIN ANALYZE */
	GcaHttpCounters counters;
	int64		pages;
	int64		windows_done;
};

static void scan_start(GcaScan *scan);
static void release_run(void *arg);

/* ------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------
 */

/* Waits ms milliseconds, interruptibly (Ctrl-C, statement_timeout). */
static void
wait_ms(long ms)
{
	TimestampTz until = GetCurrentTimestamp() + ms * 1000;

	for (;;)
	{
		long		left = (until - GetCurrentTimestamp()) / 1000;

		CHECK_FOR_INTERRUPTS();
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(left, 1000), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * A fetch's body is parsed as it arrives once the scan reads that page;
 * pages fetched ahead keep their raw bytes (a tenth of the parsed tree's
 * size) until then, so one parsed page at a time is in memory and hot in
 * the cache.
 */
static void
sink_reset(void *arg)
{
	GcaFetch   *f = arg;

	gca_parser_reset(f->parser);
	resetStringInfo(&f->held);
	f->sink_failed = false;
}

static bool
sink_write(void *arg, const char *data, size_t len)
{
	GcaFetch   *f = arg;

	if (!f->parsing)
	{
		appendBinaryStringInfo(&f->held, data, (int) len);
		return true;
	}
	if (!gca_parser_feed(f->parser, data, len))
		f->sink_failed = true;
	return !f->sink_failed;
}

static const char *
sink_error(void *arg)
{
	GcaFetch   *f = arg;

	return gca_parser_error(f->parser);
}

/* Makes a fetch (in run_cxt) for method/path/body; not started yet. */
static GcaFetch *
make_fetch(GcaScan *scan, const char *method, char *path, char *body)
{
	MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);
	GcaFetch   *f = palloc0(sizeof(GcaFetch));

	f->parser = gca_parser_create();
	initStringInfo(&f->held);
	f->path = path;
	f->body = body;
	f->call.method = method;
	f->call.path = f->path;
	f->call.body = f->body;
	f->call.sink.reset = sink_reset;
	f->call.sink.write = sink_write;
	f->call.sink.error = sink_error;
	f->call.sink.arg = f;
	f->call.counters = &scan->counters;
	MemoryContextSwitchTo(old);
	return f;
}

/* Abandons a fetch and frees it with its path and body. */
static void
free_fetch(GcaScan *scan, GcaFetch *f)
{
	if (scan->client)
		gca_call_cancel(scan->client, &f->call);
	gca_parser_free(f->parser);
	pfree(f->held.data);
	if (f->path)
		pfree(f->path);
	if (f->body)
		pfree(f->body);
	pfree(f);
}

/*
 * Waits for a fetch and returns its parsed body (malloc'd GcaPage owned by
 * the caller).  Raises an error when the body is not valid JSON.
 */
static GcaPage *
finish_fetch(GcaScan *scan, GcaFetch *f)
{
	const char *error = NULL;
	GcaPage    *page;

	/* parse what arrived ahead, then the rest as it comes */
	f->parsing = true;
	if (f->held.len > 0 && !gca_parser_feed(f->parser, f->held.data, f->held.len))
		f->sink_failed = true;
	resetStringInfo(&f->held);
	gca_call_wait(scan->client, &f->call);
	page = gca_parser_finish(f->parser, &error);
	if (page == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("genesys response to %s %s is not valid JSON",
						f->call.method, f->path),
				 errdetail_internal("%s", error),
				 f->call.correlation_id[0]
				 ? errcontext("correlation id %s", f->call.correlation_id) : 0));
	scan->pages++;
	return page;
}

/* Runs one request to completion and returns its parsed body. */
static GcaPage *
perform(GcaScan *scan, const char *method, char *path, char *body)
{
	GcaFetch   *f = make_fetch(scan, method, path, body);
	GcaPage    *page;

	scan->pipeline = lappend(scan->pipeline, f);	/* freed on error */
	gca_call_start(scan->client, &f->call);
	page = finish_fetch(scan, f);
	scan->pipeline = list_delete_ptr(scan->pipeline, f);
	free_fetch(scan, f);
	return page;
}

/* ------------------------------------------------------------------
 * Evaluating the pushed conditions
 * ------------------------------------------------------------------
 */

static bool
has_exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		return true;
	return expression_tree_walker(node, has_exec_param_walker, context);
}

static TimestampTz
to_timestamptz(Datum d, Oid typid)
{
	if (typid == DATEOID)
		return DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz, d));
	if (typid == TIMESTAMPOID)
		return DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d));
	return DatumGetTimestampTz(d);
}

/* The text values of a condition: one value, or an array's non-NULL ones. */
static List *
text_values(Datum d, bool is_array)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	List	   *values = NIL;

	if (!is_array)
		return list_make1(TextDatumGetCString(d));

	arr = DatumGetArrayTypeP(d);
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *v;
		ListCell   *lc;
		bool		seen = false;

		if (nulls[i])
			continue;
		v = TextDatumGetCString(elems[i]);
		foreach(lc, values)
			seen = seen || strcmp(lfirst(lc), v) == 0;
		if (!seen)
			values = lappend(values, v);
	}
	return values;
}

/*
 * Evaluates the pushed conditions for this run into scan->spec.  In
 * EXPLAIN without ANALYZE, values that need an outer row are skipped.
 */
static void
evaluate_spec(GcaScan *scan)
{
	GcaRequestSpec *spec = &scan->spec;
	ExprContext *econtext = scan->node->ss.ps.ps_ExprContext;
	const GcaDimension *best_seg = NULL;
	int			best_count = 0;
	ListCell   *lc;

	memset(spec, 0, sizeof(GcaRequestSpec));
	foreach(lc, scan->conds)
	{
		GcaCond    *c = lfirst(lc);
		Datum		d = (Datum) 0;
		bool		isnull = false;
		Oid			typid = InvalidOid;

		if (c->value)
		{
			ExprState  *es = list_nth(scan->cond_states, (int) (intptr_t) c->value - 1);

			if (scan->explain_only && has_exec_param_walker((Node *) es->expr, NULL))
			{
				scan->parameterized = true;
				continue;
			}
			d = ExecEvalExpr(es, econtext, &isnull);
			typid = exprType((Node *) es->expr);
			if (isnull)
			{
				/* col = NULL, or an empty bound: no row can match */
				spec->empty = true;
				continue;
			}
		}

		switch (c->kind)
		{
			case COND_START_GE:
			case COND_START_EQ:
				{
					TimestampTz t = to_timestamptz(d, typid);

					if (!spec->have_lower || t > spec->lower)
						spec->lower = t;
					spec->have_lower = true;
					if (c->kind == COND_START_GE)
						break;
					/* = also bounds from above */
				}
				/* FALLTHROUGH */
			case COND_START_LE:
			case COND_START_LT:
				{
					TimestampTz t = to_timestamptz(d, typid);

					if (c->kind != COND_START_LT)
						t += 1000;	/* the API counts milliseconds */
					if (!spec->have_upper || t < spec->upper)
						spec->upper = t;
					spec->have_upper = true;
					break;
				}
			case COND_ID_IN:
				if (!spec->by_id)
				{
					spec->by_id = true;
					spec->ids = text_values(d, c->is_array);
					if (spec->ids == NIL)
						spec->empty = true;
				}
				break;
			case COND_DIM_IN:
				{
					const GcaDimension *dim = gca_dimension(c->column);
					GcaFilterValues *f = palloc0(sizeof(GcaFilterValues));

					f->column = c->column;
					f->values = text_values(d, c->is_array);
					if (f->values == NIL)
					{
						spec->empty = true;
						break;
					}
					if (!dim->segment)
						spec->conv_filters = lappend(spec->conv_filters, f);
					else if (best_seg == NULL || dim->priority < best_seg->priority ||
							 (dim->priority == best_seg->priority &&
							  list_length(f->values) < best_count))
					{
						best_seg = dim;
						best_count = list_length(f->values);
						spec->seg_filter = f;
					}
					break;
				}
			case COND_END_NOT_NULL:
				spec->end_not_null = true;
				break;
		}
	}
	if (spec->have_lower && spec->have_upper && spec->lower >= spec->upper)
		spec->empty = true;
}

/* ------------------------------------------------------------------
 * Planning a run: extraction, windows
 * ------------------------------------------------------------------
 */

static bool
uses_attributes(GcaScan *scan)
{
	for (int i = 0; i < scan->ncolumns; i++)
		if (scan->columns[i].used &&
			(scan->columns[i].kind == GCOL_ATTRIBUTES ||
			 scan->columns[i].kind == GCOL_ATTRIBUTE))
			return true;
	return false;
}

/* Splits [lower, upper) at UTC midnights into windows (in run_cxt). */
static void
make_windows(GcaScan *scan)
{
	TimestampTz t = scan->spec.lower;

	while (t < scan->spec.upper)
	{
		TimestampTz next_midnight = t - (t % USECS_PER_DAY) + USECS_PER_DAY;
		GcaWindow  *w;

		if (t < 0 && t % USECS_PER_DAY != 0)
			next_midnight -= USECS_PER_DAY;
		w = palloc0(sizeof(GcaWindow));
		w->start = t;
		w->end = Min(next_midnight, scan->spec.upper);
		w->est_pages = -1;
		w->next_page = 1;
		scan->windows = lappend(scan->windows, w);
		t = w->end;
	}
}

/* Decides how this run reads and prepares its windows. */
static void
plan_run(GcaScan *scan)
{
	const char *extraction = scan->opts->extraction;

	evaluate_spec(scan);
	scan->windows = NIL;
	if (scan->spec.by_id && (strcmp(extraction, "job") != 0 || !scan->spec.have_lower))
		scan->extraction = EXTRACT_BY_ID;
	else
	{
		if (!scan->spec.have_lower)
		{
			if (scan->explain_only && scan->parameterized)
				return;
			if (!scan->spec.empty)
				gca_error_unbounded_scan(RelationGetRelationName(scan->node->ss.ss_currentRelation));
		}
		if (!scan->spec.have_upper)
		{
			/* up to now: later conversations do not exist yet */
			scan->spec.upper = GetCurrentTransactionStartTimestamp();
			scan->spec.upper += 1000 - scan->spec.upper % 1000;
			scan->spec.have_upper = true;
		}
		if (strcmp(extraction, "job") == 0)
			scan->extraction = EXTRACT_JOB;
		else if (strcmp(extraction, "query") == 0)
			scan->extraction = EXTRACT_QUERY;
		else
			scan->extraction =
				(uses_attributes(scan) ||
				 scan->spec.upper - scan->spec.lower > AUTO_JOB_DAYS * USECS_PER_DAY)
				? EXTRACT_JOB : EXTRACT_QUERY;
		if (!scan->spec.empty)
			make_windows(scan);
	}
	if (scan->extraction == EXTRACT_JOB)
		scan->page_size = scan->opts->page_size > 0 ? Min(scan->opts->page_size, JOB_PAGE_MAX) : JOB_PAGE_MAX;
	else
		scan->page_size = scan->opts->page_size > 0 ? Min(scan->opts->page_size, QUERY_PAGE_MAX) : QUERY_PAGE_MAX;
}

static char *
query_body(GcaScan *scan, GcaWindow *w, int page_number)
{
	StringInfoData buf;

	initStringInfo(&buf);
	gca_append_details_body(&buf, &scan->spec, w->start, w->end,
							scan->page_size, page_number);
	return buf.data;
}

static char *
by_id_path(GcaScan *scan, int batch)
{
	StringInfoData buf;
	int			first = batch * IDS_PER_REQUEST;
	int			n = list_length(scan->spec.ids);

	initStringInfo(&buf);
	appendStringInfoString(&buf, DETAILS_BY_ID_PATH "?id=");
	for (int i = first; i < Min(n, first + IDS_PER_REQUEST); i++)
	{
		if (i > first)
			appendStringInfoString(&buf, "%2C");
		gca_append_url_escaped(&buf, list_nth(scan->spec.ids, i));
	}
	return buf.data;
}

/* ------------------------------------------------------------------
 * The pipeline: query pages and id batches
 * ------------------------------------------------------------------
 */

/* Inserts f so the pipeline stays in (window start, page) order. */
static void
pipeline_insert(GcaScan *scan, GcaFetch *f)
{
	ListCell   *lc;
	int			pos = 0;

	foreach(lc, scan->pipeline)
	{
		GcaFetch   *g = lfirst(lc);
		TimestampTz gs = g->window ? g->window->start : 0;
		TimestampTz fs = f->window ? f->window->start : 0;

		if (fs < gs || (fs == gs && f->page_number < g->page_number))
			break;
		pos++;
	}
	scan->pipeline = list_insert_nth(scan->pipeline, pos, f);
}

static void
issue(GcaScan *scan, GcaFetch *f)
{
	pipeline_insert(scan, f);
	gca_call_start(scan->client, &f->call);
}

/* Starts requests while fewer than max_concurrency are in flight. */
static void
refill(GcaScan *scan)
{
	int			limit = Max(scan->opts->max_concurrency, 1);

	if (scan->extraction == EXTRACT_BY_ID)
	{
		int			batches = (list_length(scan->spec.ids) + IDS_PER_REQUEST - 1) / IDS_PER_REQUEST;

		while (list_length(scan->pipeline) < limit && scan->id_batches < batches)
		{
			GcaFetch   *f = make_fetch(scan, "GET", by_id_path(scan, scan->id_batches), NULL);

			f->page_number = scan->id_batches++;
			issue(scan, f);
		}
		return;
	}

	if (scan->extraction == EXTRACT_QUERY)
	{
		ListCell   *lc;

		foreach(lc, scan->windows)
		{
			GcaWindow  *w = lfirst(lc);

			while (list_length(scan->pipeline) < limit && !w->finished &&
				   (w->next_page == 1 ||
					(w->est_pages >= 0 && w->next_page <= w->est_pages + 1)))
			{
				GcaFetch   *f;
				MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);

				f = make_fetch(scan, "POST", pstrdup(DETAILS_QUERY_PATH),
							   query_body(scan, w, w->next_page));
				MemoryContextSwitchTo(old);
				f->window = w;
				f->page_number = w->next_page++;
				issue(scan, f);
			}
			if (list_length(scan->pipeline) >= limit)
				break;
		}
	}
}

/* Drops every queued fetch of window w. */
static void
drop_window_fetches(GcaScan *scan, GcaWindow *w)
{
	ListCell   *lc;

	foreach(lc, scan->pipeline)
	{
		GcaFetch   *f = lfirst(lc);

		if (f->window == w)
		{
			scan->pipeline = foreach_delete_current(scan->pipeline, lc);
			free_fetch(scan, f);
		}
	}
}

/* Splits window w in two halves in place of it (the cap was passed). */
static void
split_window(GcaScan *scan, GcaWindow *w)
{
	MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);
	GcaWindow  *second = palloc0(sizeof(GcaWindow));
	TimestampTz mid = w->start + (w->end - w->start) / 2;

	mid -= mid % 1000;
	*second = *w;
	second->start = mid;
	second->est_pages = -1;
	second->next_page = 1;
	w->end = mid;
	w->est_pages = -1;
	w->next_page = 1;
	/* keep windows sorted by start: the second half follows w */
	{
		List	   *sorted = NIL;
		ListCell   *lc;

		foreach(lc, scan->windows)
		{
			sorted = lappend(sorted, lfirst(lc));
			if (lfirst(lc) == w)
				sorted = lappend(sorted, second);
		}
		scan->windows = sorted;
	}
	MemoryContextSwitchTo(old);
}

/* The next page of a query or by-id run, or NULL at the end. */
static GcaPage *
next_pipelined_page(GcaScan *scan, GcaWindow **window)
{
	for (;;)
	{
		GcaFetch   *f;
		GcaPage    *page;
		int			count;

		refill(scan);
		if (scan->pipeline == NIL)
			return NULL;
		f = linitial(scan->pipeline);
		page = finish_fetch(scan, f);
		scan->pipeline = list_delete_first(scan->pipeline);
		*window = f->window;
		count = gca_page_conversation_count(page);

		if (f->window)
		{
			GcaWindow  *w = f->window;

			if (count <= 0)
			{
				/* past the last page: "conversations" omitted */
				w->finished = true;
				scan->windows_done++;
				drop_window_fetches(scan, w);
				free_fetch(scan, f);
				gca_page_free(page);
				continue;
			}
			if (f->page_number == 1)
			{
				int64		hits = gca_page_int(page, "totalHits", -1);

				if (hits > RESULT_CAP && w->end - w->start > MIN_WINDOW_USECS)
				{
					drop_window_fetches(scan, w);
					free_fetch(scan, f);
					gca_page_free(page);
					split_window(scan, w);
					continue;
				}
				w->est_pages = hits >= 0 ? (int) ((hits + scan->page_size - 1) / scan->page_size) : 1;
			}
			/* a full page past the estimate: the data grew, keep going */
			if (f->page_number >= w->est_pages)
				w->est_pages = f->page_number;
		}
		free_fetch(scan, f);
		return page;
	}
}

/* ------------------------------------------------------------------
 * Jobs
 * ------------------------------------------------------------------
 */

/* Creates the job of window w and waits until its results are ready. */
static void
run_job(GcaScan *scan, GcaWindow *w)
{
	StringInfoData body;
	GcaPage    *page;
	char	   *state = NULL;
	long		delay = 250;

	initStringInfo(&body);
	gca_append_details_body(&body, &scan->spec, w->start, w->end, 0, 0);
	page = perform(scan, "POST", pstrdup(DETAILS_JOBS_PATH), body.data);
	w->job_id = gca_page_string(page, "jobId");
	gca_page_free(page);
	if (w->job_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("genesys response to POST %s has no job id", DETAILS_JOBS_PATH)));

	for (;;)
	{
		StringInfoData path;

		initStringInfo(&path);
		appendStringInfoString(&path, DETAILS_JOBS_PATH "/");
		gca_append_url_escaped(&path, w->job_id);
		page = perform(scan, "GET", path.data, NULL);
		state = gca_page_string(page, "state");
		if (state && strcmp(state, "FULFILLED") == 0)
		{
			gca_page_free(page);
			break;
		}
		if (state == NULL || strcmp(state, "FAILED") == 0 ||
			strcmp(state, "CANCELLED") == 0 || strcmp(state, "EXPIRED") == 0)
		{
			char	   *message = gca_page_string(page, "errorMessage");

			gca_page_free(page);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("genesys details job %s ended in state %s",
							w->job_id, state ? state : "(none)"),
					 message ? errdetail_internal("%s", message) : 0,
					 errhint("The window is %s.", "retried on the next scan")));
		}
		gca_page_free(page);
		wait_ms(delay);
		delay = Min(delay * 2, 5000);
	}
	w->job_ready = true;
}

/* The next results page of the job run, or NULL at the end. */
static GcaPage *
next_job_page(GcaScan *scan, GcaWindow **window)
{
	while (scan->windows != NIL)
	{
		GcaWindow  *w = linitial(scan->windows);
		StringInfoData path;
		GcaPage    *page;

		if (w->finished)
		{
			scan->windows = list_delete_first(scan->windows);
			scan->windows_done++;
			continue;
		}
		if (!w->job_ready)
			run_job(scan, w);
		initStringInfo(&path);
		appendStringInfoString(&path, DETAILS_JOBS_PATH "/");
		gca_append_url_escaped(&path, w->job_id);
		appendStringInfo(&path, "/results?pageSize=%d", scan->page_size);
		if (w->cursor)
		{
			appendStringInfoString(&path, "&cursor=");
			gca_append_url_escaped(&path, w->cursor);
		}
		page = perform(scan, "GET", path.data, NULL);
		w->cursor = gca_page_string(page, "cursor");
		if (w->cursor == NULL)
			w->finished = true;
		*window = w;
		return page;
	}
	return NULL;
}

/* ------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------
 */

/* True the first time conversation id is seen in the current window. */
static bool
first_sighting(GcaScan *scan, const char *id)
{
	bool		found;
	char		key[NAMEDATALEN * 2];

	if (scan->seen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(key);
		ctl.hcxt = scan->window_cxt;
		scan->seen = hash_create("gcanalytics seen conversations", 1024, &ctl,
								 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	strlcpy(key, id, sizeof(key));
	(void) hash_search(scan->seen, key, HASH_ENTER, &found);
	return !found;
}

/* Whether conversation i of the current page belongs in the result. */
static bool
accept_conversation(GcaScan *scan, int i)
{
	const char *id = gca_conv_id(scan->page, i);
	GcaWindow  *w = scan->page_window;

	if (id == NULL)
		return false;
	if (w)
	{
		TimestampTz start = gca_conv_start(scan->page, i);

		/* the API matches by overlap; the window owns only its starts */
		if (start < w->start || start >= w->end)
			return false;
	}
	if (scan->cur_window != w || scan->seen == NULL)
	{
		MemoryContextReset(scan->window_cxt);
		scan->seen = NULL;
		scan->cur_window = w;
	}
	return first_sighting(scan, id);
}

/* Loads the next page; false at the end of the run. */
static bool
load_page(GcaScan *scan)
{
	GcaWindow  *w = NULL;

	if (scan->page)
	{
		gca_page_free(scan->page);
		scan->page = NULL;
	}
	if (scan->spec.empty)
		return false;
	if (scan->extraction == EXTRACT_JOB)
		scan->page = next_job_page(scan, &w);
	else
		scan->page = next_pipelined_page(scan, &w);
	if (scan->page == NULL)
		return false;
	scan->page_window = w;
	scan->conv_index = 0;
	scan->conv_count = Max(gca_page_conversation_count(scan->page), 0);
	scan->seg_index = 0;
	scan->seg_count = -1;
	return true;
}

TupleTableSlot *
gca_scan_next(GcaScan *scan)
{
	TupleTableSlot *slot = scan->node->ss.ss_ScanTupleSlot;
	bool		segments = scan->resource->kind == GRES_SEGMENTS;
	MemoryContext old;

	ExecClearTuple(slot);
	if (!scan->started)
		scan_start(scan);
	MemoryContextReset(scan->row_cxt);
	/* called in the per-tuple context: run state must live in run_cxt */
	old = MemoryContextSwitchTo(scan->run_cxt);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (scan->page == NULL || scan->conv_index >= scan->conv_count)
		{
			if (!load_page(scan))
			{
				MemoryContextSwitchTo(old);
				return slot;
			}
			continue;
		}
		if (scan->seg_count < 0)
		{
			scan->conv_accepted = accept_conversation(scan, scan->conv_index);
			scan->seg_count = segments ? gca_conv_segment_count(scan->page, scan->conv_index) : 1;
			scan->seg_index = 0;
		}
		if (!scan->conv_accepted || scan->seg_index >= scan->seg_count)
		{
			scan->conv_index++;
			scan->seg_count = -1;
			continue;
		}
		MemoryContextSwitchTo(scan->row_cxt);
		gca_conv_fill(scan->page, scan->conv_index, segments ? scan->seg_index : -1,
					  scan->columns, scan->ncolumns,
					  slot->tts_values, slot->tts_isnull);
		MemoryContextSwitchTo(old);
		scan->seg_index++;
		ExecStoreVirtualTuple(slot);
		return slot;
	}
}

/* ------------------------------------------------------------------
 * Life cycle
 * ------------------------------------------------------------------
 */

/* Frees what lives outside palloc (parsers, pages) and abandons calls. */
static void
release_run(void *arg)
{
	GcaScan    *scan = arg;
	ListCell   *lc;

	foreach(lc, scan->pipeline)
		free_fetch(scan, lfirst(lc));
	scan->pipeline = NIL;
	if (scan->page)
		gca_page_free(scan->page);
	scan->page = NULL;
}

static void
scan_start(GcaScan *scan)
{
	MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);

	scan->started = true;
	plan_run(scan);
	MemoryContextSwitchTo(old);
}

/* Starts a scan; in EXPLAIN without ANALYZE nothing is sent. */
GcaScan *
gca_scan_begin(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	EState	   *estate = node->ss.ps.state;
	GcaScan    *scan = palloc0(sizeof(GcaScan));
	List	   *used = list_nth(plan->fdw_private, GCA_PRIVATE_USED);
	List	   *conds = list_nth(plan->fdw_private, GCA_PRIVATE_CONDS);
	ListCell   *lc;
	MemoryContextCallback *cb;
	Oid			userid;

	scan->node = node;
	scan->explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	scan->scan_cxt = AllocSetContextCreate(estate->es_query_cxt, "gcanalytics scan",
										   ALLOCSET_DEFAULT_SIZES);
	scan->run_cxt = AllocSetContextCreate(scan->scan_cxt, "gcanalytics scan run",
										  ALLOCSET_DEFAULT_SIZES);
	scan->window_cxt = AllocSetContextCreate(scan->scan_cxt, "gcanalytics scan window",
											 ALLOCSET_DEFAULT_SIZES);
	scan->row_cxt = AllocSetContextCreate(scan->scan_cxt, "gcanalytics scan row",
										  ALLOCSET_DEFAULT_SIZES);
	cb = MemoryContextAllocZero(scan->run_cxt, sizeof(MemoryContextCallback));
	cb->func = release_run;
	cb->arg = scan;
	MemoryContextRegisterResetCallback(scan->run_cxt, cb);

	{
		RangeTblEntry *rte = exec_rt_fetch(plan->scan.scanrelid, estate);

		userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	}
	scan->opts = gca_get_options(GetForeignTable(RelationGetRelid(rel))->serverid,
								 userid, RelationGetRelid(rel));
	scan->resource = gca_find_resource(scan->opts->resource);

	scan->ncolumns = tupdesc->natts;
	scan->columns = palloc0(sizeof(GcaColumn) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		char	   *attribute;

		if (att->attisdropped)
			continue;
		scan->columns[i].typid = att->atttypid;
		scan->columns[i].typmod = att->atttypmod;
		attribute = gca_column_option(RelationGetRelid(rel), i + 1, "attribute");
		if (attribute)
		{
			scan->columns[i].kind = GCOL_ATTRIBUTE;
			scan->columns[i].attribute = attribute;
		}
		else
			scan->columns[i].kind = gca_column_kind(scan->resource, NameStr(att->attname));
	}
	foreach(lc, used)
	{
		int			attnum = lfirst_int(lc);

		if (attnum > 0 && attnum <= scan->ncolumns)
			scan->columns[attnum - 1].used = true;
	}

	foreach(lc, conds)
	{
		List	   *c = lfirst(lc);
		GcaCond    *cond = palloc0(sizeof(GcaCond));
		int			expr_index = list_nth_int(c, 3);

		cond->kind = list_nth_int(c, 0);
		cond->column = list_nth_int(c, 1);
		cond->is_array = list_nth_int(c, 2) != 0;
		/* store the 1-based expression index in place of the Expr */
		cond->value = expr_index >= 0 ? (Expr *) (intptr_t) (expr_index + 1) : NULL;
		scan->conds = lappend(scan->conds, cond);
	}
	scan->cond_states = ExecInitExprList(plan->fdw_exprs, (PlanState *) node);

	if (scan->explain_only)
	{
		/* for EXPLAIN VERBOSE: the request, without sending it */
		MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);

		plan_run(scan);
		MemoryContextSwitchTo(old);
		return scan;
	}
	scan->client = gca_client_get(scan->opts);
	return scan;
}

void
gca_scan_rescan(GcaScan *scan)
{
	MemoryContextReset(scan->run_cxt);
	{
		MemoryContextCallback *cb = MemoryContextAllocZero(scan->run_cxt, sizeof(MemoryContextCallback));

		cb->func = release_run;
		cb->arg = scan;
		MemoryContextRegisterResetCallback(scan->run_cxt, cb);
	}
	MemoryContextReset(scan->window_cxt);
	scan->seen = NULL;
	scan->cur_window = NULL;
	scan->windows = NIL;
	scan->pipeline = NIL;
	scan->page = NULL;
	scan->id_batches = 0;
	scan->started = false;
}

void
gca_scan_end(GcaScan *scan)
{
	if (scan == NULL)
		return;
	release_run(scan);
	MemoryContextDelete(scan->scan_cxt);
}

static const char *
extraction_name(GcaExtraction e)
{
	switch (e)
	{
		case EXTRACT_QUERY:
			return "details query";
		case EXTRACT_JOB:
			return "details job";
		case EXTRACT_BY_ID:
			return "conversations by id";
	}
	return "?";
}

/*
 * EXPLAIN: the request under VERBOSE (never credentials), the traffic
 * under ANALYZE.
 */
void
gca_scan_explain(GcaScan *scan, ExplainState *es)
{
	if (es->verbose && !scan->spec.empty && !(scan->explain_only && scan->parameterized))
	{
		ExplainPropertyText("Genesys Extraction", extraction_name(scan->extraction), es);
		if (scan->extraction == EXTRACT_BY_ID)
		{
			ExplainPropertyText("Genesys Request",
								psprintf("GET %s", by_id_path(scan, 0)), es);
		}
		else if (scan->windows != NIL || scan->windows_done > 0)
		{
			GcaWindow  *w = scan->windows != NIL ? linitial(scan->windows) : NULL;

			ExplainPropertyText("Genesys Request",
								scan->extraction == EXTRACT_JOB
								? "POST " DETAILS_JOBS_PATH : "POST " DETAILS_QUERY_PATH, es);
			if (w)
			{
				StringInfoData body;

				initStringInfo(&body);
				gca_append_details_body(&body, &scan->spec, w->start, w->end,
										scan->page_size,
										scan->extraction == EXTRACT_JOB ? 0 : 1);
				ExplainPropertyText("Genesys Body", body.data, es);
			}
			if (!es->analyze)
				ExplainPropertyInteger("Genesys Windows", NULL,
									   list_length(scan->windows), es);
		}
	}
	else if (es->verbose && scan->explain_only && scan->parameterized)
		ExplainPropertyText("Genesys Request",
							"GET " DETAILS_BY_ID_PATH "?id=$param (per outer row)", es);
	else if (es->verbose && scan->spec.empty)
		ExplainPropertyText("Genesys Request", "none (the conditions cannot match)", es);

	if (es->analyze)
	{
		ExplainPropertyInteger("Genesys Requests", NULL, scan->counters.requests, es);
		ExplainPropertyInteger("Genesys Pages", NULL, scan->pages, es);
		ExplainPropertyInteger("Genesys Bytes", NULL, scan->counters.bytes, es);
		ExplainPropertyInteger("Genesys Retries", NULL, scan->counters.retries, es);
		ExplainPropertyInteger("Genesys 429s", NULL, scan->counters.n429, es);
		ExplainPropertyFloat("Genesys Wait", "ms", scan->counters.wait_ms, 1, es);
	}
}
