/*-------------------------------------------------------------------------
 *
 * sobject.c
 *		The resource "sobject": a Salesforce object read with SOQL through
 *		GET /services/data/vNN.0/query (queryAll with the table option
 *		include_deleted), following nextRecordsUrl.
 *
 * SELECT lists only the fields the query reads.  WHERE carries the pushed
 * comparisons (pushdown.c decides them from describe's filterable and the
 * kinds in describe.c) with literals written per the SOQL rules: strings
 * quoted and escaped (\' \" \\ \n \r \t \b \f \uXXXX, and \% \_ in LIKE),
 * numbers, booleans, dates and datetimes unquoted.  A comparison SOQL
 * cannot state exactly is widened or left out, never narrowed: every
 * condition is rechecked locally (SOQL compares strings
 * case-insensitively).
 *
 * URLs stay under URL_MAX characters: the largest IN-list is split into
 * chunks, one query each; if what remains is still too long, the longest
 * other conditions are left to the local check.  Chunks are read in
 * order, up to max_concurrency requests in flight; a chunk's next batch is
 * asked for as soon as its batch is read.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/salesforce/sobject.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "isotime.h"
#include "salesforce.h"

/*
 * The longest URL sent, origin included (Salesforce's advice: under about
 * 2,000 characters).  ORIGIN_RESERVE stands for the instance URL, which
 * the plan does not know (My Domain URLs run to about 60 characters).
 */
#define URL_MAX			2000
#define URL_HARD_MAX	16000	/* Salesforce answers 414 past 16,384 bytes */
#define ORIGIN_RESERVE	100
#define CONDITION_ROOM	1000	/* URL room for conditions past a wide
								 * SELECT list */
#define PART_ROOM		200		/* a part's "SELECT Id, ... AND Id >= '...'
								 * AND Id <= '...' ORDER BY Id" */
#define STRING_LITERAL_MAX 4000 /* SOQL's limit per string literal */
#define BATCH_MIN		200
#define BATCH_MAX		2000

/* What a pushed comparison becomes in SOQL. */
typedef struct SfCond
{
	char	   *text;			/* the whole condition, or the IN prefix */
	List	   *items;			/* IN: the literals, else NIL */
	int			enc_len;		/* URL-encoded length of text (IN: with
								 * every item) */
	bool		exact;			/* SOQL matches exactly the rows SQL does */
} SfCond;

typedef struct SfColumnPath
{
	int			nparts;
	char	   *parts[SF_MAX_PATH];
} SfColumnPath;

/* What a response is (GcaRequest.kind). */
typedef enum SfRequestKind
{
	REQ_QUERY = 0,				/* a batch of a query with every field */
	REQ_DRIVER,					/* column parts: a batch of part 0 */
	REQ_PART					/* column parts: another part, for the Id
								 * range of a part-0 batch (owner) */
} SfRequestKind;

/*
 * Column parts: the values of one part-0 batch, filled in from the other
 * parts' queries, as text.  The other parts are read over the batch's Id
 * range when part 0 is read in Id order, else (a pushed ORDER BY) by
 * Id IN-lists.
 */
typedef struct SfPageTable
{
	MemoryContext cxt;
	int			n;				/* rows of the part-0 batch */
	char	  **ids;			/* [row] */
	char	 ***values;			/* [row][field]: text, NULL for null */
	int		   *by_id;			/* row numbers in Id order */
	int			parts_left;		/* part queries not yet read to their end */
} SfPageTable;

typedef struct SfScan
{
	char	   *path;			/* /services/data/vNN.0/query or queryAll */
	char	   *select;			/* "SELECT ... FROM Object" (part 0's) */
	char	   *where;			/* fixed conditions joined by AND, or NULL */
	char	   *tail;			/* " ORDER BY ... LIMIT n", or "" */
	SfCond	   *chunked;		/* the IN-list split into chunks, or NULL */
	List	   *chunks;			/* char *: "Field IN (...)" per query */
	int			nqueries;
	int			next_query;		/* the next query to start */
	int			dropped;		/* conditions left to the local check */
	bool		inexact;		/* some condition sent matches a superset */
	const char *headers[2];
	List	   *pending;		/* GcaRequest *: next batches to ask for */

	/* the page being read */
	GcaJson    *records;
	int			nrecords;
	int			index;

	/* the fields selected, once each */
	int			nfields;
	const char **fields;		/* API paths ("Owner.Name") */
	SfColumnPath *fpaths;		/* the same, split */
	int			id_field;		/* the index of "Id", or -1 */

	/*
	 * Column parts: a SELECT list too long for one URL is read in nparts
	 * queries (each with Id, ordered by Id), joined by Id batch by batch
	 */
	int			nparts;
	int		   *part_of;		/* [field]: its part */
	SfPageTable *table;			/* complete batch being handed out */

	/* per column (by attnum - 1) */
	int		   *col_field;		/* its field, or -1 */
	FmgrInfo   *infuncs;
	Oid		   *ioparams;
} SfScan;

/* ------------------------------------------------------------------
 * SOQL literals
 * ------------------------------------------------------------------
 */

/* Appends s as a quoted SOQL string literal; like: a LIKE pattern. */
static void
append_string_literal(StringInfo buf, const char *s, bool like)
{
	appendStringInfoChar(buf, '\'');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (like && c == '\\' && s[1] != '\0')
		{
			/* PostgreSQL's escape: the next character is literal */
			c = (unsigned char) *++s;
			if (c == '%' || c == '_')
			{
				appendStringInfo(buf, "\\%c", c);
				continue;
			}
		}
		switch (c)
		{
			case '\'':
			case '"':
			case '\\':
				appendStringInfo(buf, "\\%c", c);
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			default:
				if (c < 0x20 || c == 0x7f)
					appendStringInfo(buf, "\\u%04x", c);
				else
					appendStringInfoChar(buf, (char) c);
		}
	}
	appendStringInfoChar(buf, '\'');
}

/* Whether s is a Salesforce id: 15 or 18 letters and digits. */
static bool
is_sf_id(const char *s)
{
	size_t		n = strlen(s);

	if (n != 15 && n != 18)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char) *s))
			return false;
	return true;
}

/* Whether s is a finite decimal number as PostgreSQL prints one. */
static bool
is_number(const char *s)
{
	bool		digits = false;

	if (*s == '-' || *s == '+')
		s++;
	for (; isdigit((unsigned char) *s) || *s == '.'; s++)
		digits = digits || *s != '.';
	if (digits && (*s == 'e' || *s == 'E'))
	{
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!isdigit((unsigned char) *s))
			return false;
		while (isdigit((unsigned char) *s))
			s++;
	}
	return digits && *s == '\0';
}

typedef enum
{
	LIT_OK,
	LIT_NEVER,					/* no row can have it (a malformed id) */
	LIT_UNSENDABLE				/* SOQL cannot state it: leave it local */
} LiteralResult;

/*
 * Appends value (the API text of a SQL value, see GcaPushedCompare) as a
 * SOQL literal of a field of kind, for comparison cmp.  Datetimes are sent
 * to the second: a bound with milliseconds is widened (rounded down for >
 * and >=, up for < and <=) and equality with milliseconds is left local.
 */
static LiteralResult
append_literal(StringInfo buf, SfKind kind, GcaCompare cmp, const char *value,
			   bool *widened)
{
	TimestampTz t;
	char		iso[32];

	switch (kind)
	{
		case SF_KIND_STRING:
			if (strlen(value) > STRING_LITERAL_MAX)
				return LIT_UNSENDABLE;
			append_string_literal(buf, value, cmp == GCA_CMP_LIKE);
			return LIT_OK;
		case SF_KIND_ID:
			if (!is_sf_id(value))
				return LIT_NEVER;
			appendStringInfo(buf, "'%s'", value);
			return LIT_OK;
		case SF_KIND_BOOLEAN:
		case SF_KIND_DATE:
			appendStringInfoString(buf, value);
			return LIT_OK;
		case SF_KIND_NUMBER:
			if (!is_number(value))
				return LIT_UNSENDABLE;
			appendStringInfoString(buf, value);
			return LIT_OK;
		case SF_KIND_DATETIME:
			if (!gca_parse_iso_time(value, &t))
				return LIT_UNSENDABLE;
			if (t % USECS_PER_SEC != 0)
			{
				*widened = true;
				if (cmp == GCA_CMP_GT || cmp == GCA_CMP_GE)
					t -= t % USECS_PER_SEC + (t < 0 ? USECS_PER_SEC : 0);
				else if (cmp == GCA_CMP_LT || cmp == GCA_CMP_LE)
					t += USECS_PER_SEC - ((t % USECS_PER_SEC) + USECS_PER_SEC) % USECS_PER_SEC;
				else
					return LIT_UNSENDABLE;
			}
			gca_format_iso_time(t, iso);
			/* "YYYY-MM-DDTHH:MM:SS.000Z" -> "YYYY-MM-DDTHH:MM:SSZ" */
			appendBinaryStringInfo(buf, iso, 19);
			appendStringInfoChar(buf, 'Z');
			return LIT_OK;
		case SF_KIND_OTHER:
			break;
	}
	return LIT_UNSENDABLE;
}

/* Whether c goes into a query string as it is. */
static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Appends s to a query string: spaces as '+', the rest %-escaped. */
static void
append_query_escaped(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (is_unreserved(c))
			appendStringInfoChar(buf, (char) c);
		else if (c == ' ')
			appendStringInfoChar(buf, '+');
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}

/* The length of s in a query string (append_query_escaped). */
static int
encoded_length(const char *s)
{
	int			n = 0;

	for (; *s; s++)
		n += (is_unreserved((unsigned char) *s) || *s == ' ') ? 1 : 3;
	return n;
}

/* ------------------------------------------------------------------
 * The plan of a run: SOQL, chunks
 * ------------------------------------------------------------------
 */

/*
 * Whether SOQL's cmp on a field of kind selects exactly SQL's rows: not
 * for strings and ids (case-insensitive, 15-character id matching), nor
 * "!=" (true for null in SOQL).  Null tests are exact for every kind
 * pushed with them.
 */
static bool
is_exact(SfKind kind, GcaCompare cmp)
{
	if (cmp == GCA_CMP_IS_NULL || cmp == GCA_CMP_NOT_NULL)
		return true;
	if (cmp == GCA_CMP_NE || kind == SF_KIND_STRING || kind == SF_KIND_ID)
		return false;
	return true;
}

/*
 * The SOQL of one pushed comparison, or NULL when it is left to the local
 * check; *never when no row can match it.
 */
static SfCond *
soql_condition(const GcaPushedCompare *pc, bool *never)
{
	static const char *const ops[] = {
		[GCA_CMP_EQ] = "=",[GCA_CMP_NE] = "!=",[GCA_CMP_LT] = "<",
		[GCA_CMP_LE] = "<=",[GCA_CMP_GT] = ">",[GCA_CMP_GE] = ">=",
		[GCA_CMP_LIKE] = "LIKE",
	};
	SfKind		kind = (SfKind) pc->def->id;
	SfCond	   *cond = palloc0(sizeof(SfCond));
	StringInfoData buf;
	ListCell   *lc;
	bool		widened = false;

	if (pc->values == NIL && pc->cmp != GCA_CMP_IS_NULL &&
		pc->cmp != GCA_CMP_NOT_NULL)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, pc->def->api_name);
	switch (pc->cmp)
	{
		case GCA_CMP_IS_NULL:
			appendStringInfoString(&buf, " = null");
			break;
		case GCA_CMP_NOT_NULL:
			appendStringInfoString(&buf, " != null");
			break;
		case GCA_CMP_IN:
			appendStringInfoString(&buf, " IN (");
			foreach(lc, pc->values)
			{
				StringInfoData lit;

				initStringInfo(&lit);
				switch (append_literal(&lit, kind, pc->cmp, lfirst(lc), &widened))
				{
					case LIT_OK:
						cond->items = lappend(cond->items, lit.data);
						cond->enc_len += encoded_length(lit.data) + 3;	/* "," */
						break;
					case LIT_NEVER:
						break;
					case LIT_UNSENDABLE:
						return NULL;
				}
			}
			if (cond->items == NIL)
			{
				*never = true;
				return NULL;
			}
			break;
		default:
			appendStringInfo(&buf, " %s ", ops[pc->cmp]);
			switch (append_literal(&buf, kind, pc->cmp, linitial(pc->values), &widened))
			{
				case LIT_OK:
					break;
				case LIT_NEVER:
					if (pc->cmp == GCA_CMP_EQ)
						*never = true;
					return NULL;
				case LIT_UNSENDABLE:
					return NULL;
			}
	}
	cond->text = buf.data;
	cond->enc_len += encoded_length(buf.data) + (cond->items ? 3 : 0);
	cond->exact = !widened && is_exact(kind, pc->cmp);
	return cond;
}

/*
 * The fields the query reads, once each (SOQL refuses a field twice), and
 * which column reads which.
 */
static void
plan_fields(GcaResourceScan *rs, SfScan *st)
{
	st->fields = palloc0(sizeof(char *) * Max(rs->ncolumns, 1));
	st->fpaths = palloc0(sizeof(SfColumnPath) * Max(rs->ncolumns, 1));
	st->col_field = palloc(sizeof(int) * Max(rs->ncolumns, 1));
	st->id_field = -1;
	for (int i = 0; i < rs->ncolumns; i++)
	{
		const GcaColumnDef *def = rs->columns[i].def;
		int			f;

		st->col_field[i] = -1;
		if (def == NULL || !rs->columns[i].used)
			continue;
		for (f = 0; f < st->nfields; f++)
			if (pg_strcasecmp(st->fields[f], def->api_name) == 0)
				break;
		if (f == st->nfields)
		{
			SfColumnPath *p = &st->fpaths[f];
			char	   *copy = pstrdup(def->api_name);

			for (char *part = strtok(copy, "."); part && p->nparts < SF_MAX_PATH;
				 part = strtok(NULL, "."))
				p->parts[p->nparts++] = part;
			st->fields[st->nfields++] = def->api_name;
			if (pg_strcasecmp(def->api_name, "Id") == 0)
				st->id_field = f;
		}
		st->col_field[i] = f;
	}
}

/*
 * "SELECT f, ... FROM Object" of part (every field when there is one
 * part; with parts, Id and the part's fields).
 */
static char *
part_select(GcaResourceScan *rs, SfScan *st, int part)
{
	StringInfoData buf;
	bool		any = false;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "SELECT ");
	if (st->nparts > 1)
	{
		appendStringInfoString(&buf, "Id");
		any = true;
	}
	for (int f = 0; f < st->nfields; f++)
	{
		if (st->nparts > 1 && (st->part_of[f] != part || f == st->id_field))
			continue;
		appendStringInfo(&buf, "%s%s", any ? ", " : "", st->fields[f]);
		any = true;
	}
	if (!any)
		appendStringInfoString(&buf, "Id");
	appendStringInfo(&buf, " FROM %s", rs->object);
	return buf.data;
}

/*
 * Splits the fields into column parts when one SELECT list would take a
 * URL past URL_HARD_MAX (with CONDITION_ROOM for WHERE).
 */
static void
plan_parts(GcaResourceScan *rs, SfScan *st, int fixed)
{
	int			budget = URL_HARD_MAX - fixed - CONDITION_ROOM - PART_ROOM -
		encoded_length(rs->object);
	int			used = 0;

	st->nparts = 1;
	st->part_of = palloc0(sizeof(int) * Max(st->nfields, 1));
	st->select = part_select(rs, st, 0);
	if (fixed + encoded_length(st->select) + CONDITION_ROOM <= URL_HARD_MAX)
		return;
	for (int f = 0; f < st->nfields; f++)
	{
		int			len = encoded_length(st->fields[f]) + 4;	/* ",+" */

		if (f == st->id_field)
			continue;
		if (used > 0 && used + len > budget)
		{
			st->nparts++;
			used = 0;
		}
		st->part_of[f] = st->nparts - 1;
		used += len;
	}
	st->select = part_select(rs, st, 0);
}

/* " ORDER BY ..." of the pushed sort. */
static char *
tail_clause(GcaResourceScan *rs)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, rs->pushed.sort)
	{
		GcaSortKey *k = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s NULLS %s",
						 buf.len == 0 ? " ORDER BY " : ", ", k->def->api_name,
						 k->descending ? "DESC" : "ASC",
						 k->nulls_first ? "FIRST" : "LAST");
	}
	return buf.data;
}

/* Joins the texts of conds with " AND ", or NULL for none. */
static char *
join_conditions(List *conds)
{
	StringInfoData buf;
	ListCell   *lc;

	if (conds == NIL)
		return NULL;
	initStringInfo(&buf);
	foreach(lc, conds)
	{
		SfCond	   *c = lfirst(lc);
		ListCell   *li;

		appendStringInfo(&buf, "%s%s", buf.len ? " AND " : "", c->text);
		foreach(li, c->items)
			appendStringInfo(&buf, "%s%s", li == list_head(c->items) ? "" : ",",
							 (char *) lfirst(li));
		if (c->items)
			appendStringInfoChar(&buf, ')');
	}
	return buf.data;
}

/* Splits the items of c into "Field IN (...)" texts of at most budget. */
static List *
make_chunks(SfCond *c, int budget)
{
	List	   *chunks = NIL;
	StringInfoData buf;
	int			used = 0;
	ListCell   *lc;
	int			base = encoded_length(c->text) + 3;

	initStringInfo(&buf);
	foreach(lc, c->items)
	{
		char	   *item = lfirst(lc);
		int			len = encoded_length(item) + 3;

		if (used > 0 && base + used + len > budget)
		{
			appendStringInfoChar(&buf, ')');
			chunks = lappend(chunks, buf.data);
			initStringInfo(&buf);
			used = 0;
		}
		appendStringInfo(&buf, "%s%s", used ? "," : c->text, item);
		used += len;
	}
	appendStringInfoChar(&buf, ')');
	return lappend(chunks, buf.data);
}

static int
cmp_cond_length(const ListCell *a, const ListCell *b)
{
	int			x = ((SfCond *) lfirst(a))->enc_len;
	int			y = ((SfCond *) lfirst(b))->enc_len;

	return (x > y) - (x < y);
}

/*
 * Decides the queries of a run: the SOQL conditions, and the IN-list
 * split into chunks when the whole does not fit in a URL.
 */
static void
plan_queries(GcaResourceScan *rs, SfScan *st)
{
	List	   *conds = NIL;
	ListCell   *lc;
	bool		never = false;
	int			fixed;
	int			budget;
	int			total;

	foreach(lc, rs->pushed.compares)
	{
		SfCond	   *c = soql_condition(lfirst(lc), &never);

		if (c)
			conds = lappend(conds, c);
		else
			st->dropped++;
	}
	if (never)
		rs->pushed.empty = true;

	/*
	 * 20: room for " LIMIT n".  A wide SELECT list may take the URL past
	 * URL_MAX (conditions still get CONDITION_ROOM); past URL_HARD_MAX it
	 * is read in column parts.
	 */
	fixed = ORIGIN_RESERVE + encoded_length(st->path) + 3 +
		encoded_length(" WHERE ") + encoded_length(st->tail) + 20;
	plan_parts(rs, st, fixed);
	if (st->nparts > 1 && rs->pushed.sort == NIL)
		st->tail = pstrdup(" ORDER BY Id ASC");
	fixed += encoded_length(st->select);
	budget = Max(URL_MAX, Min(fixed + CONDITION_ROOM, URL_HARD_MAX)) - fixed;
	/* shortest first: the longest are chunked or left out */
	list_sort(conds, cmp_cond_length);
	total = 0;
	foreach(lc, conds)
		total += ((SfCond *) lfirst(lc))->enc_len + 9;	/* " AND " */
	while (total > budget && conds != NIL)
	{
		SfCond	   *last = llast(conds);
		int			rest = total - last->enc_len - 9;

		/*
		 * chunks would each come sorted, not the whole: no chunks then, nor
		 * with column parts
		 */
		if (last->items && list_length(last->items) > 1 && st->chunked == NULL &&
			rs->pushed.sort == NIL && st->nparts == 1 &&
			rest + encoded_length(last->text) + 100 <= budget)
		{
			/* the longest is an IN-list: chunks of what is left */
			st->chunked = last;
			st->chunks = make_chunks(last, budget - rest - 9);
			conds = list_delete_last(conds);
			break;
		}
		conds = list_delete_last(conds);
		total = rest;
		st->dropped++;
	}
	st->where = join_conditions(conds);
	st->nqueries = st->chunks ? list_length(st->chunks) : 1;
	foreach(lc, conds)
		st->inexact |= !((SfCond *) lfirst(lc))->exact;
	/* LIMIT only when SOQL returns exactly the rows SQL keeps */
	if (rs->pushed.limit >= 0 && st->dropped == 0 && st->chunks == NIL &&
		!st->inexact)
		st->tail = psprintf("%s LIMIT " INT64_FORMAT, st->tail, rs->pushed.limit);
}

/* The SOQL of query number i. */
static char *
query_soql(SfScan *st, int i)
{
	StringInfoData buf;
	char	   *chunk = st->chunks ? list_nth(st->chunks, i) : NULL;

	initStringInfo(&buf);
	appendStringInfoString(&buf, st->select);
	if (st->where || chunk)
		appendStringInfo(&buf, " WHERE %s%s%s", st->where ? st->where : "",
						 st->where && chunk ? " AND " : "", chunk ? chunk : "");
	appendStringInfoString(&buf, st->tail);
	return buf.data;
}

/* Looks up the input function of each column read. */
static void
plan_columns(GcaResourceScan *rs, SfScan *st)
{
	st->infuncs = palloc0(sizeof(FmgrInfo) * Max(rs->ncolumns, 1));
	st->ioparams = palloc0(sizeof(Oid) * Max(rs->ncolumns, 1));
	for (int i = 0; i < rs->ncolumns; i++)
	{
		Oid			infunc;

		if (st->col_field[i] < 0)
			continue;
		getTypeInputInfo(rs->columns[i].typid, &infunc, &st->ioparams[i]);
		fmgr_info(infunc, &st->infuncs[i]);
	}
}

static void
sobject_plan(GcaResourceScan *rs)
{
	SfScan	   *st = palloc0(sizeof(SfScan));
	const char *include_deleted = gca_option_value(rs->options, "include_deleted", "false");
	bool		all = false;

	rs->state = st;
	(void) parse_bool(include_deleted, &all);	/* checked by the validator */
	st->path = psprintf("/services/data/v%s/%s", gca_sf_api_version(rs->options),
						all ? "queryAll" : "query");
	plan_fields(rs, st);
	st->tail = tail_clause(rs);
	plan_queries(rs, st);
	plan_columns(rs, st);
	if (rs->page_size > 0)
	{
		st->headers[0] = psprintf("Sforce-Query-Options: batchSize=%d",
								  Min(Max(rs->page_size, BATCH_MIN), BATCH_MAX));
		st->headers[1] = NULL;
	}
}

/* ------------------------------------------------------------------
 * Requests and pages
 * ------------------------------------------------------------------
 */

static GcaJson *path_value(GcaJson *record, const SfColumnPath *p);

/* A request for the SOQL soql (palloc'd path). */
static char *
query_path(SfScan *st, const char *soql)
{
	StringInfoData path;

	initStringInfo(&path);
	appendStringInfo(&path, "%s?q=", st->path);
	append_query_escaped(&path, soql);
	return path.data;
}

/* Queues a request to send before any new query. */
static void
queue_request(SfScan *st, char *path, int64 order, int number,
			  SfRequestKind kind, void *owner)
{
	GcaRequest *r = palloc0(sizeof(GcaRequest));

	r->path = path;
	r->order = order;
	r->number = number;
	r->kind = kind;
	r->owner = owner;
	st->pending = lappend(st->pending, r);
}

static bool
sobject_next_request(GcaResourceScan *rs, GcaRequest *req)
{
	SfScan	   *st = rs->state;

	if (rs->pushed.empty)
		return false;
	req->method = "GET";
	req->headers = st->headers[0] ? st->headers : NULL;
	if (st->pending != NIL)
	{
		GcaRequest *next = linitial(st->pending);

		st->pending = list_delete_first(st->pending);
		req->path = next->path;
		req->order = next->order;
		req->number = next->number;
		req->kind = next->kind;
		req->owner = next->owner;
		return true;
	}
	if (st->next_query >= st->nqueries)
		return false;
	req->path = query_path(st, query_soql(st, st->next_query));
	req->kind = st->nparts > 1 ? REQ_DRIVER : REQ_QUERY;
	/* column parts: order counts part-0 batches, number parts and batches */
	req->order = st->next_query++;
	req->number = st->nparts > 1 ? 0 : 1;
	return true;
}

/*
 * Copies the values of part's fields in record into row of table t (in
 * its context), as text.
 */
static void
copy_part_values(SfScan *st, SfPageTable *t, int row, int part, GcaJson *record)
{
	MemoryContext old = MemoryContextSwitchTo(t->cxt);

	for (int f = 0; f < st->nfields; f++)
	{
		GcaJson    *v;

		if (st->part_of[f] != part)
			continue;
		v = path_value(record, &st->fpaths[f]);
		t->values[row][f] = v ? pstrdup(gca_json_text(v)) : NULL;
	}
	MemoryContextSwitchTo(old);
}

static int
cmp_row_id(const void *a, const void *b, void *arg)
{
	char	  **ids = arg;

	return strcmp(ids[*(const int *) a], ids[*(const int *) b]);
}

/* The row of table t with this id, or -1. */
static int
find_row(SfPageTable *t, const char *id)
{
	int			lo = 0,
				hi = t->n - 1;

	while (id && lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			r = strcmp(t->ids[t->by_id[mid]], id);

		if (r == 0)
			return t->by_id[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Asks for part of table t: over its Id range, or by IN-lists. */
static void
queue_part(GcaResourceScan *rs, SfScan *st, SfPageTable *t, int part, int64 order)
{
	char	   *select = part_select(rs, st, part);
	int			budget = URL_HARD_MAX - ORIGIN_RESERVE - encoded_length(st->path) - 3 -
		encoded_length(select) - 40;
	int			i = 0;
	int			number = part * 100000;

	if (rs->pushed.sort == NIL)
	{
		char	   *soql = psprintf("%s WHERE %s%sId >= '%s' AND Id <= '%s' ORDER BY Id ASC",
									select, st->where ? st->where : "",
									st->where ? " AND " : "",
									t->ids[t->by_id[0]], t->ids[t->by_id[t->n - 1]]);

		queue_request(st, query_path(st, soql), order, number, REQ_PART, t);
		t->parts_left++;
		return;
	}
	while (i < t->n)
	{
		StringInfoData soql;
		int			used = 0;

		initStringInfo(&soql);
		appendStringInfo(&soql, "%s WHERE Id IN (", select);
		for (; i < t->n && (used == 0 || used + 27 <= budget); i++, used += 27)
			appendStringInfo(&soql, "%s'%s'", used ? "," : "", t->ids[i]);
		appendStringInfoChar(&soql, ')');
		queue_request(st, query_path(st, soql.data), order, number++, REQ_PART, t);
		t->parts_left++;
	}
}

/*
 * Reads a part-0 batch into a new table and asks for the other parts.
 * Rows come once every part is read (read_part).
 */
static void
read_driver(GcaResourceScan *rs, SfScan *st, const GcaRequest *req, GcaJson *records)
{
	SfPageTable *t = palloc0(sizeof(SfPageTable));
	int			n = gca_json_array_length(records);
	MemoryContext old;

	t->cxt = AllocSetContextCreate(CurrentMemoryContext, "gcanalytics salesforce parts",
								   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(t->cxt);
	t->ids = palloc0(sizeof(char *) * Max(n, 1));
	t->values = palloc0(sizeof(char **) * Max(n, 1));
	t->by_id = palloc0(sizeof(int) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		GcaJson    *record = gca_json_array_item(records, i);
		const char *id = gca_json_get_string(record, "Id");

		if (id == NULL)
			continue;
		t->ids[t->n] = pstrdup(id);
		t->values[t->n] = palloc0(sizeof(char *) * Max(st->nfields, 1));
		if (st->id_field >= 0)
			t->values[t->n][st->id_field] = t->ids[t->n];
		copy_part_values(st, t, t->n, 0, record);
		t->by_id[t->n] = t->n;
		t->n++;
	}
	MemoryContextSwitchTo(old);
	if (t->n == 0)
	{
		MemoryContextDelete(t->cxt);
		return;
	}
	qsort_arg(t->by_id, t->n, sizeof(int), cmp_row_id, t->ids);
	for (int part = 1; part < st->nparts; part++)
		queue_part(rs, st, t, part, req->order);
}

/*
 * Fills the rows of table t from a batch of another part; the rows the
 * scan hands out once every part query is read: then t->n.
 */
static int
read_part(SfScan *st, SfPageTable *t, int part, GcaJson *records, bool last)
{
	int			n = gca_json_array_length(records);

	for (int i = 0; i < n; i++)
	{
		GcaJson    *record = gca_json_array_item(records, i);
		int			row = find_row(t, gca_json_get_string(record, "Id"));

		/* a row the part-0 batch lacks (changed meanwhile) is skipped */
		if (row >= 0)
			copy_part_values(st, t, row, part, record);
	}
	if (last && --t->parts_left == 0)
	{
		st->table = t;
		st->index = 0;
		return t->n;
	}
	return 0;
}

static int
sobject_read_page(GcaResourceScan *rs, const GcaRequest *req, GcaJson *page)
{
	SfScan	   *st = rs->state;
	const char *next = gca_json_get_string(page, "nextRecordsUrl");
	bool		done = true;
	GcaJson    *records = gca_json_get(page, "records");

	(void) gca_json_bool(gca_json_get(page, "done"), &done);
	done = done || next == NULL;
	switch ((SfRequestKind) req->kind)
	{
		case REQ_QUERY:
			if (!done)
				queue_request(st, pstrdup(next), req->order, req->number + 1,
							  REQ_QUERY, NULL);
			st->records = records;
			st->nrecords = gca_json_array_length(records);
			st->index = 0;
			return st->nrecords;
		case REQ_DRIVER:
			read_driver(rs, st, req, records);
			if (!done)
				queue_request(st, pstrdup(next), req->order + 1, 0, REQ_DRIVER, NULL);
			return 0;
		case REQ_PART:
			if (!done)
				queue_request(st, pstrdup(next), req->order, req->number + 1,
							  REQ_PART, req->owner);
			return read_part(st, req->owner, (int) (req->number / 100000), records, done);
	}
	return 0;
}

/* The path of a field in record: NULL (JSON null) when a parent is. */
static GcaJson *
path_value(GcaJson *record, const SfColumnPath *p)
{
	GcaJson    *v = record;

	for (int i = 0; i < p->nparts && v; i++)
		v = gca_json_get(v, p->parts[i]);
	return v;
}

/* A field's text (as the API wrote it) as a Datum of column i's type. */
static Datum
text_datum(SfScan *st, const GcaColumn *col, int i, const char *text)
{
	TimestampTz t;

	if (col->typid == TIMESTAMPTZOID && gca_parse_iso_time(text, &t))
		return TimestampTzGetDatum(t);
	/* numbers from their decimal text: exact, exponent forms included */
	return InputFunctionCall(&st->infuncs[i], (char *) text, st->ioparams[i],
							 col->typmod);
}

/* A field's JSON value as a Datum of column i's type. */
static Datum
field_datum(SfScan *st, const GcaColumn *col, int i, GcaJson *v)
{
	bool		b;

	if (col->typid == BOOLOID && gca_json_bool(v, &b))
		return BoolGetDatum(b);
	if (col->typid == JSONBOID)
		return gca_json_to_jsonb(v);
	return text_datum(st, col, i, gca_json_text(v));
}

/* The next row of a column-parts table; false (and frees it) at its end. */
static bool
next_table_row(GcaResourceScan *rs, SfScan *st, Datum *values, bool *nulls)
{
	SfPageTable *t = st->table;
	char	  **row;

	if (st->index >= t->n)
	{
		MemoryContextDelete(t->cxt);
		st->table = NULL;
		return false;
	}
	row = t->values[st->index++];
	for (int i = 0; i < rs->ncolumns; i++)
	{
		int			f = st->col_field[i];

		nulls[i] = f < 0 || row[f] == NULL;
		values[i] = nulls[i] ? (Datum) 0 : text_datum(st, &rs->columns[i], i, row[f]);
	}
	return true;
}

static bool
sobject_next_row(GcaResourceScan *rs, Datum *values, bool *nulls)
{
	SfScan	   *st = rs->state;
	GcaJson    *record;

	if (st->table)
		return next_table_row(rs, st, values, nulls);
	if (st->index >= st->nrecords)
	{
		st->records = NULL;
		return false;
	}
	record = gca_json_array_item(st->records, st->index++);
	for (int i = 0; i < rs->ncolumns; i++)
	{
		int			f = st->col_field[i];
		GcaJson    *v = f >= 0 ? path_value(record, &st->fpaths[f]) : NULL;

		nulls[i] = v == NULL;
		values[i] = v ? field_datum(st, &rs->columns[i], i, v) : (Datum) 0;
	}
	return true;
}

/* ------------------------------------------------------------------
 * Estimates and EXPLAIN
 * ------------------------------------------------------------------
 */

static void
sobject_estimate(const GcaEstimateInput *in, double *rows, double *requests)
{
	if (in->ids >= 0)
		*rows = in->ids;
	else
		*rows = 2000.0 / pow(5.0, Min(in->filters, 4));
	*requests = Max(1.0, ceil(*rows / BATCH_MAX));
}

static List *
sobject_explain(GcaResourceScan *rs)
{
	SfScan	   *st = rs->state;
	List	   *items = NIL;

	if (rs->pushed.empty)
		return list_make1(gca_explain_item("Request", pstrdup("none (the conditions cannot match)")));
	items = lappend(items, gca_explain_item("Request", psprintf("GET %s", st->path)));
	items = lappend(items, gca_explain_item("SOQL", query_soql(st, 0)));
	if (rs->explain_only && rs->pushed.needs_outer)
		items = lappend(items, gca_explain_item("Parameters",
												pstrdup("conditions on outer values are added per scan")));
	items = lappend(items, gca_explain_integer("Queries", st->nqueries, false));
	if (st->nparts > 1)
		items = lappend(items, gca_explain_integer("Column Parts", st->nparts, false));
	if (st->dropped > 0)
		items = lappend(items, gca_explain_integer("Local Only", st->dropped, false));
	return items;
}

const GcaResource gca_salesforce_sobject = {
	.name = "sobject",
	.service = GCA_SERVICE_SALESFORCE,
	.needs_time_bound = false,
	.columns = (const GcaColumnDef[]) {{NULL}},
	.comment = "a Salesforce object, read with SOQL",
	.estimate = sobject_estimate,
	.plan = sobject_plan,
	.next_request = sobject_next_request,
	.read_page = sobject_read_page,
	.next_row = sobject_next_row,
	.explain = sobject_explain,
	.bind_columns = gca_sf_bind_columns,
	.import = gca_sf_import,
	.object_option = "sobject",
	.object_what = "a Salesforce sobject",
};
