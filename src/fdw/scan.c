/*-------------------------------------------------------------------------
 *
 * scan.c
 *		The generic scan engine: requests, pipelining, memory, rows.
 *
 * The engine asks the table's resource for requests (next_request) and
 * keeps up to max_concurrency of them in flight, in the order the
 * resource will read them; hands each response to the resource in that
 * order (read_page) and its rows to the executor (next_row).  Responses
 * fetched ahead keep their raw bytes and are parsed only when read, so
 * one parsed page is in memory at a time and memory does not grow with
 * the number of rows; LIMIT stops the requests, since they are made only
 * as rows are asked for.  Every wait is interruptible (the HTTP core's).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <malloc.h>
#include <math.h>

#include "access/xact.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "fdw_internal.h"
#include "gcanalytics.h"

/* bytes parsed between two turns of the HTTP client */
#define PARSE_SLICE (256 * 1024)
/* rows handed out between two turns of the HTTP client */
#define ROWS_PER_PROGRESS 32

/* allocations from this size up are mmap'd (see gca_scan_begin) */
#define RAW_PAGE_MMAP_THRESHOLD (1024 * 1024)
static bool mmap_threshold_fixed = false;

/* What a request is assumed to take before one has been timed. */
#define GCA_LATENCY_GUESS_MS 100.0

/* One request in flight or waiting to be read. */
typedef struct GcaFetch
{
	GcaCall		call;
	GcaRequest	req;
	GcaJsonParser *parser;
	bool		sink_failed;
	bool		parsing;		/* the page is being read: parse as it comes */
	bool		peeked;			/* its raw body went to the resource's peek */
	StringInfoData held;		/* bytes that came before that, unparsed */
} GcaFetch;

static void release_run(void *arg);

/* ------------------------------------------------------------------
 * Fetches
 * ------------------------------------------------------------------
 */

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

	gca_json_parser_reset(f->parser);
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
	if (!gca_json_parser_feed(f->parser, data, len))
		f->sink_failed = true;
	return !f->sink_failed;
}

static const char *
sink_error(void *arg)
{
	return gca_json_parser_error(((GcaFetch *) arg)->parser);
}

/* The request's path as messages show it: a pre-signed URL without its query */
static const char *
shown_path(const GcaFetch *f)
{
	return f->req.presigned ? pnstrdup(f->req.path, strcspn(f->req.path, "?")) : f->req.path;
}

/* Makes a fetch of req in run_cxt and starts it, in reading order. */
static void
issue(GcaScan *scan, const GcaRequest *req)
{
	GcaFetch   *f = palloc0(sizeof(GcaFetch));
	ListCell   *lc;
	int			pos = 0;

	f->req = *req;
	f->parser = gca_json_parser_create();
	initStringInfo(&f->held);
	f->call.method = f->req.method;
	f->call.path = f->req.path;
	f->call.presigned = f->req.presigned;
	f->call.body = f->req.body;
	f->call.headers = f->req.headers;
	f->call.delay_ms = f->req.delay_ms;
	f->call.accept_statuses = f->req.accept_statuses;
	f->call.sink.reset = sink_reset;
	f->call.sink.write = sink_write;
	f->call.sink.error = sink_error;
	f->call.sink.arg = f;
	f->call.counters = &scan->counters;

	foreach(lc, scan->pipeline)
	{
		GcaRequest *g = &((GcaFetch *) lfirst(lc))->req;

		if (f->req.order < g->order ||
			(f->req.order == g->order && f->req.number < g->number))
			break;
		pos++;
	}
	scan->pipeline = list_insert_nth(scan->pipeline, pos, f);
	gca_call_start(scan->client, &f->call);
}

/* Abandons a fetch and frees it with its request. */
static void
free_fetch(GcaScan *scan, GcaFetch *f)
{
	if (scan->client)
		gca_call_cancel(scan->client, &f->call);
	gca_json_parser_free(f->parser);
	if (f->held.data)
		pfree(f->held.data);
	if (f->req.path)
		pfree(f->req.path);
	if (f->req.body)
		pfree(f->req.body);
	pfree(f);
}

/* Frees the page being read, its items and its body. */
static void
free_page(GcaScan *scan)
{
	gca_json_free(scan->page);
	scan->page = NULL;
	gca_json_items_free(scan->rs.items);
	scan->rs.items = NULL;
	if (scan->page_raw)
		pfree(scan->page_raw);
	scan->page_raw = NULL;
}

/*
 * A response whose items_key member is read an item at a time: the whole
 * body first, then the rest of the document parsed; the body becomes the
 * page's (scan->page_raw) for the items to be parsed from as rows are read.
 */
static GcaJson *
finish_items(GcaScan *scan, GcaFetch *f, const char **error)
{
	GcaJson    *doc;

	gca_call_wait(scan->client, &f->call);	/* load_page waited */
	if (f->call.status < 200 || f->call.status >= 300)
		return NULL;
	scan->rs.items = gca_json_items_parse(f->held.data, f->held.len,
										  f->req.items_key, &doc, error);
	if (scan->rs.items)
	{
		scan->page_raw = f->held.data;
		f->held.data = NULL;
		if (scan->page_request)
			pfree(scan->page_request);
		scan->page_request = psprintf("%s %s", f->call.method, shown_path(f));
	}
	return doc;
}

/*
 * Waits for a fetch and keeps its parsed body as scan->page.  Raises an
 * error when the body is not a JSON object.
 */
static void
finish_fetch(GcaScan *scan, GcaFetch *f)
{
	const char *error = NULL;
	TimestampTz waited_from = GetCurrentTimestamp();

	if (f->req.items_key)
		scan->page = finish_items(scan, f, &error);
	else
	{
		/*
		 * Parse what arrived ahead, in slices between which the other
		 * responses keep arriving, then the rest as it comes.
		 */
		for (int off = 0, n; off < f->held.len && !f->sink_failed; off += n)
		{
			n = Min(PARSE_SLICE, f->held.len - off);
			if (!gca_json_parser_feed(f->parser, f->held.data + off, n))
				f->sink_failed = true;
			gca_client_progress(scan->client);	/* may append to f->held */
		}
		f->parsing = true;
		resetStringInfo(&f->held);
		gca_call_wait(scan->client, &f->call);
	}
	scan->blocked_ms += (double) (GetCurrentTimestamp() - waited_from) / 1000.0;
	f->req.status = f->call.status;
	if (f->call.status < 200 || f->call.status >= 300)
		scan->page = gca_json_parse("{}", 2);	/* an accepted status */
	else if (!f->req.items_key)
		scan->page = gca_json_parser_finish(f->parser, &error);
	if (scan->page == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("%s response to %s %s is not valid JSON",
						gca_service_name(scan->rs.resource->service),
						f->call.method, shown_path(f)),
				 errdetail_internal("%s", error),
				 f->call.correlation_id[0]
				 ? errcontext("correlation id %s", f->call.correlation_id) : 0));
	scan->pages++;
}

/*
 * Starts requests while fewer than max_concurrency are in flight.
 * Responses that have arrived but wait for their turn to be read do not
 * count (another window's results, say), up to as many again, so that
 * they hold no request back while memory stays bounded.  When owners are
 * read in any order, an arrived response waits only for the scan to get
 * to it: one is enough to keep the scan busy, and fewer raw pages (of a
 * thousand conversations) are held.
 */
static void
refill(GcaScan *scan)
{
	int			limit = Max(scan->opts->http.max_concurrency, 1);
	int			held = scan->rs.any_owner_order ? 1 : limit;

	for (;;)
	{
		GcaRequest	req;
		int			in_flight = 0;
		ListCell   *lc;

		foreach(lc, scan->pipeline)
			in_flight += ((GcaFetch *) lfirst(lc))->call.state != GCA_CALL_DONE;
		if (in_flight >= limit || list_length(scan->pipeline) >= limit + held)
			break;
		memset(&req, 0, sizeof(req));
		if (!scan->rs.resource->next_request(&scan->rs, &req))
			break;
		issue(scan, &req);
	}
}

/* Drops every queued fetch of owner. */
static void
drop_owner_fetches(GcaScan *scan, void *owner)
{
	ListCell   *lc;

	foreach(lc, scan->pipeline)
	{
		GcaFetch   *f = lfirst(lc);

		if (f->req.owner == owner)
		{
			scan->pipeline = foreach_delete_current(scan->pipeline, lc);
			free_fetch(scan, f);
		}
	}
}

/* Publishes the run's figures for gcanalytics.scan_progress(). */
static void
report_progress(GcaScan *scan)
{
	GcaProgress p;

	p.windows_done = scan->rs.windows_done;
	p.windows_total = scan->rs.windows_total;
	p.requests = scan->counters.requests;
	p.pages = scan->pages;
	p.rows = scan->rows;
	p.wait_ms = scan->blocked_ms;
	p.throttled_ms = scan->counters.wait_ms;
	gca_progress_report(RelationGetRelid(scan->node->ss.ss_currentRelation),
						scan->rs.resource->name, scan->run_started, &p);
}

/*
 * Hands f's raw body to the resource's peek if it asked for it and has not
 * had it yet; true when that was all the response was for (the caller
 * drops f).  f must have arrived whole.
 */
static bool
peek_body(GcaScan *scan, GcaFetch *f)
{
	const GcaResource *res = scan->rs.resource;

	if (!f->req.peek || f->peeked || res->peek == NULL)
		return false;
	f->peeked = true;
	return res->peek(&scan->rs, &f->req, f->held.data, f->held.len);
}

/*
 * Hands every response that has arrived whole, but except, to peek (see
 * peek_body), so that the requests they lead to (the next page of a
 * cursor, a job's next status poll) go out now, not when their turn to be
 * read comes.
 */
static void
peek_arrived(GcaScan *scan, GcaFetch *except)
{
	ListCell   *lc;

	foreach(lc, scan->pipeline)
	{
		GcaFetch   *f = lfirst(lc);

		if (f != except && f->call.state == GCA_CALL_DONE && peek_body(scan, f))
		{
			scan->pipeline = foreach_delete_current(scan->pipeline, lc);
			free_fetch(scan, f);
		}
	}
}

/*
 * Waits for f.  Other responses that arrive meanwhile go to peek at once
 * and the requests they lead to are sent (a job's status, the next page
 * of a cursor), so that waiting for one window holds no other back.
 */
static void
wait_fetch(GcaScan *scan, GcaFetch *f)
{
	while (f->call.state != GCA_CALL_DONE)
	{
		gca_call_wait_any(scan->client, &f->call);
		peek_arrived(scan, f);
		refill(scan);
	}
}

/* Whether no fetch of f's owner comes before f in reading order. */
static bool
owner_first(GcaScan *scan, GcaFetch *f)
{
	ListCell   *lc;

	foreach(lc, scan->pipeline)
	{
		GcaFetch   *g = lfirst(lc);

		if (g == f)
			return true;
		if (g->req.owner == f->req.owner)
			return false;
	}
	return false;
}

/*
 * The fetch to read next: the first in reading order or, when owners may
 * be read in any order, the first that has arrived whole and is its
 * owner's first.  NULL when none of those has arrived yet.
 */
static GcaFetch *
next_to_read(GcaScan *scan)
{
	ListCell   *lc;

	if (!scan->rs.any_owner_order)
		return linitial(scan->pipeline);
	foreach(lc, scan->pipeline)
	{
		GcaFetch   *f = lfirst(lc);

		if (f->call.state == GCA_CALL_DONE && owner_first(scan, f))
			return f;
	}
	return NULL;
}

/* Reads responses until one offers rows; false at the end of the run. */
static bool
load_page(GcaScan *scan)
{
	const GcaResource *res = scan->rs.resource;

	for (;;)
	{
		GcaFetch   *f;
		int			rows;

		if (scan->client && scan->pipeline != NIL)
		{
			gca_client_progress(scan->client);
			peek_arrived(scan, NULL);
		}
		refill(scan);
		if (scan->pipeline == NIL)
			return false;
		f = next_to_read(scan);
		if (f == NULL)
		{
			/* nothing readable has arrived: wait until something does */
			TimestampTz waited_from = GetCurrentTimestamp();

			gca_call_wait_any(scan->client,
							  &((GcaFetch *) linitial(scan->pipeline))->call);
			scan->blocked_ms += (double) (GetCurrentTimestamp() - waited_from) / 1000.0;
			continue;
		}
		if (f->req.items_key || (f->req.peek && res->peek))
		{
			/* the whole body first, then the next request, then parse */
			TimestampTz waited_from = GetCurrentTimestamp();

			wait_fetch(scan, f);
			scan->blocked_ms += (double) (GetCurrentTimestamp() - waited_from) / 1000.0;
			if (peek_body(scan, f))
			{
				/* that was all f was for */
				scan->pipeline = list_delete_ptr(scan->pipeline, f);
				free_fetch(scan, f);
				continue;
			}
			refill(scan);
			if (scan->rs.any_owner_order ? !owner_first(scan, f)
				: linitial(scan->pipeline) != f)
				continue;		/* an earlier request went out meanwhile */
		}
		finish_fetch(scan, f);
		scan->pipeline = list_delete_ptr(scan->pipeline, f);
		scan->rs.drop_owner = NULL;
		rows = res->read_page(&scan->rs, &f->req, scan->page);
		if (scan->rs.drop_owner)
			drop_owner_fetches(scan, scan->rs.drop_owner);
		free_fetch(scan, f);
		report_progress(scan);
		if (rows > 0)
			return true;
		free_page(scan);
	}
}

GcaJson *
gca_page_item(GcaResourceScan *rs, int i)
{
	GcaScan    *scan = (GcaScan *) ((char *) rs - offsetof(GcaScan, rs));
	GcaJson    *item = gca_json_items_get(rs->items, i);

	if (item == NULL && gca_json_items_error(rs->items))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("%s response to %s is not valid JSON",
						gca_service_name(rs->resource->service),
						scan->page_request),
				 errdetail_internal("%s (item %d)",
									gca_json_items_error(rs->items), i)));
	return item;
}

/* ------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------
 */

/*
 * Refuses a run whose estimated requests pass gcanalytics.max_scan_requests
 * (no accidental crawl of years of history).
 */
static void
check_run_size(GcaResourceScan *rs)
{
	GcaPushed  *pushed = &rs->pushed;
	GcaEstimateInput in;
	double		rows,
				requests;

	memset(&in, 0, sizeof(in));
	in.have_time = pushed->have_lower;
	in.days = pushed->have_lower
		? (double) (pushed->upper - pushed->lower) / USECS_PER_DAY : 1.0;
	in.ids = pushed->by_id ? list_length(pushed->ids) : -1;
	in.filters = list_length(pushed->filters);
	rs->resource->estimate(&in, &rows, &requests);
	if (requests > gca_max_scan_requests)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a scan of foreign table \"%s\" would send about %.0f API requests",
						rs->relname, requests),
				 errdetail("It reads %.1f days; gcanalytics.max_scan_requests is %d.",
						   in.days, gca_max_scan_requests),
				 errhint("Narrow the range, or raise the limit for this session: SET gcanalytics.max_scan_requests = %.0f;",
						 ceil(requests))));
}

/*
 * Evaluates the pushed conditions and lets the resource plan its
 * requests.  "Until now" means the database clock: the start of the
 * transaction, rounded up to the second.
 */
static void
start_run(GcaScan *scan)
{
	GcaResourceScan *rs = &scan->rs;
	GcaPushed  *pushed = &rs->pushed;
	MemoryContext old = MemoryContextSwitchTo(scan->run_cxt);
	double		known_latency_ms;

	gca_evaluate_conds(pushed, scan->conds, rs->columns,
					   scan->node->ss.ps.ps_ExprContext, rs->explain_only);
	pushed->sort = scan->sort;
	pushed->limit = scan->limit;
	if (rs->resource->needs_time_bound && !pushed->empty &&
		!pushed->have_lower && !pushed->by_id &&
		!(rs->explain_only && pushed->needs_outer))
		gca_error_unbounded_scan(rs->relname, rs->resource);
	if (pushed->have_lower && !pushed->have_upper)
	{
		pushed->upper = GetCurrentTransactionStartTimestamp();
		pushed->upper += 1000 - pushed->upper % 1000;
		pushed->have_upper = true;
		pushed->empty |= pushed->lower >= pushed->upper;
	}
	if (!rs->explain_only && !pushed->empty)
		check_run_size(rs);
	if (!rs->explain_only && scan->client == NULL)
		scan->client = gca_client_get(&scan->opts->http);
	rs->client = scan->client;
	/* what other sessions of the server learnt, for EXPLAIN too */
	gca_client_config_known(&scan->opts->http, &known_latency_ms,
							&rs->known_available, &rs->known_job_ready_ms);
	if (known_latency_ms > 0)
		rs->latency_ms = known_latency_ms;
	if (scan->client && gca_client_latency_ms(scan->client) > 0)
		rs->latency_ms = gca_client_latency_ms(scan->client);
	/* as the planner did (so EXPLAIN asks too, once a range and transaction) */
	if (scan->opts->use_remote_estimate)
		rs->estimate_client = scan->client ? scan->client
			: gca_client_get(&scan->opts->http);
	rs->resource->plan(rs);
	scan->started = true;
	scan->run_started = GetCurrentTimestamp();
	if (!rs->explain_only)
		report_progress(scan);
	MemoryContextSwitchTo(old);
}

TupleTableSlot *
gca_scan_next(GcaScan *scan)
{
	TupleTableSlot *slot = scan->node->ss.ss_ScanTupleSlot;
	const GcaResource *res = scan->rs.resource;
	MemoryContext old;

	ExecClearTuple(slot);
	/* called in the per-tuple context: run state must live in run_cxt */
	old = MemoryContextSwitchTo(scan->run_cxt);
	if (!scan->started)
		start_run(scan);
	MemoryContextReset(scan->row_cxt);

	for (;;)
	{
		bool		got;

		CHECK_FOR_INTERRUPTS();
		if (scan->page == NULL && !load_page(scan))
			break;
		MemoryContextSwitchTo(scan->row_cxt);
		got = res->next_row(&scan->rs, slot->tts_values, slot->tts_isnull);
		MemoryContextSwitchTo(scan->run_cxt);
		if (got)
		{
			if (++scan->rows % ROWS_PER_PROGRESS == 0)
			{
				/*
				 * Responses that arrived meanwhile lead to their next
				 * requests now (a cursor's next page, a job's poll), not
				 * once this page's rows are all out: a chain of pages by
				 * cursor then waits for its round trips only.
				 */
				if (scan->pipeline != NIL)
				{
					gca_client_progress(scan->client);
					peek_arrived(scan, NULL);
				}
				refill(scan);
			}
			ExecStoreVirtualTuple(slot);
			break;
		}
		free_page(scan);
	}
	MemoryContextSwitchTo(old);
	return slot;
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
	free_page(scan);
}

/* Prepares run_cxt for a new run: release_run runs when it is reset. */
static void
new_run(GcaScan *scan)
{
	MemoryContextCallback *cb;

	MemoryContextReset(scan->run_cxt);
	cb = MemoryContextAllocZero(scan->run_cxt, sizeof(MemoryContextCallback));
	cb->func = release_run;
	cb->arg = scan;
	MemoryContextRegisterResetCallback(scan->run_cxt, cb);
	scan->pipeline = NIL;
	scan->page = NULL;
	scan->page_raw = NULL;
	scan->page_request = NULL;
	scan->rs.items = NULL;
	scan->started = false;
	scan->rs.state = NULL;
	scan->rs.any_owner_order = false;
}

/* The pushed conditions of the plan, with their expressions initialised. */
static List *
plan_conds(ForeignScanState *node, List *serialized, List *states)
{
	List	   *conds = NIL;
	ListCell   *lc;

	foreach(lc, serialized)
	{
		List	   *c = lfirst(lc);
		GcaCond    *cond = palloc0(sizeof(GcaCond));
		int			expr_index = list_nth_int(c, 3);

		cond->op = list_nth_int(c, 0);
		cond->attnum = list_nth_int(c, 1);
		cond->is_array = list_nth_int(c, 2) != 0;
		cond->cmp = list_nth_int(c, 4);
		cond->state = expr_index >= 0 ? list_nth(states, expr_index) : NULL;
		conds = lappend(conds, cond);
	}
	return conds;
}

/* Starts a scan; in EXPLAIN without ANALYZE nothing is sent. */
GcaScan *
gca_scan_begin(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	EState	   *estate = node->ss.ps.state;
	GcaScan    *scan = palloc0(sizeof(GcaScan));
	GcaResourceScan *rs = &scan->rs;
	ListCell   *lc;
	Oid			userid;

	scan->node = node;
	if (!mmap_threshold_fixed)
	{
		/*
		 * Raw pages (megabytes each) are malloc'd and freed all the time;
		 * glibc's sliding mmap threshold would move them onto the heap
		 * after the first free, where they fragment it among the parser's
		 * small objects and resident memory creeps up with the length of
		 * the read.  A fixed threshold keeps them mapped and returned.
		 */
		mallopt(M_MMAP_THRESHOLD, RAW_PAGE_MMAP_THRESHOLD);
		mmap_threshold_fixed = true;
	}
	scan->scan_cxt = AllocSetContextCreate(estate->es_query_cxt, "gcanalytics scan",
										   ALLOCSET_DEFAULT_SIZES);
	scan->run_cxt = AllocSetContextCreate(scan->scan_cxt, "gcanalytics scan run",
										  ALLOCSET_DEFAULT_SIZES);
	scan->row_cxt = AllocSetContextCreate(scan->scan_cxt, "gcanalytics scan row",
										  ALLOCSET_DEFAULT_SIZES);
	new_run(scan);

	{
		RangeTblEntry *rte = exec_rt_fetch(plan->scan.scanrelid, estate);

		userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	}
	scan->opts = gca_get_options(GetForeignTable(RelationGetRelid(rel))->serverid,
								 userid, RelationGetRelid(rel));
	rs->resource = gca_find_resource(strVal(list_nth(plan->fdw_private,
													 GCA_PRIVATE_RESOURCE)));
	if (rs->resource == NULL)
		elog(ERROR, "gcanalytics: the plan names an unknown resource");
	rs->relname = pstrdup(RelationGetRelationName(rel));
	rs->ncolumns = RelationGetDescr(rel)->natts;
	rs->columns = gca_table_columns(rel, rs->resource, scan->opts, false);
	foreach(lc, (List *) list_nth(plan->fdw_private, GCA_PRIVATE_USED))
	{
		int			attnum = lfirst_int(lc);

		if (attnum > 0 && attnum <= rs->ncolumns)
			rs->columns[attnum - 1].used = true;
	}
	rs->page_size = scan->opts->page_size;
	rs->max_concurrency = scan->opts->http.max_concurrency;
	rs->requests_per_minute = scan->opts->http.requests_per_minute;
	rs->latency_ms = GCA_LATENCY_GUESS_MS;
	rs->options = scan->opts->options;
	rs->object = scan->opts->object;
	rs->explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	scan->conds = plan_conds(node, list_nth(plan->fdw_private, GCA_PRIVATE_CONDS),
							 ExecInitExprList(plan->fdw_exprs, (PlanState *) node));
	foreach(lc, (List *) list_nth(plan->fdw_private, GCA_PRIVATE_SORT))
	{
		GcaSortKey *k = palloc0(sizeof(GcaSortKey));

		k->def = rs->columns[linitial_int((List *) lfirst(lc)) - 1].def;
		k->descending = lsecond_int((List *) lfirst(lc)) != 0;
		k->nulls_first = lthird_int((List *) lfirst(lc)) != 0;
		scan->sort = lappend(scan->sort, k);
	}
	scan->limit = intVal(list_nth(plan->fdw_private, GCA_PRIVATE_LIMIT));

	if (rs->explain_only)
		start_run(scan);		/* for EXPLAIN VERBOSE: the requests, unsent */
	return scan;
}

/* After this many one-id runs, say once how to batch the ids. */
#define ID_RESCANS_BEFORE_HINT 20

void
gca_scan_rescan(GcaScan *scan)
{
	GcaPushed  *pushed = &scan->rs.pushed;

	if (scan->started && pushed->by_id && list_length(pushed->ids) == 1 &&
		++scan->id_rescans == ID_RESCANS_BEFORE_HINT)
	{
		const GcaColumnDef *id = gca_column_with_role(scan->rs.resource, GCA_PUSH_ID);

		ereport(NOTICE,
				(errmsg("foreign table \"%s\" is read with one request per outer row",
						scan->rs.relname),
				 errdetail("A join or IN (SELECT ...) on %s looks up one id at a time.",
						   id->name),
				 errhint("Write %s = ANY (ARRAY(SELECT ...)) to look ids up in batches.",
						 id->name)));
	}
	new_run(scan);
}

void
gca_scan_end(GcaScan *scan)
{
	if (scan == NULL)
		return;
	if (!scan->rs.explain_only)
		gca_progress_report(InvalidOid, NULL, 0, NULL);
	release_run(scan);
	MemoryContextDelete(scan->scan_cxt);
}
