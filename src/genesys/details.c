/*-------------------------------------------------------------------------
 *
 * details.c
 *		The conversation details query protocol, once, for every resource
 *		that reads conversation detail records (conversations, segments,
 *		evaluations).
 *
 * POST /api/v2/analytics/conversations/details/query takes an interval,
 * filters and a page ({pageSize, pageNumber}) and answers a page of
 * conversation records with totalHits.  The API's rules, and what each
 * step here does about them:
 *	- a query matches the conversations that started on a day its interval
 *	  touches, and one day or less should be asked at a time: a range is
 *	  read in windows of at most one UTC day, and a window keeps only the
 *	  conversations that started inside it (gca_details_window_owns);
 *	- paging past 100,000 results is refused ("Pagination may not exceed
 *	  100000 results"), the advice being shorter intervals: a window whose
 *	  first page announces more is halved, down to a minute;
 *	- the query pages by pageNumber only, from 1; past the last page the
 *	  API omits "conversations" rather than sending []: that, not a count,
 *	  ends a window;
 *	- totalHits is approximate and pages shift while data arrives: a page
 *	  holding fewer records than totalHits makes due is read again, and
 *	  after a few such reads the scan fails rather than pass a short
 *	  answer off as the end of the data;
 *	- details jobs hold data up to the dataAvailabilityDate of GET
 *	  .../details/jobs/availability only.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/details.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/json.h"

#include "details.h"
#include "isotime.h"

/* "Pagination may not exceed 100000 results" */
#define RESULT_CAP 100000
/* windows are not halved below this */
#define MIN_WINDOW_USECS (60 * USECS_PER_SEC)
/* reads of a short page before the scan fails */
#define SHORT_PAGE_READS 4

/* ------------------------------------------------------------------
 * Windows
 * ------------------------------------------------------------------
 */

/* Starts q with no windows; windows are window_size bytes. */
void
gca_details_init(GcaDetailsQuery *q, Size window_size, int page_size)
{
	Assert(window_size >= sizeof(GcaDetailsWindow));
	q->windows = NIL;
	q->window_size = window_size;
	q->page_size = page_size;
}

/*
 * A window [start, end) of q's size, zeroed beyond the protocol's fields,
 * palloc'd in the current memory context; not added to q->windows.
 */
GcaDetailsWindow *
gca_details_new_window(const GcaDetailsQuery *q, TimestampTz start,
					   TimestampTz end)
{
	GcaDetailsWindow *w = palloc0(q->window_size);

	w->start = start;
	w->end = end;
	w->est_pages = -1;
	w->next_page = 1;
	w->hits = -1;
	return w;
}

/*
 * Appends the windows of [lower, upper) to q: split at UTC midnights, since
 * a query matches whole days its interval touches and one day or less is
 * to be asked at a time.
 */
void
gca_details_day_windows(GcaDetailsQuery *q, TimestampTz lower,
						TimestampTz upper)
{
	TimestampTz t = lower;

	while (t < upper)
	{
		GcaDetailsWindow *w = gca_details_new_window(q, t,
													 Min(gca_next_utc_midnight(t), upper));

		q->windows = lappend(q->windows, w);
		t = w->end;
	}
}

/*
 * Halves window w of q at a multiple of unit_usecs: w keeps the first half,
 * read again from page 1, and a new window for the second half follows it
 * in q->windows (kept sorted by start).  Returns the new window.
 */
GcaDetailsWindow *
gca_details_halve(GcaDetailsQuery *q, GcaDetailsWindow *w, int64 unit_usecs)
{
	TimestampTz mid = w->start + (w->end - w->start) / 2;
	GcaDetailsWindow *second;
	int			pos = 0;
	ListCell   *lc;

	foreach(lc, q->windows)
	{
		if (lfirst(lc) == w)
			break;
		pos++;
	}
	mid -= mid % unit_usecs;
	second = gca_details_new_window(q, mid, w->end);
	w->end = mid;
	w->est_pages = -1;
	w->next_page = 1;
	q->windows = list_insert_nth(q->windows, pos + 1, second);
	return second;
}

/*
 * Whether a conversation that started at start belongs to window w: the
 * API returns every conversation of a day the interval touches (a job,
 * every one active in it), and a conversation is returned by the window
 * its start falls in, once.
 */
bool
gca_details_window_owns(const GcaDetailsWindow *w, TimestampTz start)
{
	return start >= w->start && start < w->end;
}

/* ------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------
 */

/*
 * The pageNumber of the next page of w to request, if one can be asked
 * now: a short page again first, then pages up to one past what totalHits
 * announces (the one past shows the end: "conversations" omitted).
 */
bool
gca_details_next_page(GcaDetailsWindow *w, int *page)
{
	if (w->reread_pages != NIL)
	{
		*page = linitial_int(w->reread_pages);
		w->reread_pages = list_delete_first(w->reread_pages);
		return true;
	}
	if (w->finished ||
		!(w->next_page == 1 ||
		  (w->est_pages >= 0 && w->next_page <= w->est_pages + 1)))
		return false;
	*page = w->next_page++;
	return true;
}

/*
 * Reads page number of window w of q, which holds count records (-1: no
 * "conversations" array); returns the records it offers, 0 when there are
 * none to read from it:
 *	- fewer records than totalHits makes due: the page is queued to be read
 *	  again (gca_details_short_read), or the scan fails;
 *	- no records: the window is read (the API omits "conversations" past
 *	  the last page), its queued requests are dropped;
 *	- a first page announcing more than the result cap: w is halved and
 *	  read again from page 1 (its queued requests dropped).
 * Keeps rs's progress (windows_total, windows_done).
 */
int
gca_details_read_page(GcaResourceScan *rs, GcaDetailsQuery *q,
					  GcaDetailsWindow *w, int number, GcaJson *page, int count)
{
	int64		due;

	w->hits = gca_json_get_int64(page, "totalHits", w->hits);
	due = Min(q->page_size, w->hits - (int64) (number - 1) * q->page_size);
	if (due > 0 && count < due)
	{
		gca_details_short_read(w, number, number, count, due, "details query");
		w->reread_pages = lappend_int(w->reread_pages, number);
		return 0;
	}
	if (count <= 0)
	{
		w->finished = true;
		rs->windows_done++;
		rs->drop_owner = w;
		return 0;
	}
	if (number == 1)
	{
		int64		hits = gca_json_get_int64(page, "totalHits", -1);

		if (hits > RESULT_CAP && w->end - w->start > MIN_WINDOW_USECS)
		{
			rs->drop_owner = w;
			(void) gca_details_halve(q, w, 1000);	/* at a whole millisecond */
			rs->windows_total++;
			return 0;
		}
		w->est_pages = hits >= 0 ? (int) ((hits + q->page_size - 1) / q->page_size) : 1;
	}
	/* a full page past the estimate: the data grew, keep going */
	if (number >= w->est_pages)
		w->est_pages = number;
	return count;
}

/*
 * Notes a short read of the page keyed number of window w (page is the
 * one the message names, count what it held, expected what was due): it
 * may be read again, up to SHORT_PAGE_READS times in all, then the scan
 * fails naming the window.  A short read never passes as the end of the
 * data, since totalHits is approximate but a page is not to lose records.
 */
void
gca_details_short_read(GcaDetailsWindow *w, int number, int page, int count,
					   int64 expected, const char *what)
{
	char		from[32],
				to[32];

	if (w->short_page != number)
	{
		w->short_page = number;
		w->short_reads = 0;
	}
	if (++w->short_reads < SHORT_PAGE_READS)
		return;
	gca_format_iso_time(w->start, from);
	gca_format_iso_time(w->end, to);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("genesys %s came back short for the window %s/%s", what, from, to),
			 errdetail("Page %d held %d conversations where %lld were due; it was read %d times.",
					   page, Max(count, 0), (long long) expected, w->short_reads),
			 errhint("No rows were passed off as complete. Run the query again later; if it stays short, report the window to Genesys Cloud support.")));
}

/* ------------------------------------------------------------------
 * Request bodies
 * ------------------------------------------------------------------
 */

/* "interval":"start/end": the interval is an ISO-8601 start/end pair. */
void
gca_details_append_interval(StringInfo buf, TimestampTz start, TimestampTz end)
{
	char		iso[32];

	appendStringInfoString(buf, "\"interval\":\"");
	gca_format_iso_time(start, iso);
	appendStringInfoString(buf, iso);
	appendStringInfoChar(buf, '/');
	gca_format_iso_time(end, iso);
	appendStringInfoString(buf, iso);
	appendStringInfoChar(buf, '"');
}

/*
 * {"type":"or","predicates":[{"dimension":D,"value":V}, ...]}: one filter
 * per column, its values OR'ed; predicate values are strings, escaped as
 * JSON.
 */
void
gca_details_append_filter(StringInfo buf, const GcaPushedValues *f)
{
	ListCell   *lc;

	appendStringInfoString(buf, "{\"type\":\"or\",\"predicates\":[");
	foreach(lc, f->values)
	{
		if (lc != list_head(f->values))
			appendStringInfoChar(buf, ',');
		appendStringInfo(buf, "{\"type\":\"dimension\",\"dimension\":\"%s\",\"operator\":\"matches\",\"value\":",
						 f->def->api_name);
		escape_json(buf, (const char *) lfirst(lc));
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoString(buf, "]}");
}

/*
 * Opens a details body for [start, end): the interval, oldest first, and
 * (page_number > 0) the page; a details job (page_number 0) takes no
 * paging, its results come by cursor, and matches by start of day.  The caller appends filters and the
 * closing brace.
 */
void
gca_details_body_open(StringInfo buf, TimestampTz start, TimestampTz end,
					  int page_size, int page_number)
{
	appendStringInfoChar(buf, '{');
	gca_details_append_interval(buf, start, end);
	appendStringInfoString(buf, ",\"order\":\"asc\",\"orderBy\":\"conversationStart\"");
	if (page_number > 0)
		appendStringInfo(buf, ",\"paging\":{\"pageSize\":%d,\"pageNumber\":%d}",
						 page_size, page_number);
	else

		/*
		 * A job matches every conversation active in its interval unless
		 * told to keep only those started from 00:00 UTC of its first day:
		 * jobs that meet at a midnight then share no conversation, and no
		 * results page carries records another window owns.
		 */
		appendStringInfoString(buf, ",\"startOfDayIntervalMatching\":true");
}

/*
 * ,"conversationFilters":[...]: an exists predicate for each column of
 * exists (GcaColumnDef *), then each filter of filters (GcaPushedValues)
 * whose column's push_group is group; nothing when there are none.
 */
void
gca_details_append_conversation_filters(StringInfo buf, List *exists,
										List *filters, int group)
{
	bool		first = true;
	ListCell   *lc;

	foreach(lc, exists)
	{
		const GcaColumnDef *def = lfirst(lc);

		appendStringInfoString(buf, first ? ",\"conversationFilters\":[" : ",");
		first = false;
		appendStringInfo(buf, "{\"type\":\"and\",\"predicates\":[{\"type\":\"dimension\",\"dimension\":\"%s\",\"operator\":\"exists\"}]}",
						 def->api_name);
	}
	foreach(lc, filters)
	{
		const GcaPushedValues *f = lfirst(lc);

		if (f->def->push_group != group)
			continue;
		appendStringInfoString(buf, first ? ",\"conversationFilters\":[" : ",");
		first = false;
		gca_details_append_filter(buf, f);
	}
	if (!first)
		appendStringInfoChar(buf, ']');
}

/* ------------------------------------------------------------------
 * Data availability
 * ------------------------------------------------------------------
 */

/*
 * Fills req with GET .../details/jobs/availability, read before anything
 * else (the caller sets its kind): details jobs hold data up to the
 * dataAvailabilityDate it answers.
 */
void
gca_details_availability_request(GcaRequest *req)
{
	req->method = "GET";
	req->path = pstrdup(GCA_DETAILS_JOBS_PATH "/availability");
	req->order = PG_INT64_MIN;
}

/*
 * The dataAvailabilityDate of an answer of GET .../jobs/availability (doc
 * may be NULL: no parsable answer); raises when there is none.
 */
TimestampTz
gca_details_availability_date(GcaJson *doc)
{
	TimestampTz available;

	if (doc == NULL || !gca_json_get_time(doc, "dataAvailabilityDate", &available))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("genesys response to GET %s/availability has no dataAvailabilityDate",
						GCA_DETAILS_JOBS_PATH)));
	return available;
}

/*
 * gca_conversations_data_availability: the dataAvailabilityDate through
 * client, outside a scan: details jobs hold conversations up to it, later
 * ones come without participant attributes.  Raises as a scan would when
 * the request fails or the answer has no date.
 */
TimestampTz
gca_conversations_data_availability(GcaClient *client)
{
	GcaCall		call;
	GcaBufferSink buf;
	GcaJson    *doc;
	TimestampTz available;

	if (gca_client_availability(client, &available))
		return available;
	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.path = GCA_DETAILS_JOBS_PATH "/availability";
	gca_buffer_sink_init(&call.sink, &buf, 64 * 1024);
	gca_call_perform(client, &call);
	doc = buf.data ? gca_json_parse(buf.data, buf.len) : NULL;
	available = gca_details_availability_date(doc);
	gca_json_free(doc);
	gca_client_remember_availability(client, available);
	return available;
}
