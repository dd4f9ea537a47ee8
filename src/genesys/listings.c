/*-------------------------------------------------------------------------
 *
 * listings.c
 *		The Genesys resources "queues", "users" and "wrapup_codes":
 *		reference data from the routing and users entity listings.
 *
 * GET <path>?pageSize=N&pageNumber=P pages, answered as an entity listing
 * {entities[], pageNumber, pageCount, nextUri, ...}; the API's rule is to
 * stop when nextUri is absent or pageNumber >= pageCount.  The server may
 * cap pageSize below what is asked: pages are numbered with the size it
 * applies, so the listing goes on while it says there is more (nextUri,
 * or pageNumber < pageCount), never judging by the number of entities.
 * Once page 1 gives pageCount, the other pages are requested together,
 * up to max_concurrency in flight.  id = x asks for that id (the "id"
 * parameter); a short IN list asks once per id; a longer one reads the
 * whole listing (every condition is rechecked locally).  No time bound
 * is needed: the listings are small.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/listings.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "resource.h"
#include "url.h"

#define LISTING_PAGE_SIZE 100	/* the API's maximum is not documented;
								 * 100 is known to be accepted */
#define IDS_ONE_BY_ONE 10		/* longer IN lists read the whole listing */

typedef enum ListColumn
{
	LS_ID = 1,
	LS_NAME,
	LS_DIVISION_ID,
	LS_DIVISION_NAME,
	LS_DESCRIPTION,
	LS_MEMBER_COUNT,
	LS_JOINED_MEMBER_COUNT,
	LS_SKILL_EVALUATION_METHOD,
	LS_DATE_CREATED,
	LS_DATE_MODIFIED,
	LS_CREATED_BY,
	LS_EMAIL,
	LS_USERNAME,
	LS_STATE,
	LS_TITLE,
	LS_DEPARTMENT,
	LS_MANAGER_ID,
	LS_RAW,
	LS_NCOLUMNS
} ListColumn;

/* Where each column is in an entity; "" is the entity itself. */
static const char *const entity_paths[LS_NCOLUMNS] = {
	[LS_ID] = "id",
	[LS_NAME] = "name",
	[LS_DIVISION_ID] = "division.id",
	[LS_DIVISION_NAME] = "division.name",
	[LS_DESCRIPTION] = "description",
	[LS_MEMBER_COUNT] = "memberCount",
	[LS_JOINED_MEMBER_COUNT] = "joinedMemberCount",
	[LS_SKILL_EVALUATION_METHOD] = "skillEvaluationMethod",
	[LS_DATE_CREATED] = "dateCreated",
	[LS_DATE_MODIFIED] = "dateModified",
	[LS_CREATED_BY] = "createdBy",
	[LS_EMAIL] = "email",
	[LS_USERNAME] = "username",
	[LS_STATE] = "state",
	[LS_TITLE] = "title",
	[LS_DEPARTMENT] = "department",
	[LS_MANAGER_ID] = "manager.id",
	[LS_RAW] = "",
};

#define ID_COLUMN(what) \
	{"id", "text", LS_ID, GCA_PUSH_ID, "id", 0, 0, what " id"}
#define NAME_COLUMN(what) \
	{"name", "text", LS_NAME, GCA_PUSH_NONE, NULL, 0, 0, what " name"}
#define DIVISION_COLUMNS \
	{"division_id", "text", LS_DIVISION_ID, GCA_PUSH_NONE, NULL, 0, 0, "division id"}, \
	{"division_name", "text", LS_DIVISION_NAME, GCA_PUSH_NONE, NULL, 0, 0, "division name"}
#define RAW_COLUMN \
	{"raw", "jsonb", LS_RAW, GCA_PUSH_NONE, NULL, 0, 0, "the entity as the API returns it"}

static const GcaColumnDef queue_columns[] = {
	ID_COLUMN("queue"),
	NAME_COLUMN("queue"),
	DIVISION_COLUMNS,
	{"description", "text", LS_DESCRIPTION, GCA_PUSH_NONE, NULL, 0, 0, "description"},
	{"member_count", "integer", LS_MEMBER_COUNT, GCA_PUSH_NONE, NULL, 0, 0, "members of the queue"},
	{"joined_member_count", "integer", LS_JOINED_MEMBER_COUNT, GCA_PUSH_NONE, NULL, 0, 0,
	"members who joined the queue"},
	{"skill_evaluation_method", "text", LS_SKILL_EVALUATION_METHOD, GCA_PUSH_NONE, NULL, 0, 0,
	"NONE, BEST or ALL"},
	{"date_created", "timestamptz", LS_DATE_CREATED, GCA_PUSH_NONE, NULL, 0, 0, "creation time"},
	{"date_modified", "timestamptz", LS_DATE_MODIFIED, GCA_PUSH_NONE, NULL, 0, 0, "last change"},
	RAW_COLUMN,
	{NULL}
};

static const GcaColumnDef user_columns[] = {
	ID_COLUMN("user"),
	NAME_COLUMN("user"),
	DIVISION_COLUMNS,
	{"email", "text", LS_EMAIL, GCA_PUSH_NONE, NULL, 0, 0, "e-mail address"},
	{"username", "text", LS_USERNAME, GCA_PUSH_NONE, NULL, 0, 0, "login name"},
	{"state", "text", LS_STATE, GCA_PUSH_PARAM, "state", 0, 0,
	"active, inactive or deleted; every state is listed unless one is asked for"},
	{"title", "text", LS_TITLE, GCA_PUSH_NONE, NULL, 0, 0, "job title"},
	{"department", "text", LS_DEPARTMENT, GCA_PUSH_NONE, NULL, 0, 0, "department"},
	{"manager_id", "text", LS_MANAGER_ID, GCA_PUSH_NONE, NULL, 0, 0, "the user's manager"},
	RAW_COLUMN,
	{NULL}
};

static const GcaColumnDef wrapup_columns[] = {
	ID_COLUMN("wrap-up code"),
	NAME_COLUMN("wrap-up code"),
	DIVISION_COLUMNS,
	{"description", "text", LS_DESCRIPTION, GCA_PUSH_NONE, NULL, 0, 0, "description"},
	{"date_created", "timestamptz", LS_DATE_CREATED, GCA_PUSH_NONE, NULL, 0, 0, "creation time"},
	{"date_modified", "timestamptz", LS_DATE_MODIFIED, GCA_PUSH_NONE, NULL, 0, 0, "last change"},
	{"created_by", "text", LS_CREATED_BY, GCA_PUSH_NONE, NULL, 0, 0, "who created it"},
	RAW_COLUMN,
	{NULL}
};

/* ------------------------------------------------------------------
 * A run
 * ------------------------------------------------------------------
 */

/* One listing read: all of it, or one id. */
typedef struct Listing
{
	int			index;
	const char *id;				/* NULL: every entity */
	int			next_page;
	int			page_count;		/* from the first page, -1 unknown */
	bool		finished;
} Listing;

typedef struct ListScan
{
	const char *path;
	const char *state;			/* users: the state parameter */
	int			page_size;
	List	   *listings;		/* Listing */
	GcaJson    *entities;		/* the page being read */
	int			count;
	int			index;
} ListScan;

/* What differs between the listings: GcaResource.data. */
typedef struct ListingDef
{
	const char *path;			/* the entity listing */
	bool		state_param;	/* takes "state" (users: else active only) */
} ListingDef;

static const ListingDef queues_def = {"/api/v2/routing/queues", false};
static const ListingDef users_def = {"/api/v2/users", true};
static const ListingDef wrapups_def = {"/api/v2/routing/wrapupcodes", false};

static void
estimate(const GcaEstimateInput *in, double entities, double *rows, double *requests)
{
	if (in->ids >= 0 && in->ids <= IDS_ONE_BY_ONE)
	{
		*rows = Max(in->ids, 1);
		*requests = Max(in->ids, 1);
		return;
	}
	*rows = entities * pow(0.5, in->filters);
	*requests = ceil(entities / LISTING_PAGE_SIZE);
}

static void
queues_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	estimate(in, 50, rows, requests);
}

static void
users_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	estimate(in, 500, rows, requests);
}

static void
wrapups_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	estimate(in, 50, rows, requests);
}

static Listing *
new_listing(ListScan *st, const char *id)
{
	Listing    *l = palloc0(sizeof(Listing));

	l->index = list_length(st->listings);
	l->id = id;
	l->next_page = 1;
	l->page_count = -1;
	st->listings = lappend(st->listings, l);
	return l;
}

static void
listings_plan(GcaResourceScan *rs)
{
	ListScan   *st = palloc0(sizeof(ListScan));
	const ListingDef *def = rs->resource->data;
	GcaPushed  *pushed = &rs->pushed;
	ListCell   *lc;

	rs->state = st;
	st->path = def->path;
	st->page_size = rs->page_size > 0 ? rs->page_size : LISTING_PAGE_SIZE;
	if (def->state_param)
	{
		GcaPushedValues *state = pushed->params ? linitial(pushed->params) : NULL;

		/* the API takes one state; without one it lists the active only */
		st->state = state && list_length(state->values) == 1
			? linitial(state->values) : "any";
	}
	if (pushed->empty)
		return;
	if (pushed->by_id && list_length(pushed->ids) <= IDS_ONE_BY_ONE)
		foreach(lc, pushed->ids)
			new_listing(st, lfirst(lc));
	else
		new_listing(st, NULL);
	rs->windows_total = list_length(st->listings);
}

static char *
page_path(ListScan *st, Listing *l, int page)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s?pageSize=%d&pageNumber=%d", st->path, st->page_size, page);
	if (l->id)
	{
		appendStringInfoString(&buf, "&id=");
		gca_append_url_escaped(&buf, l->id);
	}
	if (st->state)
	{
		appendStringInfoString(&buf, "&state=");
		gca_append_url_escaped(&buf, st->state);
	}
	return buf.data;
}

/* Page 1 of each listing, then the pages its pageCount announces. */
static bool
listings_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	ListScan   *st = rs->state;
	ListCell   *lc;

	foreach(lc, st->listings)
	{
		Listing    *l = lfirst(lc);

		if (l->finished || !(l->next_page == 1 || l->next_page <= l->page_count))
			continue;
		req->method = "GET";
		req->path = page_path(st, l, l->next_page);
		req->owner = l;
		req->order = l->index;
		req->number = l->next_page++;
		return true;
	}
	return false;
}

static int
listings_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	ListScan   *st = rs->state;
	Listing    *l = req->owner;
	GcaJson    *entities = gca_json_get(page, "entities");
	int			count = gca_json_array_length(entities);
	int64		page_count = gca_json_get_int64(page, "pageCount", -1);
	bool		more = gca_json_get_string(page, "nextUri") != NULL ||
		(page_count >= 0 && req->number < page_count);

	if (count == 0 || !more)
	{
		l->finished = true;
		rs->windows_done++;
		rs->drop_owner = l;
	}
	else if (page_count > l->page_count)
		l->page_count = (int) Min(page_count, PG_INT32_MAX - 1);
	/* there is more than the count said: one page at a time */
	if (!l->finished && req->number >= l->page_count)
		l->page_count = req->number + 1;
	st->entities = entities;
	st->count = count;
	st->index = 0;
	return count;
}

static bool
listings_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	ListScan   *st = rs->state;

	if (st->index >= st->count)
	{
		st->entities = NULL;
		return false;
	}
	gca_fill_from_paths(gca_json_array_item(st->entities, st->index++), entity_paths,
						rs->columns, rs->ncolumns, values, nulls);
	return true;
}

static List *
listings_explain(GcaResourceScan *rs)
{
	ListScan   *st = rs->state;
	List	   *items;

	if (st->listings == NIL)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	if (rs->explain_only && rs->pushed.needs_outer)
		return list_make1(gca_explain_item("Request",
										   psprintf("GET %s?id=$param (per outer row)", st->path)));
	items = list_make1(gca_explain_item("Request",
										psprintf("GET %s",
												 page_path(st, linitial(st->listings), 1))));
	return lappend(items, gca_explain_integer("Listings", list_length(st->listings), true));
}

#define LISTING_RESOURCE(var, rname, cols, est, def, what) \
const GcaResource var = { \
	.name = rname, \
	.service = GCA_SERVICE_GENESYS, \
	.needs_time_bound = false, \
	.columns = cols, \
	.comment = what, \
	.estimate = est, \
	.plan = listings_plan, \
	.next_request = listings_next_request, \
	.read_page = listings_read_page, \
	.next_row = listings_next_row, \
	.explain = listings_explain, \
	.data = &def, \
}

LISTING_RESOURCE(gca_genesys_queues, "queues", queue_columns, queues_estimate,
				 queues_def, "Genesys Cloud routing queues");
LISTING_RESOURCE(gca_genesys_users, "users", user_columns, users_estimate,
				 users_def, "Genesys Cloud users, every state unless one is asked for");
LISTING_RESOURCE(gca_genesys_wrapup_codes, "wrapup_codes", wrapup_columns, wrapups_estimate,
				 wrapups_def, "Genesys Cloud wrap-up codes");
