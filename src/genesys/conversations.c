/*-------------------------------------------------------------------------
 *
 * conversations.c
 *		The Genesys resources "conversations" and "segments": conversation
 *		detail records, read by time range or by id.
 *
 * Three routes, chosen per run:
 *	- by id: GET /api/v2/analytics/conversations/details?id=a,b,... in
 *	  batches of 100, when the query gives conversation ids;
 *	- query: POST .../details/query, the details query protocol of
 *	  details.c (day windows, halved at the result cap, short reads);
 *	- job: POST .../details/jobs, poll its status, then read its results
 *	  by cursor; the only route that returns participant attributes (the
 *	  details query's records come without them), and only up to the
 *	  API's dataAvailabilityDate: later windows go by the details query.
 * Windows partition the requested conversation_start range, and a
 * conversation is returned by the window its start falls in, once (the
 * API's totalHits is approximate and pages shift while data arrives:
 * duplicates are dropped by id within the window).  Both tables read the
 * same records: one row per conversation, or one per segment.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/conversations.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "utils/timestamp.h"

#include "conversations.h"
#include "details.h"
#include "isotime.h"
#include "url.h"

#define DETAILS_QUERY_PATH GCA_DETAILS_QUERY_PATH
#define DETAILS_JOBS_PATH GCA_DETAILS_JOBS_PATH
#define DETAILS_BY_ID_PATH GCA_DETAILS_BY_ID_PATH
#define QUERY_PAGE_MAX GCA_DETAILS_PAGE_MAX
#define JOB_PAGE_MAX 1000
#define IDS_PER_REQUEST 100		/* ids of one GET .../details?id= */
#define JOB_POLLS_ESTIMATE 3	/* status polls of a job, none seen yet */
#define JOB_WAIT_ESTIMATE_S 1.0	/* time a job takes to be ready, for auto */
/*
 * The backend's own time a conversation (parsing its record, handing out
 * its row): about 20,000 a second on one core, measured by make bench.
 * No concurrency shortens it, so no read is planned faster than it.
 */
#define PARSE_S_PER_CONVERSATION 40e-6
#define POLL_FIRST_MS 50		/* then doubled up to POLL_MAX_MS */
#define MIN_JOB_WINDOW_USECS (30 * 60 * USECS_PER_SEC)
/*
 * The longest interval and the most results planned for one details job.
 * The API's limits are not published: 31 days stays inside every limit
 * reported for the analytics APIs, and "pagination may not exceed 400000
 * results" is reported for job results.
 */
#define JOB_DAYS_MAX 31
#define JOB_RESULTS_MAX 400000.0
/* the fewest results pages (by the estimate) a job is added for */
#define JOB_MIN_PAGES 15
/* the same where the rate budget does not bind (job_count()) */
#define JOB_MIN_PAGES_UNBOUND 2
#define POLL_MAX_MS 2000
#define CONVERSATIONS_PER_DAY_ESTIMATE 5000.0
/*
 * A conversation's mean duration, from its start to its end (the
 * conversations in progress at a cut between two jobs are the rate times
 * it): about 12 minutes in gcsim's world (voice, chat, email and
 * messaging mixed), of the order reported for contact centres
 */
#define CONVERSATION_SECONDS_ESTIMATE 600.0
#define SEGMENTS_PER_CONVERSATION 12.0

/* GcaColumnDef.push_group: which filter list a predicate goes in */
#define GROUP_CONVERSATION 1
#define GROUP_SEGMENT 2			/* only one segment predicate is sent */

/* ------------------------------------------------------------------
 * Columns
 * ------------------------------------------------------------------
 */

static const GcaColumnDef conversation_columns[] = {
	{"conversation_id", "text", CC_CONVERSATION_ID, GCA_PUSH_ID, "conversationId", 0, 0,
	"conversation id"},
	{"conversation_start", "timestamptz", CC_CONVERSATION_START, GCA_PUSH_TIME, "conversationStart", 0, 0,
	"start of the conversation; ranges become the request interval"},
	{"conversation_end", "timestamptz", CC_CONVERSATION_END, GCA_PUSH_EXISTS, "conversationEnd", GROUP_CONVERSATION, 0,
	"end of the conversation; NULL while it is in progress"},
	{"duration_ms", "bigint", CC_DURATION_MS, GCA_PUSH_NONE, NULL, 0, 0,
	"conversation_end - conversation_start in milliseconds"},
	{"originating_direction", "text", CC_ORIGINATING_DIRECTION, GCA_PUSH_FILTER, "originatingDirection", GROUP_CONVERSATION, 0,
	"inbound or outbound"},
	{"media_type", "text", CC_MEDIA_TYPE, GCA_PUSH_FILTER, "mediaType", GROUP_SEGMENT, 6,
	"media type of the customer's session (voice, chat, email, message, callback)"},
	{"division_ids", "text[]", CC_DIVISION_IDS, GCA_PUSH_ARRAY_FILTER, "divisionId", GROUP_CONVERSATION, 0,
	"divisions the conversation belongs to"},
	{"ani", "text", CC_ANI, GCA_PUSH_FILTER, "ani", GROUP_SEGMENT, 4,
	"calling number (ANI) of the customer's session"},
	{"dnis", "text", CC_DNIS, GCA_PUSH_FILTER, "dnis", GROUP_SEGMENT, 5,
	"dialed number (DNIS) of the customer's session"},
	{"external_contact_id", "text", CC_EXTERNAL_CONTACT_ID, GCA_PUSH_NONE, NULL, 0, 0,
	"external contact of the customer participant"},
	{"queue_id", "text", CC_QUEUE_ID, GCA_PUSH_FILTER, "queueId", GROUP_SEGMENT, 1,
	"first queue the conversation entered"},
	{"queue_ids", "text[]", CC_QUEUE_IDS, GCA_PUSH_NONE, NULL, 0, 0,
	"every queue, in order of entry"},
	{"agent_id", "text", CC_AGENT_ID, GCA_PUSH_FILTER, "userId", GROUP_SEGMENT, 2,
	"the agent with the longest talk time"},
	{"agent_ids", "text[]", CC_AGENT_IDS, GCA_PUSH_NONE, NULL, 0, 0,
	"every agent, in order of first segment"},
	{"wrapup_code", "text", CC_WRAPUP_CODE, GCA_PUSH_FILTER, "wrapUpCode", GROUP_SEGMENT, 3,
	"wrap-up code id of the last agent segment that has one"},
	{"talk_ms", "bigint", CC_TALK_MS, GCA_PUSH_NONE, "tTalk", 0, 0,
	"sum of tTalk over the sessions (ms)"},
	{"held_ms", "bigint", CC_HELD_MS, GCA_PUSH_NONE, "tHeld", 0, 0,
	"sum of tHeld (ms)"},
	{"acw_ms", "bigint", CC_ACW_MS, GCA_PUSH_NONE, "tAcw", 0, 0,
	"sum of tAcw, after-call work (ms)"},
	{"handle_ms", "bigint", CC_HANDLE_MS, GCA_PUSH_NONE, "tHandle", 0, 0,
	"sum of tHandle (ms)"},
	{"acd_ms", "bigint", CC_ACD_MS, GCA_PUSH_NONE, "tAcd", 0, 0,
	"sum of tAcd, time waiting in queue (ms)"},
	{"ivr_ms", "bigint", CC_IVR_MS, GCA_PUSH_NONE, "tIvr", 0, 0,
	"sum of tIvr (ms)"},
	{"alert_ms", "bigint", CC_ALERT_MS, GCA_PUSH_NONE, "tAlert", 0, 0,
	"sum of tAlert (ms)"},
	{"abandoned", "boolean", CC_ABANDONED, GCA_PUSH_NONE, "tAbandon", 0, 0,
	"a session has tAbandon"},
	{"transferred", "boolean", CC_TRANSFERRED, GCA_PUSH_NONE, "nTransferred", 0, 0,
	"transfers > 0"},
	{"transfers", "integer", CC_TRANSFERS, GCA_PUSH_NONE, "nTransferred", 0, 0,
	"sum of nTransferred"},
	{"n_evaluations", "integer", CC_N_EVALUATIONS, GCA_PUSH_NONE, "evaluations", 0, 0,
	"quality evaluations of the conversation"},
	{"surveys", "jsonb", CC_SURVEYS, GCA_PUSH_NONE, "surveys", 0, 0,
	"the surveys (AnalyticsSurvey) as the API returns them; NULL without one"},
	{"attributes", "jsonb", CC_ATTRIBUTES, GCA_PUSH_NONE, "attributes", 0, 0,
	"participant attributes merged (details jobs only)"},
	{"participants", "jsonb", CC_PARTICIPANTS, GCA_PUSH_NONE, "participants", 0, 0,
	"the participants as the API returns them"},
	{"raw", "jsonb", CC_RAW, GCA_PUSH_NONE, NULL, 0, 0,
	"the whole conversation detail record"},
	{NULL}
};

static const GcaColumnDef segment_columns[] = {
	{"conversation_id", "text", CC_CONVERSATION_ID, GCA_PUSH_ID, "conversationId", 0, 0,
	"conversation id"},
	{"conversation_start", "timestamptz", CC_CONVERSATION_START, GCA_PUSH_TIME, "conversationStart", 0, 0,
	"start of the conversation; ranges become the request interval"},
	{"participant_id", "text", CS_PARTICIPANT_ID, GCA_PUSH_NONE, "participantId", 0, 0,
	"participant of the segment"},
	{"purpose", "text", CS_PURPOSE, GCA_PUSH_FILTER, "purpose", GROUP_SEGMENT, 7,
	"the participant's purpose (customer, ivr, acd, agent, ...)"},
	{"user_id", "text", CS_USER_ID, GCA_PUSH_FILTER, "userId", GROUP_SEGMENT, 2,
	"the participant's user (agents)"},
	{"session_id", "text", CS_SESSION_ID, GCA_PUSH_NONE, "sessionId", 0, 0,
	"session of the segment"},
	{"media_type", "text", CS_MEDIA_TYPE, GCA_PUSH_FILTER, "mediaType", GROUP_SEGMENT, 6,
	"media type of the session"},
	{"direction", "text", CS_DIRECTION, GCA_PUSH_FILTER, "direction", GROUP_SEGMENT, 8,
	"direction of the session"},
	{"segment_type", "text", CS_SEGMENT_TYPE, GCA_PUSH_FILTER, "segmentType", GROUP_SEGMENT, 6,
	"interact, hold, wrapup, alert, ivr, system, ..."},
	{"segment_start", "timestamptz", CS_SEGMENT_START, GCA_PUSH_NONE, "segmentStart", 0, 0,
	"start of the segment"},
	{"segment_end", "timestamptz", CS_SEGMENT_END, GCA_PUSH_NONE, "segmentEnd", 0, 0,
	"end of the segment; NULL while it is open"},
	{"duration_ms", "bigint", CS_DURATION_MS, GCA_PUSH_NONE, NULL, 0, 0,
	"segment_end - segment_start in milliseconds"},
	{"queue_id", "text", CS_QUEUE_ID, GCA_PUSH_FILTER, "queueId", GROUP_SEGMENT, 1,
	"queue of the segment"},
	{"wrapup_code", "text", CS_WRAPUP_CODE, GCA_PUSH_FILTER, "wrapUpCode", GROUP_SEGMENT, 3,
	"wrap-up code id of the segment"},
	{"disconnect_type", "text", CS_DISCONNECT_TYPE, GCA_PUSH_FILTER, "disconnectType", GROUP_SEGMENT, 5,
	"how the segment ended (client, peer, transfer, ...)"},
	{"conference", "boolean", CS_CONFERENCE, GCA_PUSH_NONE, "conference", 0, 0,
	"the segment is part of a conference"},
	{NULL}
};

/* ------------------------------------------------------------------
 * A run's state
 * ------------------------------------------------------------------
 */

/* What differs between the two resources. */
typedef struct ConvResource
{
	bool		segments;		/* one row per segment */
} ConvResource;

typedef enum Route
{
	ROUTE_QUERY,
	ROUTE_JOB,
	ROUTE_BY_ID
} Route;

/* What a response is, in GcaRequest.kind. */
typedef enum RequestKind
{
	REQ_QUERY_PAGE,
	REQ_BY_ID,
	REQ_JOB_CREATE,
	REQ_JOB_STATUS,
	REQ_JOB_RESULTS,
	REQ_AVAILABILITY
} RequestKind;

/* The job route's reading of GET .../jobs/availability. */
typedef enum Availability
{
	AVAIL_UNNEEDED,				/* no window is read by jobs */
	AVAIL_NEEDED,
	AVAIL_ASKED,
	AVAIL_FROM_RESULTS,			/* taken from the first results page read */
	AVAIL_KNOWN
} Availability;

typedef enum JobState
{
	JOB_NONE,					/* not created */
	JOB_RUNNING,				/* created, polling */
	JOB_READY					/* results can be read */
} JobState;

/* A slice [start, end) of the conversation_start range. */
typedef struct Window
{
	GcaDetailsWindow d;			/* first: the details query's part (the
								 * job route keeps its short reads there
								 * too) */
	Route		route;			/* ROUTE_QUERY or ROUTE_JOB */
	/* job route */
	JobState	job_state;
	char	   *job_id;
	bool		busy;			/* a request of this window is in flight */
	int			seq;			/* its requests, in reading order */
	int			poll_delay_ms;
	TimestampTz created_at;		/* its creation's answer arrived */
	double		not_ready_ms;	/* since then, to the last answer that said
								 * it was not ready yet (0: none) */
	double		ready_ms;		/* its time to be ready, not yet remembered */
	TimestampTz results_available;	/* dataAvailabilityDate of its first
									 * results page, 0 if none */
	int			job_page;		/* results pages read */
	char	   *cursor;			/* next results cursor */
	bool		all_requested;	/* the last results page is requested */
	int			ahead;			/* results pages requested, not yet read */
	char	   *reread_path;	/* a results page that came back short */
	int			reread_number;
	/* duplicate filter: ids seen in the window (windows are read at once) */
	MemoryContext seen_cxt;
	HTAB	   *seen;
} Window;

typedef struct ConvScan
{
	bool		segments;		/* one row per segment */
	Route		route;			/* by id, or the route of ranged windows */
	char	   *route_why;		/* how auto chose it, for EXPLAIN */
	GcaDetailsQuery q;			/* windows: Window, by start */
	int			job_page_size;
	double		est_conversations;	/* the estimate the plan used */
	char	   *est_requests;	/* the requests the plan expects, for
								 * EXPLAIN */
	int			nbatches;		/* by id */
	int			next_batch;
	Availability availability;	/* dataAvailabilityDate of job results */
	bool		late_availability;	/* jobs are created before the date is
									 * known (AVAIL_FROM_RESULTS) */
	bool		ask_availability;	/* a job read would ask for it: not
									 * known up to the range's end */

	/* the page being read */
	GcaJson    *page;
	GcaJson    *convs;			/* its conversations array, or NULL */
	Window	   *page_window;	/* NULL for by-id pages */
	int			conv_count;
	int			conv_index;
	int			seg_index;
	int			seg_count;		/* -1: conversation not looked at yet */
	bool		conv_accepted;

	/* duplicate filters live here: per window, and the by-id route's */
	MemoryContext window_cxt;
	HTAB	   *seen;
} ConvScan;

/* ------------------------------------------------------------------
 * Request bodies
 * ------------------------------------------------------------------
 */

/* "interval":"start/end" */
/* {"type":"or","predicates":[{"dimension":D,"value":V}, ...]} */
/*
 * The one segment predicate sent: the API may require one segment to
 * match every segment predicate, while our columns come from different
 * segments.  The lowest priority wins, then the fewest values.
 */
static const GcaPushedValues *
segment_filter(const GcaPushed *pushed)
{
	const GcaPushedValues *best = NULL;
	ListCell   *lc;

	foreach(lc, pushed->filters)
	{
		const GcaPushedValues *f = lfirst(lc);

		if (f->def->push_group != GROUP_SEGMENT)
			continue;
		if (best == NULL || f->def->push_priority < best->def->push_priority ||
			(f->def->push_priority == best->def->push_priority &&
			 list_length(f->values) < list_length(best->values)))
			best = f;
	}
	return best;
}

/*
 * The JSON body of a details query (page_number > 0) or a details job
 * (page_number == 0) for [start, end); palloc'd.  Remote text is escaped
 * as JSON.  Conversation filters each match the whole conversation;
 * segment filters are sent one at most (segment_filter).
 */
static char *
details_body(const GcaPushed *pushed, TimestampTz start, TimestampTz end,
			 int page_size, int page_number)
{
	StringInfoData buf;
	const GcaPushedValues *seg = segment_filter(pushed);

	initStringInfo(&buf);
	gca_details_body_open(&buf, start, end, page_size, page_number);
	gca_details_append_conversation_filters(&buf, pushed->exists, pushed->filters,
											GROUP_CONVERSATION);
	if (seg)
	{
		appendStringInfoString(&buf, ",\"segmentFilters\":[");
		gca_details_append_filter(&buf, seg);
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * GET .../details?id=a,b,... for batch number batch of the pushed ids
 * (IDS_PER_REQUEST a request): the same records as the details query
 * (without participant attributes), found by id whatever their start.
 */
static char *
by_id_path(const GcaPushed *pushed, int batch)
{
	StringInfoData buf;
	int			first = batch * IDS_PER_REQUEST;
	int			n = list_length(pushed->ids);

	initStringInfo(&buf);
	appendStringInfoString(&buf, DETAILS_BY_ID_PATH "?id=");
	for (int i = first; i < Min(n, first + IDS_PER_REQUEST); i++)
	{
		if (i > first)
			appendStringInfoString(&buf, "%2C");
		gca_append_url_escaped(&buf, list_nth(pushed->ids, i));
	}
	return buf.data;
}

/* .../details/jobs/{jobId}<suffix>: the job of window w. */
static char *
job_path(Window *w, const char *suffix)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, DETAILS_JOBS_PATH "/");
	gca_append_url_escaped(&buf, w->job_id);
	appendStringInfoString(&buf, suffix);
	return buf.data;
}

/* ------------------------------------------------------------------
 * Planning a run: route and windows
 * ------------------------------------------------------------------
 */

static void
estimate(const GcaEstimateInput *in, double per_conversation,
		 double *rows, double *requests)
{
	double		conversations;

	if (in->ids >= 0)
	{
		conversations = in->ids;
		*requests = ceil(in->ids / IDS_PER_REQUEST);
	}
	else
	{
		/* use_remote_estimate: the aggregates query counts them */
		double		per_range = in->client && in->have_range
			? gca_remote_conversation_count(in->client, in->lower, in->upper)
			: in->days * CONVERSATIONS_PER_DAY_ESTIMATE;

		conversations = Max(per_range * pow(0.2, in->filters), 1);
		*requests = ceil(conversations / QUERY_PAGE_MAX) + ceil(in->days);
	}
	*rows = conversations * per_conversation;
}

static void
conversations_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	estimate(in, 1.0, rows, requests);
}

static void
segments_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	estimate(in, SEGMENTS_PER_CONVERSATION, rows, requests);
}

/* The option extraction of the table or server: query, job or auto. */
static const char *
extraction(GcaResourceScan *rs)
{
	return gca_option_value(rs->options, "extraction", "auto");
}

static bool
uses_attributes(GcaResourceScan *rs)
{
	for (int i = 0; i < rs->ncolumns; i++)
		if (rs->columns[i].used &&
			(rs->columns[i].attribute ||
			 (rs->columns[i].def && rs->columns[i].def->id == CC_ATTRIBUTES)))
			return true;
	return false;
}

/* Splits [lower, upper) at UTC midnights into windows. */
/*
 * The time a read of n requests takes at the budget's rate or, when
 * latency binds, at max_concurrency requests per round trip, or when the
 * backend binds, its time to parse the conversations (seconds).
 */
static double
read_seconds(GcaResourceScan *rs, double requests, double conversations)
{
	double		by_rate = requests * 60.0 / Max(rs->requests_per_minute, 1);
	double		by_latency = requests * rs->latency_ms / 1000.0 / Max(rs->max_concurrency, 1);

	return Max(Max(by_rate, by_latency), conversations * PARSE_S_PER_CONVERSATION);
}

static double job_requests(GcaResourceScan *rs, double conversations, int njobs);

/*
 * The status polls a details job takes to be seen ready: by the time the
 * server's jobs took to be ready as its sessions saw it (the rate budget's
 * slot keeps it), polled as next_job_request() polls (the first at once
 * after the creation's answer, a round trip each, then POLL_FIRST_MS
 * doubled up to POLL_MAX_MS between them); JOB_POLLS_ESTIMATE while no
 * job was seen.
 */
static int
job_polls(GcaResourceScan *rs)
{
	double		elapsed = 0;
	int			delay = 0;
	int			polls = 0;

	if (rs->known_job_ready_ms <= 0)
		return JOB_POLLS_ESTIMATE;
	do
	{
		elapsed += delay + Max(rs->latency_ms, 1);
		delay = delay == 0 ? POLL_FIRST_MS : Min(delay * 2, POLL_MAX_MS);
		polls++;
	} while (elapsed < rs->known_job_ready_ms && polls < 1000);
	return polls;
}

/*
 * The time a read of about conversations by njobs details jobs takes
 * (seconds): its requests at the budget's rate, or, when that is shorter,
 * the longest job's chain of round trips (a creation, its polls, then one
 * results page per round trip, by cursor), jobs running max_concurrency
 * at a time, or the backend's parsing when that is longer still (a chain
 * sends its next request before its page is parsed, so more jobs than
 * keep the parser busy only hold more pages in memory); and the wait for
 * the jobs to be ready.
 */
static double
job_seconds(GcaResourceScan *rs, double conversations, int njobs)
{
	int			slots = Max(rs->max_concurrency, 1);
	double		rounds = ceil((double) njobs / slots);
	double		chain = (2 + job_polls(rs) +
						 Max(1, ceil(conversations / njobs / JOB_PAGE_MAX))) * rounds;
	double		by_rate = job_requests(rs, conversations, njobs) * 60.0 /
		Max(rs->requests_per_minute, 1);

	return Max(Max(by_rate, chain * rs->latency_ms / 1000.0),
			   conversations * PARSE_S_PER_CONVERSATION) + JOB_WAIT_ESTIMATE_S * rounds;
}

/*
 * How many details jobs read a range of ndays days (whole or not) of about
 * conversations: at least as many as the API's limits ask for, and more
 * (up to max_concurrency) only while each one more is expected to finish
 * sooner, by at least the time of a request at the budget's rate: every
 * job costs a creation and its polls, and its last results page is a
 * partial one, so a job is added only where one job's chain of round trips
 * (a results page per round trip) would leave the budget idle; and only
 * while each job still reads JOB_MIN_PAGES results pages, so that the
 * added jobs' creations, polls and partial last pages stay within a tenth
 * of the requests.
 *
 * Where the budget does not bind (the requests of max_concurrency jobs
 * take less than a tenth of the backend's parsing at its rate), requests
 * cost nothing and a job's chain of results pages, one by cursor after
 * the other, is what the read waits on (the server prepares each page of
 * 1,000 records before it answers): max_concurrency jobs, each of
 * JOB_MIN_PAGES_UNBOUND pages at least, so that the chains are read side
 * by side.
 */
static int
job_count(GcaResourceScan *rs, double ndays, double conversations)
{
	int			n = (int) Max(1, ceil(ndays / JOB_DAYS_MAX));
	int			most = (int) Min(Max(rs->max_concurrency, 1), ndays * 48);
	double		request_s = 60.0 / Max(rs->requests_per_minute, 1);
	double		best;

	if (conversations > 0)
		n = (int) Max(n, ceil(conversations / JOB_RESULTS_MAX));
	if (n < most &&
		job_requests(rs, conversations, most) * request_s <
		0.1 * conversations * PARSE_S_PER_CONVERSATION)
		return (int) Max(n, Min(most, floor(conversations /
											(JOB_MIN_PAGES_UNBOUND * JOB_PAGE_MAX))));
	best = job_seconds(rs, conversations, n);
	while (n < Max(rs->max_concurrency, 1) && n < ndays * 48 &&
		   conversations / (n + 1) >= JOB_MIN_PAGES * JOB_PAGE_MAX)
	{
		double		next = job_seconds(rs, conversations, n + 1);

		if (next > best - request_s)
			break;
		best = next;
		n++;
	}
	return n;
}

/*
 * The start of job i (from 0) of njobs over [lower, upper), as
 * subdivide_windows() cuts the range: equal lengths, at whole minutes.
 */
static TimestampTz
job_cut(TimestampTz lower, TimestampTz upper, int njobs, int i)
{
	TimestampTz start = lower + (upper - lower) / njobs * i;

	return i == 0 ? lower : start - start % (60 * USECS_PER_SEC);
}

/*
 * The results pages of a read of about conversations by njobs details
 * jobs over the pushed range: each job's share (a partial last page
 * each), and, for a job that starts at a cut inside a day, the
 * conversations in progress at the cut too (its interval matches them,
 * and startOfDayIntervalMatching drops only those started before its
 * first midnight: subdivide_windows()): the rate of starts times a
 * conversation's mean duration.
 */
static double
job_pages(GcaResourceScan *rs, double conversations, int njobs)
{
	ConvScan   *st = rs->state;
	TimestampTz lower = rs->pushed.lower;
	TimestampTz upper = rs->pushed.upper;
	double		share = conversations / njobs;
	double		in_progress = 0;
	double		pages = 0;

	if (upper > lower)
		in_progress = Min(share, conversations * CONVERSATION_SECONDS_ESTIMATE *
						  USECS_PER_SEC / (double) (upper - lower));
	for (int i = 0; i < njobs; i++)
	{
		bool		inside_day = i > 0 &&
			job_cut(lower, upper, njobs, i) % USECS_PER_DAY != 0;

		pages += Max(1, ceil((share + (inside_day ? in_progress : 0)) /
							 st->job_page_size));
	}
	return pages;
}

/*
 * The requests a read of about conversations by njobs details jobs sends:
 * the availability date unless it is known up to the range's end, a
 * creation and a few polls per job, then the jobs' results pages
 * (job_pages()).
 */
static double
job_requests(GcaResourceScan *rs, double conversations, int njobs)
{
	return (((ConvScan *) rs->state)->ask_availability ? 1 : 0) +
		njobs * (1 + job_polls(rs)) + job_pages(rs, conversations, njobs);
}

/*
 * The estimate of a ranged read: conversations, and the requests of the
 * details query; client (use_remote_estimate) counts them remotely.
 */
static void
range_estimate(GcaResourceScan *rs, GcaClient *client, double *conversations,
			   double *query_requests)
{
	GcaEstimateInput in;

	memset(&in, 0, sizeof(in));
	in.have_time = true;
	in.days = (double) (rs->pushed.upper - rs->pushed.lower) / USECS_PER_DAY;
	in.ids = -1;
	in.filters = list_length(rs->pushed.filters);
	if (client && rs->pushed.have_lower && rs->pushed.have_upper)
	{
		in.client = client;
		in.have_range = true;
		in.lower = rs->pushed.lower;
		in.upper = rs->pushed.upper;
	}
	estimate(&in, 1.0, conversations, query_requests);
}

/*
 * extraction 'auto': the details query or jobs, whichever the estimate
 * says is done sooner under the server's rate budget and the observed
 * latency (a job costs a creation, a few polls and a wait, then 1,000
 * conversations a page instead of 100); jobs always when participant
 * attributes are read, since only job results carry them.
 */
static Route
choose_route(GcaResourceScan *rs, ConvScan *st)
{
	double		query_requests,
				conversations,
				jobs_requests,
				query_s,
				job_s,
				days;
	int			njobs;
	bool		counted;
	char	   *volume;

	/* an explicit route costs no remote count */
	counted = rs->estimate_client != NULL && strcmp(extraction(rs), "auto") == 0 &&
		!uses_attributes(rs);
	range_estimate(rs, counted ? rs->estimate_client : NULL, &conversations,
				   &query_requests);
	st->est_conversations = conversations;
	if (strcmp(extraction(rs), "job") == 0)
		return ROUTE_JOB;
	if (strcmp(extraction(rs), "query") == 0)
		return ROUTE_QUERY;
	if (uses_attributes(rs))
	{
		st->route_why = pstrdup("auto: participant attributes come only with jobs");
		return ROUTE_JOB;
	}
	volume = counted
		? psprintf("%.0f conversations (the aggregates count)", conversations)
		: psprintf("%.0f conversations (%.0f a day assumed)", conversations,
				   CONVERSATIONS_PER_DAY_ESTIMATE);
	days = (double) (rs->pushed.upper - rs->pushed.lower) / USECS_PER_DAY;
	njobs = job_count(rs, days, conversations);
	jobs_requests = job_requests(rs, conversations, njobs);
	query_s = read_seconds(rs, query_requests, conversations);
	/* polls wait for the job, jobs run max_concurrency at a time */
	job_s = job_seconds(rs, conversations, njobs);
	st->route_why = psprintf("auto: about %.0f requests (%.1f s) against %.0f by the details query (%.1f s) for %s at %d requests/min and %.0f ms a request",
							 jobs_requests, job_s, query_requests, query_s, volume,
							 rs->requests_per_minute, rs->latency_ms);
	if (job_s < query_s)
		return ROUTE_JOB;
	st->route_why = psprintf("auto: about %.0f requests (%.1f s) against %.0f by details jobs (%.1f s) for %s at %d requests/min and %.0f ms a request",
							 query_requests, query_s, jobs_requests, job_s, volume,
							 rs->requests_per_minute, rs->latency_ms);
	return ROUTE_QUERY;
}

/*
 * The windows of n details jobs over q's day windows: the range cut into n
 * windows of equal length (at whole minutes, none shorter than
 * MIN_JOB_WINDOW_USECS), so that each job holds about as many results
 * pages.  A job's results are read by cursor, one page after the other:
 * jobs of uneven length leave the longest one's chain alone at the end,
 * a page per round trip, while the budget could grant more (7 days as 3 +
 * 4 whole days: 30 and 40 pages).  A job's interval matches every
 * conversation active in it and startOfDayIntervalMatching drops those
 * started before its first UTC midnight, so two jobs that meet inside a
 * day both return the conversations in progress at the cut: the window
 * that owns a conversation's start keeps it (item_outside_window), and the
 * later job pays for the others (a few records, in its last page).  Jobs
 * that meet at a midnight (a whole number of days each) share none.
 */
static void
subdivide_windows(GcaDetailsQuery *q, int n)
{
	TimestampTz lower,
				upper;

	if (q->windows == NIL)
		return;
	lower = ((GcaDetailsWindow *) linitial(q->windows))->start;
	upper = ((GcaDetailsWindow *) llast(q->windows))->end;
	n = (int) Max(1, Min(n, (upper - lower) / MIN_JOB_WINDOW_USECS));
	list_free_deep(q->windows);
	q->windows = NIL;
	for (int i = 0; i < n; i++)
	{
		TimestampTz end = i == n - 1 ? upper : job_cut(lower, upper, n, i + 1);

		q->windows = lappend(q->windows,
							 gca_details_new_window(q, job_cut(lower, upper, n, i), end));
	}
}

/*
 * What the plan of st expects to send, for EXPLAIN: a job route's
 * availability date, creations, polls and results pages, or the details
 * query's pages (each window's page past the last shows its end).
 */
static char *
planned_requests(GcaResourceScan *rs, ConvScan *st)
{
	int			nwindows = list_length(st->q.windows);
	double		conversations = st->est_conversations;
	double		pages;

	if (nwindows == 0)
		return NULL;
	if (st->route == ROUTE_JOB)
	{
		double		requests = job_requests(rs, conversations, nwindows);
		int			polls = nwindows * job_polls(rs);

		pages = requests - (st->ask_availability ? 1 : 0) - nwindows - polls;

		return psprintf("about %.0f for %.0f conversations: %s, %d job creation%s, about %d status poll%s, %.0f results pages of %d",
						requests, conversations,
						st->ask_availability ? "1 availability date"
						: st->late_availability
						? "no availability date (the results pages carry it)"
						: "no availability date (known up to the range's end)",
						nwindows, nwindows == 1 ? "" : "s",
						polls, polls == 1 ? "" : "s", pages, st->job_page_size);
	}
	pages = ceil(conversations / st->q.page_size);
	return psprintf("about %.0f for %.0f conversations: %.0f page%s of %d and %d past the last",
					pages + nwindows, conversations, pages, pages == 1 ? "" : "s",
					st->q.page_size, nwindows);
}

static void apply_availability(GcaResourceScan *rs, ConvScan *st,
							   TimestampTz available);
static void apply_late_availability(GcaResourceScan *rs, ConvScan *st,
									TimestampTz available);

static void
conversations_plan(GcaResourceScan *rs)
{
	ConvScan   *st = palloc0(sizeof(ConvScan));
	GcaPushed  *pushed = &rs->pushed;
	TimestampTz available = 0;
	bool		known;
	ListCell   *lc;

	rs->state = st;
	st->segments = ((const ConvResource *) rs->resource->data)->segments;
	st->window_cxt = AllocSetContextCreate(CurrentMemoryContext,
										   "gcanalytics conversation window",
										   ALLOCSET_DEFAULT_SIZES);
	gca_details_init(&st->q, sizeof(Window),
					 rs->page_size > 0 ? Min(rs->page_size, QUERY_PAGE_MAX) : QUERY_PAGE_MAX);
	st->job_page_size = rs->page_size > 0 ? Min(rs->page_size, JOB_PAGE_MAX) : JOB_PAGE_MAX;
	if (pushed->by_id && (strcmp(extraction(rs), "job") != 0 || !pushed->have_lower))
	{
		st->route = ROUTE_BY_ID;
		st->nbatches = (list_length(pushed->ids) + IDS_PER_REQUEST - 1) / IDS_PER_REQUEST;
		rs->windows_total = st->nbatches;
		return;
	}
	if (!pushed->empty && pushed->have_lower)
		gca_details_day_windows(&st->q, pushed->lower, pushed->upper);
	/*
	 * Job results hold data up to dataAvailabilityDate only: a job read
	 * asks for it, unless this statement asked already or a date at or
	 * after the range's end was seen by any session of the server (EXPLAIN
	 * has no client: what the sessions saw)
	 */
	if (rs->client)
		known = gca_client_availability_covers(rs->client, pushed->upper, &available);
	else
	{
		available = rs->known_available;
		known = available != 0 && available >= pushed->upper;
	}
	/*
	 * A range that ended a day or more ago, on a server no session has
	 * seen a date of, takes the date from its first results page instead
	 * (the API's data are minutes to hours behind): no request for it
	 */
	st->late_availability = !known && available == 0 &&
		pushed->upper <= GetCurrentTimestamp() - USECS_PER_DAY;
	st->ask_availability = !known && !st->late_availability;
	st->route = pushed->have_lower ? choose_route(rs, st) : ROUTE_QUERY;
	if (st->route == ROUTE_JOB && st->q.windows != NIL)
		subdivide_windows(&st->q,
						  job_count(rs, list_length(st->q.windows), st->est_conversations));
	foreach(lc, st->q.windows)
		((Window *) lfirst(lc))->route = st->route;
	if (st->route == ROUTE_JOB && st->q.windows != NIL)
	{
		st->availability = st->late_availability ? AVAIL_FROM_RESULTS
			: AVAIL_NEEDED;
		if (known)
			apply_availability(rs, st, available);
	}
	/*
	 * A job's results come one page per round trip (by cursor): windows
	 * are read in turns as their pages arrive, so that no window waits for
	 * another's latency-bound chain.  Rows come in no particular order.
	 */
	rs->any_owner_order = st->route == ROUTE_JOB;
	rs->windows_total = list_length(st->q.windows);
	st->est_requests = planned_requests(rs, st);
}

/* ------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------
 */

/* A details query page of window w. */
static void
query_request(GcaResourceScan *rs, ConvScan *st, Window *w, int page,
			  GcaRequest *req)
{
	req->method = "POST";
	req->path = pstrdup(DETAILS_QUERY_PATH);
	req->body = details_body(&rs->pushed, w->d.start, w->d.end, st->q.page_size, page);
	req->kind = REQ_QUERY_PAGE;
	req->items_key = "conversations";
	req->owner = w;
	req->order = w->d.start;
	req->number = page;
}

/* The next page of a window read by the details query, if one is due. */
static bool
next_query_request(GcaResourceScan *rs, ConvScan *st, Window *w, GcaRequest *req)
{
	int			page;

	if (!gca_details_next_page(&w->d, &page))
		return false;
	query_request(rs, st, w, page, req);
	return true;
}

/*
 * A results page of window w's job.  Results are read by cursor: the
 * first call leaves it out, each answer names the next one, and the
 * answer without a cursor is the last.
 */
static void
results_request(ConvScan *st, Window *w, GcaRequest *req)
{
	StringInfoData suffix;

	initStringInfo(&suffix);
	appendStringInfo(&suffix, "/results?pageSize=%d", st->job_page_size);
	if (w->cursor)
	{
		appendStringInfoString(&suffix, "&cursor=");
		gca_append_url_escaped(&suffix, w->cursor);
	}
	req->method = "GET";
	req->path = job_path(w, suffix.data);
	req->kind = REQ_JOB_RESULTS;
	req->peek = true;
	req->items_key = "conversations";
}

/*
 * The next request of a window read by a details job: create it (while
 * fewer than max_concurrency jobs are being prepared), poll it with a short first wait
 * and backoff, then read its results page by page, the next page asked
 * for as soon as the current one's cursor is seen.  At most
 * max_concurrency results pages (of any windows, in window order) are
 * fetched at a time, so memory does not grow with the range.
 */
static bool
next_job_request(GcaResourceScan *rs, ConvScan *st, Window *w,
				 int *results_slots, int *running, int chains, GcaRequest *req)
{
	if (w->reread_path)
	{
		req->method = "GET";
		req->path = w->reread_path;
		req->kind = REQ_JOB_RESULTS;
		req->items_key = "conversations";
		req->number = w->reread_number;
		w->reread_path = NULL;
		w->ahead++;
	}
	else if (w->d.finished || w->busy)
		return false;
	else if (w->job_state == JOB_NONE)
	{
		if (*running >= Max(rs->max_concurrency, 1))
			return false;
		(*running)++;
		/*
		 * A job takes the query's filters and interval but no paging; its
		 * interval matches every conversation active in it, so the window
		 * keeps only its starts (item_outside_window).
		 */
		req->method = "POST";
		req->path = pstrdup(DETAILS_JOBS_PATH);
		req->body = details_body(&rs->pushed, w->d.start, w->d.end, 0, 0);
		req->kind = REQ_JOB_CREATE;
		req->peek = true;		/* read on arrival, not in window order */
	}
	else if (w->job_state == JOB_RUNNING)
	{
		req->method = "GET";
		req->path = job_path(w, "");
		req->kind = REQ_JOB_STATUS;
		req->delay_ms = w->poll_delay_ms;
		req->peek = true;
	}
	else if (!w->all_requested && w->ahead <= (chains > 1 ? 1 : 0) &&
			 *results_slots > 0)
	{
		/*
		 * One chain reads a page ahead of the one being read: the next is
		 * asked for as this one is read (its cursor was seen on arrival),
		 * so it holds two raw pages at most however long its range, and
		 * loses no time by it (a page that arrives before the scan wants
		 * it means the scan is the slower).  Several chains each ask for
		 * their next page as soon as its cursor is seen, one page more
		 * each: the page of one would otherwise wait while another's rows
		 * are handed out, and its chain with it.
		 */
		(*results_slots)--;
		w->ahead++;
		results_request(st, w, req);
	}
	else
		return false;
	if (req->number == 0)
	{
		req->number = ++w->seq;
		w->busy = true;
	}
	req->owner = w;
	req->order = w->d.start;
	return true;
}

static bool
conversations_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	ConvScan   *st = rs->state;
	int			results_slots = Max(rs->max_concurrency, 1);
	int			running = 0;
	int			chains = 0;
	ListCell   *lc;

	if (rs->pushed.empty)
		return false;
	if (st->route == ROUTE_BY_ID)
	{
		if (st->next_batch >= st->nbatches)
			return false;
		req->method = "GET";
		req->path = by_id_path(&rs->pushed, st->next_batch);
		req->kind = REQ_BY_ID;
		req->number = st->next_batch++;
		return true;
	}
	if (st->availability == AVAIL_NEEDED)
	{
		/* job results hold data up to dataAvailabilityDate only */
		gca_details_availability_request(req);
		req->kind = REQ_AVAILABILITY;
		st->availability = AVAIL_ASKED;
		return true;
	}
	if (st->availability == AVAIL_ASKED)
		return false;
	foreach(lc, st->q.windows)
	{
		Window	   *w = lfirst(lc);

		/* jobs being prepared count against max_concurrency, not ready ones */
		if (w->route == ROUTE_JOB && w->job_state == JOB_RUNNING)
			running++;
		if (w->route == ROUTE_JOB && w->job_state == JOB_READY && w->busy)
			results_slots--;
		/* job windows whose results pages are still to come */
		if (w->route == ROUTE_JOB && !w->all_requested)
			chains++;
	}
	foreach(lc, st->q.windows)
	{
		Window	   *w = lfirst(lc);

		if (w->route == ROUTE_QUERY ? next_query_request(rs, st, w, req)
			: next_job_request(rs, st, w, &results_slots, &running, chains, req))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------
 */

/*
 * Reads a job's creation or status response.  Creating a job answers
 * {jobId}; its status (AsyncQueryStatus) is QUEUED or PENDING while it
 * runs, FULFILLED when its results can be read, and FAILED, CANCELLED or
 * EXPIRED when they never will (errorMessage says why).  Polls back off
 * from POLL_FIRST_MS to POLL_MAX_MS.
 */
static void
read_job_state(void *arg, const GcaRequest *req, GcaJson *page)
{
	Window	   *w = arg;
	const char *state;
	double		elapsed_ms;

	if (req->kind == REQ_JOB_CREATE)
	{
		const char *id = gca_json_get_string(page, "jobId");

		if (id == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("genesys response to POST %s has no job id", DETAILS_JOBS_PATH)));
		w->job_id = pstrdup(id);
		w->job_state = JOB_RUNNING;
		w->poll_delay_ms = 0;
		w->created_at = GetCurrentTimestamp();
		w->not_ready_ms = 0;
		return;
	}
	state = gca_json_get_string(page, "state");
	elapsed_ms = (double) (GetCurrentTimestamp() - w->created_at) / 1000.0;
	if (state && strcmp(state, "FULFILLED") == 0)
	{
		/*
		 * The job became ready between the answer before and this one:
		 * the midpoint, so that polls planned by it (job_polls()) are
		 * counted the same however the latency varies by a little
		 */
		w->ready_ms = (w->not_ready_ms + elapsed_ms) / 2;
		w->job_state = JOB_READY;
		return;
	}
	w->not_ready_ms = elapsed_ms;
	if (state == NULL || strcmp(state, "FAILED") == 0 ||
		strcmp(state, "CANCELLED") == 0 || strcmp(state, "EXPIRED") == 0)
	{
		const char *message = gca_json_get_string(page, "errorMessage");

		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("genesys details job %s ended in state %s",
						w->job_id, state ? state : "(none)"),
				 message ? errdetail_internal("%s", message) : 0,
				 errhint("The window is retried on the next scan.")));
	}
	w->poll_delay_ms = w->poll_delay_ms == 0 ? POLL_FIRST_MS
		: Min(w->poll_delay_ms * 2, POLL_MAX_MS);
}

/*
 * Job results hold data up to dataAvailabilityDate: the windows of the
 * job route after it are read with the details query instead, in day
 * windows (a window that spans it is split there), never left out.
 */
static void
apply_availability(GcaResourceScan *rs, ConvScan *st, TimestampTz available)
{
	List	   *planned = st->q.windows;
	List	   *windows = NIL;
	ListCell   *lc,
			   *tc;

	st->availability = AVAIL_KNOWN;
	foreach(lc, planned)
	{
		Window	   *w = lfirst(lc);

		windows = lappend(windows, w);
		if (w->route != ROUTE_JOB || w->d.end <= available)
			continue;
		/* the details query reads a day or less at a time */
		st->q.windows = NIL;
		gca_details_day_windows(&st->q, Max(w->d.start, available), w->d.end);
		if (w->d.start >= available)
		{
			windows = list_delete_last(windows);
			rs->windows_total--;
		}
		else
			w->d.end = available;
		rs->windows_total += list_length(st->q.windows);
		foreach(tc, st->q.windows)
			((Window *) lfirst(tc))->route = ROUTE_QUERY;
		windows = list_concat(windows, st->q.windows);
	}
	st->q.windows = windows;
}

/*
 * The jobs planned again once the availability date's request has shown
 * the server's latency, before any job is created: a session's first scan
 * plans with a guess (GCA_LATENCY_GUESS_MS), and the number of jobs that
 * keeps the budget busy depends on it (job_count()).
 */
static void
replan_jobs(GcaResourceScan *rs, ConvScan *st)
{
	double		observed = rs->client ? gca_client_latency_ms(rs->client) : 0;
	List	   *planned = st->q.windows;
	GcaDetailsWindow *first,
			   *last;
	MemoryContext old;
	int			n;
	ListCell   *lc;

	if (observed <= 0 || observed == rs->latency_ms || planned == NIL)
		return;
	rs->latency_ms = observed;
	first = linitial(planned);
	last = llast(planned);
	old = MemoryContextSwitchTo(GetMemoryChunkContext(st));
	st->q.windows = NIL;
	gca_details_day_windows(&st->q, first->start, last->end);
	n = job_count(rs, list_length(st->q.windows), st->est_conversations);
	if (n == list_length(planned))
		st->q.windows = planned;
	else
	{
		subdivide_windows(&st->q, n);
		foreach(lc, st->q.windows)
			((Window *) lfirst(lc))->route = ROUTE_JOB;
		rs->windows_total += list_length(st->q.windows) - list_length(planned);
	}
	MemoryContextSwitchTo(old);
}

/*
 * The availability date learnt once the jobs were created (the first
 * results page read, or asked when that page carried none): the job
 * windows keep the conversations that started before it (one wholly after
 * it keeps none; its job, if not created yet, never is), and the rest of
 * the range is read with the details query, in day windows, as
 * apply_availability() does before any job is created.
 */
static void
apply_late_availability(GcaResourceScan *rs, ConvScan *st, TimestampTz available)
{
	List	   *windows = st->q.windows;
	TimestampTz from = DT_NOEND;
	TimestampTz upper = DT_NOBEGIN;
	MemoryContext old;
	ListCell   *lc;

	st->availability = AVAIL_KNOWN;
	foreach(lc, windows)
	{
		Window	   *w = lfirst(lc);

		if (w->route != ROUTE_JOB || w->d.end <= available)
			continue;
		from = Min(from, Max(w->d.start, available));
		upper = Max(upper, w->d.end);
		w->d.end = Max(w->d.start, available);
		if (w->d.start >= available && w->job_state == JOB_NONE && !w->d.finished)
		{
			w->d.finished = true;
			rs->windows_done++;
		}
	}
	if (upper == DT_NOBEGIN)
		return;
	old = MemoryContextSwitchTo(GetMemoryChunkContext(st));
	st->q.windows = NIL;
	gca_details_day_windows(&st->q, from, upper);
	foreach(lc, st->q.windows)
		((Window *) lfirst(lc))->route = ROUTE_QUERY;
	rs->windows_total += list_length(st->q.windows);
	st->q.windows = list_concat(windows, st->q.windows);
	MemoryContextSwitchTo(old);
}

/* The answer of GET .../jobs/availability, remembered for the statement. */
static void
read_availability(GcaResourceScan *rs, ConvScan *st, GcaJson *page)
{
	TimestampTz available = gca_details_availability_date(page);

	gca_client_remember_availability(rs->client, available);
	if (st->late_availability)
	{
		apply_late_availability(rs, st, available);
		return;
	}
	replan_jobs(rs, st);
	apply_availability(rs, st, available);
}

/* Reads a job results page; the rows it offers. */
static int
read_job_results(GcaResourceScan *rs, ConvScan *st, const GcaRequest *req,
				 GcaJson *page, int count)
{
	Window	   *w = req->owner;
	bool		more = gca_json_get_string(page, "cursor") != NULL;

	/* before any of its rows: the date the jobs were created without */
	if (st->availability == AVAIL_FROM_RESULTS && w->results_available != 0)
		apply_late_availability(rs, st, w->results_available);
	w->ahead--;
	if (req->number == w->seq)
		w->busy = false;
	if (st->availability == AVAIL_FROM_RESULTS)
	{
		/*
		 * The page carries no date: ask for it, and read this page again
		 * once it is known (no row is handed out before)
		 */
		st->availability = AVAIL_NEEDED;
		w->reread_path = pstrdup(req->path);
		w->reread_number = req->number;
		return 0;
	}
	if (more && count <= 0)
	{
		/* no conversations, yet more to come: read it again */
		gca_details_short_read(&w->d, req->number, w->job_page + 1, count,
							   st->job_page_size, "details job");
		w->reread_path = pstrdup(req->path);
		w->reread_number = req->number;
		return 0;
	}
	w->job_page++;
	if (!more)
	{
		w->d.finished = true;
		rs->windows_done++;
	}
	return count;
}

/*
 * The dataAvailabilityDate a job's first results page carries
 * (AnalyticsConversationAsyncQueryResponse), when it does: kept as the
 * newest date seen by the server's sessions, so that a later read up to it
 * asks no availability date; a scan that created its jobs without the
 * date (AVAIL_FROM_RESULTS) applies it as the page is read.  0 if none.
 */
static TimestampTz
remember_results_availability(GcaResourceScan *rs, const char *raw, size_t len)
{
	char	   *date = gca_json_peek_string(raw, len, "dataAvailabilityDate");
	TimestampTz available = 0;

	if (date && gca_parse_iso_time(date, &available))
		gca_client_remember_availability(rs->client, available);
	else
		available = 0;
	if (date)
		pfree(date);
	return available;
}

/*
 * A job's creation or status response, read as soon as it arrives (the
 * jobs of later windows advance while an earlier window's results are
 * read); the cursor of a results page, before the page is parsed.
 */
static bool
conversations_peek(GcaResourceScan *rs, const GcaRequest *req,
				   const char *raw, size_t len)
{
	Window	   *w = req->owner;
	char	   *cursor;

	if (req->kind == REQ_JOB_CREATE || req->kind == REQ_JOB_STATUS)
	{
		w->busy = false;
		gca_read_peeked_object(rs, req, raw, len, read_job_state, w);
		if (w->ready_ms > 0)
			gca_client_remember_job_ready(rs->client, w->ready_ms);
		w->ready_ms = 0;
		return true;
	}
	if (req->kind != REQ_JOB_RESULTS || req->number != w->seq)
		return false;			/* a page read again: its cursor is known */
	if (w->cursor == NULL)
		w->results_available = remember_results_availability(rs, raw, len);
	cursor = gca_json_peek_string(raw, len, "cursor");
	w->cursor = cursor;
	w->all_requested = cursor == NULL;
	w->busy = false;
	return false;
}

static void drop_seen(ConvScan *st, Window *reading);

static int
conversations_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	ConvScan   *st = rs->state;
	GcaJson    *convs = rs->items ? NULL : gca_json_get(page, "conversations");
	int			count;

	/*
	 * Job results need not be counted (whether there are any is enough):
	 * their items are found as rows are read, and the page is scanned once.
	 */
	if (rs->items && req->kind == REQ_JOB_RESULTS)
		count = gca_json_items_exists(rs->items, 0) ? INT_MAX : 0;
	else if (rs->items)
		count = gca_json_items_count(rs->items);
	else
		count = gca_json_is_array(convs) ? gca_json_array_length(convs) : -1;
	if (rs->items && count <= 0 && gca_json_items_error(rs->items))
		(void) gca_page_item(rs, 0);	/* throws */

	switch ((RequestKind) req->kind)
	{
		case REQ_AVAILABILITY:
			read_availability(rs, st, page);
			return 0;
		case REQ_JOB_CREATE:
		case REQ_JOB_STATUS:
			return 0;			/* read by conversations_peek */
		case REQ_QUERY_PAGE:
			count = gca_details_read_page(rs, &st->q, req->owner, req->number,
										  page, count);
			break;
		case REQ_JOB_RESULTS:
			count = read_job_results(rs, st, req, page, count);
			break;
		case REQ_BY_ID:
			rs->windows_done++;
			if (count < 0 && gca_json_has(page, "conversationId"))
			{
				/* the page is itself one conversation */
				convs = NULL;
				count = 1;
			}
			break;
	}
	if (count <= 0)
		return 0;
	st->page = page;
	st->convs = convs;
	st->page_window = req->kind == REQ_BY_ID ? NULL : req->owner;
	drop_seen(st, st->page_window);
	st->conv_count = count;
	st->conv_index = 0;
	st->seg_count = -1;
	return count;
}

/* ------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------
 */

static GcaJson *
page_conversation(GcaResourceScan *rs, ConvScan *st, int i)
{
	if (rs->items)
		return gca_page_item(rs, i);
	return st->convs ? gca_json_array_item(st->convs, i) : st->page;
}

/*
 * A conversation id in a duplicate filter: its first 16 bytes and a 64-bit
 * hash of it all (two UUIDs that share 60 random bits and a hash are not
 * to be met).  A fifth of the size of the whole id as a key, since several
 * windows' filters live at once.
 */
typedef struct SeenKey
{
	char		prefix[16];
	uint64		hash;
} SeenKey;

/*
 * True the first time conversation id is seen in window w (NULL: by id).
 * Each window has its own filter, since the pages of several windows are
 * read in turns; it is dropped once the window is read (drop_seen).
 */
static bool
first_sighting(ConvScan *st, Window *w, const char *id)
{
	HTAB	  **seen = w ? &w->seen : &st->seen;
	bool		found;
	SeenKey		key;
	size_t		len = strlen(id);

	if (*seen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(SeenKey);
		ctl.entrysize = sizeof(SeenKey);
		ctl.hcxt = st->window_cxt;
		if (w)
			ctl.hcxt = w->seen_cxt = AllocSetContextCreate(st->window_cxt,
														   "gcanalytics window seen conversations",
														   ALLOCSET_DEFAULT_SIZES);
		*seen = hash_create("gcanalytics seen conversations", 1024, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	memset(&key, 0, sizeof(key));
	memcpy(key.prefix, id, Min(len, sizeof(key.prefix)));
	key.hash = hash_bytes_extended((const unsigned char *) id, (int) len, 0);
	(void) hash_search(*seen, &key, HASH_ENTER, &found);
	return !found;
}

/* Drops the filters of windows read to the end, but reading's. */
static void
drop_seen(ConvScan *st, Window *reading)
{
	ListCell   *lc;

	foreach(lc, st->q.windows)
	{
		Window	   *w = lfirst(lc);

		if (w->d.finished && w != reading && w->seen_cxt)
		{
			MemoryContextDelete(w->seen_cxt);
			w->seen_cxt = NULL;
			w->seen = NULL;
		}
	}
}

/* Whether a conversation of the current page belongs in the result. */
static bool
accept_conversation(ConvScan *st, GcaJson *conv)
{
	const char *id = gca_json_get_string(conv, "conversationId");
	Window	   *w = st->page_window;

	if (id == NULL)
		return false;
	if (w)
	{
		TimestampTz start = DT_NOBEGIN;

		(void) gca_json_get_time(conv, "conversationStart", &start);
		if (!gca_details_window_owns(&w->d, start))
			return false;
		/*
		 * A job's results are the fixed result set of a finished job, read
		 * by cursor: they do not shift as the query's pages do, so a job
		 * window keeps no filter (whose ids would grow with its range).
		 */
		if (w->route == ROUTE_JOB)
			return true;
	}
	return first_sighting(st, w, id);
}

/*
 * Whether the current item of a page read an item at a time starts outside
 * the page's window (accept_conversation would refuse it): such items are
 * skipped unparsed.  A job's window matches by overlap, so every boundary
 * brings some.
 */
static bool
item_outside_window(GcaResourceScan *rs, ConvScan *st)
{
	Window	   *w = st->page_window;
	TimestampTz start = DT_NOBEGIN;
	char	   *s;

	if (rs->items == NULL || w == NULL ||
		!gca_json_items_exists(rs->items, st->conv_index))
		return false;
	s = gca_json_items_peek_string(rs->items, st->conv_index, "conversationStart");
	if (s)
	{
		(void) gca_parse_iso_time(s, &start);
		pfree(s);
	}
	return !gca_details_window_owns(&w->d, start);
}

static bool
conversations_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	ConvScan   *st = rs->state;

	while (st->conv_index < st->conv_count)
	{
		GcaJson    *conv;

		if (st->seg_count < 0 && item_outside_window(rs, st))
		{
			st->conv_index++;
			continue;
		}
		conv = page_conversation(rs, st, st->conv_index);
		if (conv == NULL && rs->items)
			break;				/* past the last item */
		if (st->seg_count < 0)
		{
			st->conv_accepted = accept_conversation(st, conv);
			st->seg_count = st->segments ? gca_conversation_segment_count(conv) : 1;
			st->seg_index = 0;
		}
		if (!st->conv_accepted || st->seg_index >= st->seg_count)
		{
			st->conv_index++;
			st->seg_count = -1;
			continue;
		}
		gca_conversation_fill(conv, st->segments ? st->seg_index : -1,
							  rs->columns, rs->ncolumns, values, nulls);
		st->seg_index++;
		return true;
	}
	st->page = NULL;
	st->convs = NULL;
	return false;
}

/* ------------------------------------------------------------------
 * EXPLAIN
 * ------------------------------------------------------------------
 */

static const char *
route_name(Route route)
{
	switch (route)
	{
		case ROUTE_QUERY:
			return "details query";
		case ROUTE_JOB:
			return "details job";
		case ROUTE_BY_ID:
			return "conversations by id";
	}
	return "?";
}

static List *
conversations_explain(GcaResourceScan *rs)
{
	ConvScan   *st = rs->state;
	List	   *items = NIL;

	if (rs->pushed.empty)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	if (rs->explain_only && rs->pushed.needs_outer)
		return list_make1(gca_explain_item("Request",
										   pstrdup("GET " DETAILS_BY_ID_PATH "?id=$param (per outer row)")));
	items = lappend(items, gca_explain_item("Route",
											st->route_why ? psprintf("%s (%s)", route_name(st->route), st->route_why)
											: pstrdup(route_name(st->route))));
	if (st->route == ROUTE_BY_ID)
		return lappend(items, gca_explain_item("Request",
											   psprintf("GET %s", by_id_path(&rs->pushed, 0))));
	items = lappend(items, gca_explain_item("Request",
											pstrdup(st->route == ROUTE_JOB
													? "POST " DETAILS_JOBS_PATH
													: "POST " DETAILS_QUERY_PATH)));
	if (st->q.windows != NIL)
	{
		Window	   *w = linitial(st->q.windows);

		items = lappend(items, gca_explain_item("Body",
												details_body(&rs->pushed, w->d.start, w->d.end,
															 st->q.page_size,
															 st->route == ROUTE_JOB ? 0 : 1)));
	}
	items = lappend(items, gca_explain_integer("Windows", list_length(st->q.windows), true));
	if (st->est_requests)
		items = lappend(items, gca_explain_item("Expected Requests", pstrdup(st->est_requests)));
	return items;
}

/* ------------------------------------------------------------------
 * The resources
 * ------------------------------------------------------------------
 */

/* GcaResource.data of each resource */
static const ConvResource conversations_data = {false};
static const ConvResource segments_data = {true};

const GcaResource gca_genesys_conversations = {
	.name = "conversations",
	.service = GCA_SERVICE_GENESYS,
	.needs_time_bound = true,
	.columns = conversation_columns,
	.comment = "Genesys Cloud conversation detail records, one row per conversation",
	.estimate = conversations_estimate,
	.plan = conversations_plan,
	.next_request = conversations_next_request,
	.read_page = conversations_read_page,
	.peek = conversations_peek,
	.next_row = conversations_next_row,
	.explain = conversations_explain,
	.data = &conversations_data,
};

const GcaResource gca_genesys_segments = {
	.name = "segments",
	.service = GCA_SERVICE_GENESYS,
	.needs_time_bound = true,
	.columns = segment_columns,
	.comment = "Genesys Cloud conversation segments, one row per segment",
	.estimate = segments_estimate,
	.plan = conversations_plan,
	.next_request = conversations_next_request,
	.read_page = conversations_read_page,
	.peek = conversations_peek,
	.next_row = conversations_next_row,
	.explain = conversations_explain,
	.data = &segments_data,
};

