/*-------------------------------------------------------------------------
 *
 * details.c
 *		Parsing Genesys Cloud conversation detail pages into row values.
 *
 * The only file of the Genesys side that includes json-c.  It therefore
 * must not include utils/builtins.h (both declare json_object); the few
 * PostgreSQL functions it needs from there are declared by hand below.
 *
 * A response body is fed to json-c's tokener as curl delivers it; the
 * finished tree is one GcaPage, read row by row and then freed.  Values
 * follow design.md 2.2: metric columns sum the metric of that name over
 * every session of the conversation, so they agree with Genesys's own
 * reports.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/details.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>
#include <json-c/json.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "genesys.h"

/* from utils/builtins.h, which cannot be included beside json-c */
extern text *cstring_to_text(const char *s);
extern Datum numeric_in(PG_FUNCTION_ARGS);

struct GcaParser
{
	json_tokener *tok;
	json_object *root;			/* finished document, or NULL */
	bool		failed;
	const char *error;
};

struct GcaPage
{
	json_object *root;
	json_object *conversations; /* the array, or NULL when omitted */
	bool		single;			/* root is one conversation */
};

/* ------------------------------------------------------------------
 * Parser
 * ------------------------------------------------------------------
 */

/* Returns a new parser; malloc'd, so it can outlive memory contexts. */
GcaParser *
gca_parser_create(void)
{
	GcaParser  *p = calloc(1, sizeof(GcaParser));

	if (p == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	p->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (p->tok == NULL)
	{
		free(p);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	return p;
}

/* Drops a partial or finished document so the parser can start again. */
void
gca_parser_reset(GcaParser *p)
{
	json_tokener_reset(p->tok);
	if (p->root)
		json_object_put(p->root);
	p->root = NULL;
	p->failed = false;
	p->error = NULL;
}

/*
 * Feeds the next bytes of the document.  Returns false once the input is
 * known not to be one valid JSON document.
 */
bool
gca_parser_feed(GcaParser *p, const char *data, size_t len)
{
	while (len > 0 && !p->failed)
	{
		json_object *obj;
		enum json_tokener_error jerr;
		size_t		used;

		if (p->root)
		{
			/* only whitespace may follow the document */
			for (; len > 0; data++, len--)
				if (!isspace((unsigned char) *data))
				{
					p->failed = true;
					p->error = "unexpected data after the JSON document";
					return false;
				}
			return true;
		}
		obj = json_tokener_parse_ex(p->tok, data, (int) Min(len, INT_MAX));
		jerr = json_tokener_get_error(p->tok);
		if (jerr == json_tokener_continue)
			return true;
		if (jerr != json_tokener_success)
		{
			p->failed = true;
			p->error = json_tokener_error_desc(jerr);
			return false;
		}
		p->root = obj;
		used = json_tokener_get_parse_end(p->tok);
		data += used;
		len -= used;
		if (p->root == NULL)
		{
			/* the document was a bare null */
			p->failed = true;
			p->error = "the response is JSON null";
			return false;
		}
	}
	return !p->failed;
}

/*
 * Ends the document and hands its tree over as a page (the parser is
 * reset).  Returns NULL with *error set when the body was not one JSON
 * object or array.
 */
GcaPage *
gca_parser_finish(GcaParser *p, const char **error)
{
	GcaPage    *page;

	if (!p->failed && p->root == NULL)
	{
		/* a number at the very end needs a terminator to be complete */
		gca_parser_feed(p, " ", 1);
	}
	if (p->failed || p->root == NULL)
	{
		*error = p->error ? p->error : "the response body is incomplete";
		gca_parser_reset(p);
		return NULL;
	}
	if (!json_object_is_type(p->root, json_type_object))
	{
		*error = "the response is not a JSON object";
		gca_parser_reset(p);
		return NULL;
	}
	page = calloc(1, sizeof(GcaPage));
	if (page == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	page->root = p->root;
	p->root = NULL;
	json_tokener_reset(p->tok);

	if (json_object_object_get_ex(page->root, "conversations", &page->conversations)
		&& !json_object_is_type(page->conversations, json_type_array))
		page->conversations = NULL;
	if (page->conversations == NULL &&
		json_object_object_get_ex(page->root, "conversationId", NULL))
		page->single = true;
	return page;
}

void
gca_parser_free(GcaParser *p)
{
	if (p == NULL)
		return;
	if (p->root)
		json_object_put(p->root);
	json_tokener_free(p->tok);
	free(p);
}

const char *
gca_parser_error(GcaParser *p)
{
	return p->failed ? (p->error ? p->error : "invalid JSON") : NULL;
}

void
gca_page_free(GcaPage *page)
{
	if (page == NULL)
		return;
	json_object_put(page->root);
	free(page);
}

/* ------------------------------------------------------------------
 * Small accessors
 * ------------------------------------------------------------------
 */

static json_object *
member(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_is_type(o, json_type_object) &&
		json_object_object_get_ex(o, key, &v))
		return v;
	return NULL;
}

/* A string member, or NULL when absent or not a string. */
static const char *
str_member(json_object *o, const char *key)
{
	json_object *v = member(o, key);

	return (v && json_object_is_type(v, json_type_string)) ? json_object_get_string(v) : NULL;
}

static size_t
array_len(json_object *a)
{
	return (a && json_object_is_type(a, json_type_array)) ? json_object_array_length(a) : 0;
}

static json_object *
array_get(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

int
gca_page_conversation_count(GcaPage *page)
{
	if (page->single)
		return 1;
	return page->conversations ? (int) array_len(page->conversations) : -1;
}

int64
gca_page_int(GcaPage *page, const char *key, int64 dflt)
{
	json_object *v = member(page->root, key);

	if (v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return json_object_get_int64(v);
	return dflt;
}

char *
gca_page_string(GcaPage *page, const char *key)
{
	const char *s = str_member(page->root, key);

	return s ? pstrdup(s) : NULL;
}

bool
gca_page_is_conversation(GcaPage *page)
{
	return page->single;
}

static json_object *
conversation(GcaPage *page, int i)
{
	return page->single ? page->root : array_get(page->conversations, i);
}

const char *
gca_conv_id(GcaPage *page, int i)
{
	return str_member(conversation(page, i), "conversationId");
}

TimestampTz
gca_conv_start(GcaPage *page, int i)
{
	TimestampTz t;
	const char *s = str_member(conversation(page, i), "conversationStart");

	if (s && gca_parse_iso_time(s, &t))
		return t;
	return DT_NOBEGIN;
}

/* ------------------------------------------------------------------
 * Times
 * ------------------------------------------------------------------
 */

static bool
time_member(json_object *o, const char *key, TimestampTz *t)
{
	const char *s = str_member(o, key);

	return s && gca_parse_iso_time(s, t);
}

/* ------------------------------------------------------------------
 * jsonb from a json-c tree
 * ------------------------------------------------------------------
 */

/*
 * Pushes a json-c value into a jsonb parse state; for a container it
 * returns what closing it returned (the finished value at the root).
 */
static JsonbValue *
push_json(JsonbParseState **state, JsonbIteratorToken ctx, json_object *o)
{
	JsonbValue	v;

	switch (o ? json_object_get_type(o) : json_type_null)
	{
		case json_type_object:
			pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
			{
				json_object_object_foreach(o, key, val)
				{
					JsonbValue	k;

					k.type = jbvString;
					k.val.string.val = key;
					k.val.string.len = strlen(key);
					pushJsonbValue(state, WJB_KEY, &k);
					push_json(state, WJB_VALUE, val);
				}
			}
			return pushJsonbValue(state, WJB_END_OBJECT, NULL);
		case json_type_array:
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (size_t i = 0; i < json_object_array_length(o); i++)
				push_json(state, WJB_ELEM, json_object_array_get_idx(o, i));
			return pushJsonbValue(state, WJB_END_ARRAY, NULL);
		case json_type_null:
			v.type = jbvNull;
			break;
		case json_type_boolean:
			v.type = jbvBool;
			v.val.boolean = json_object_get_boolean(o);
			break;
		case json_type_int:
			v.type = jbvNumeric;
			v.val.numeric = int64_to_numeric(json_object_get_int64(o));
			break;
		case json_type_double:
			/* the tokener keeps the number's text, so this is exact */
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																CStringGetDatum(json_object_get_string(o)),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1)));
			break;
		case json_type_string:
			v.type = jbvString;
			v.val.string.val = (char *) json_object_get_string(o);
			v.val.string.len = json_object_get_string_len(o);
			break;
	}
	return pushJsonbValue(state, ctx, &v);
}

/* Converts an object or array tree to a jsonb Datum (palloc'd). */
static Datum
jsonb_from(json_object *o)
{
	JsonbParseState *state = NULL;

	Assert(o && (json_object_is_type(o, json_type_object) ||
				 json_object_is_type(o, json_type_array)));
	return JsonbPGetDatum(JsonbValueToJsonb(push_json(&state, WJB_ELEM, o)));
}

/* ------------------------------------------------------------------
 * Conversation facts
 * ------------------------------------------------------------------
 */

#define MAX_IDS 64

/* What the conversation-level columns are computed from, in one pass. */
typedef struct ConvFacts
{
	int64		talk,
				held,
				acw,
				handle,
				acd,
				ivr,
				alert,
				transfers;
	bool		abandoned;
	json_object *customer_session;	/* first session of the customer */
	json_object *customer;		/* the customer participant */
	json_object *first_session; /* first session of any participant */
	/* distinct queue ids by first segment start */
	int			nqueues;
	const char *queues[MAX_IDS];
	TimestampTz queue_first[MAX_IDS];
	/* distinct agents, their first segment start and talk time */
	int			nagents;
	const char *agents[MAX_IDS];
	TimestampTz agent_first[MAX_IDS];
	int64		agent_talk[MAX_IDS];
	const char *wrapup;			/* of the latest agent segment that has one */
	TimestampTz wrapup_at;
} ConvFacts;

static bool
is_customer_purpose(const char *purpose)
{
	return purpose && (strcmp(purpose, "customer") == 0 || strcmp(purpose, "external") == 0);
}

/* Adds id (first seen at t) to a distinct list kept in first-seen order. */
static int
note_id(const char **ids, TimestampTz *first, int *n, const char *id, TimestampTz t)
{
	int			k;

	for (k = 0; k < *n; k++)
		if (strcmp(ids[k], id) == 0)
		{
			if (t < first[k])
				first[k] = t;
			return k;
		}
	if (*n >= MAX_IDS)
		return -1;
	ids[*n] = id;
	first[*n] = t;
	return (*n)++;
}

static void
collect_facts(json_object *conv, ConvFacts *f)
{
	json_object *participants = member(conv, "participants");
	size_t		np = array_len(participants);

	memset(f, 0, sizeof(ConvFacts));
	for (size_t ip = 0; ip < np; ip++)
	{
		json_object *part = array_get(participants, ip);
		const char *purpose = str_member(part, "purpose");
		const char *user = str_member(part, "userId");
		bool		is_agent = purpose && strcmp(purpose, "agent") == 0;
		int			agent = -1;
		json_object *sessions = member(part, "sessions");
		size_t		ns = array_len(sessions);

		for (size_t is = 0; is < ns; is++)
		{
			json_object *sess = array_get(sessions, is);
			json_object *metrics = member(sess, "metrics");
			json_object *segments = member(sess, "segments");
			size_t		nm = array_len(metrics);
			size_t		ng = array_len(segments);

			if (f->first_session == NULL)
				f->first_session = sess;
			if (f->customer_session == NULL && is_customer_purpose(purpose))
			{
				f->customer_session = sess;
				f->customer = part;
			}

			for (size_t ig = 0; ig < ng; ig++)
			{
				json_object *seg = array_get(segments, ig);
				const char *queue = str_member(seg, "queueId");
				const char *wrapup = str_member(seg, "wrapUpCode");
				TimestampTz start = DT_NOEND;

				(void) time_member(seg, "segmentStart", &start);
				if (queue)
					note_id(f->queues, f->queue_first, &f->nqueues, queue, start);
				if (is_agent && user)
				{
					agent = note_id(f->agents, f->agent_first, &f->nagents, user, start);
					if (wrapup && (f->wrapup == NULL || start >= f->wrapup_at))
					{
						f->wrapup = wrapup;
						f->wrapup_at = start;
					}
				}
			}

			for (size_t im = 0; im < nm; im++)
			{
				json_object *m = array_get(metrics, im);
				const char *name = str_member(m, "name");
				json_object *jv = member(m, "value");
				int64		value;

				if (name == NULL || jv == NULL)
					continue;
				value = json_object_get_int64(jv);
				if (strcmp(name, "tTalk") == 0)
				{
					f->talk += value;
					if (is_agent && user)
					{
						if (agent < 0)
							agent = note_id(f->agents, f->agent_first, &f->nagents, user, DT_NOEND);
						if (agent >= 0)
							f->agent_talk[agent] += value;
					}
				}
				else if (strcmp(name, "tHeld") == 0)
					f->held += value;
				else if (strcmp(name, "tAcw") == 0)
					f->acw += value;
				else if (strcmp(name, "tHandle") == 0)
					f->handle += value;
				else if (strcmp(name, "tAcd") == 0)
					f->acd += value;
				else if (strcmp(name, "tIvr") == 0)
					f->ivr += value;
				else if (strcmp(name, "tAlert") == 0)
					f->alert += value;
				else if (strcmp(name, "tAbandon") == 0)
					f->abandoned = true;
				else if (strcmp(name, "nTransferred") == 0)
					f->transfers += value;
			}
		}
	}
}

/* Sorts a distinct id list by first-seen time (stable; lists are short). */
static void
sort_ids(const char **ids, TimestampTz *first, int64 *extra, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && first[j] < first[j - 1]; j--)
		{
			const char *ts = ids[j];
			TimestampTz tt = first[j];

			ids[j] = ids[j - 1];
			first[j] = first[j - 1];
			ids[j - 1] = ts;
			first[j - 1] = tt;
			if (extra)
			{
				int64		te = extra[j];

				extra[j] = extra[j - 1];
				extra[j - 1] = te;
			}
		}
}

static Datum
text_array(const char **ids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int k = 0; k < n; k++)
		elems[k] = PointerGetDatum(cstring_to_text(ids[k]));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
string_array_member(json_object *o, const char *key, bool *isnull)
{
	json_object *a = member(o, key);
	size_t		n = array_len(a);
	const char **ids;
	int			k = 0;

	if (a == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	ids = palloc(sizeof(char *) * Max(n, 1));
	for (size_t i = 0; i < n; i++)
	{
		json_object *e = array_get(a, i);

		if (e && json_object_is_type(e, json_type_string))
			ids[k++] = json_object_get_string(e);
	}
	return text_array(ids, k);
}

/* Merges every participant's attributes; NULL when none carries any. */
static json_object *
merged_attributes(json_object *conv)
{
	json_object *participants = member(conv, "participants");
	json_object *merged = NULL;

	for (size_t ip = 0; ip < array_len(participants); ip++)
	{
		json_object *attrs = member(array_get(participants, ip), "attributes");

		if (attrs == NULL || !json_object_is_type(attrs, json_type_object))
			continue;
		if (merged == NULL)
			merged = json_object_new_object();
		{
			json_object_object_foreach(attrs, key, val)
			{
				json_object_object_add(merged, key, json_object_get(val));
			}
		}
	}
	return merged;
}

/* Locates segment number seg of a conversation (participant order). */
static json_object *
find_segment(json_object *conv, int seg, json_object **part_out, json_object **sess_out)
{
	json_object *participants = member(conv, "participants");
	int			n = 0;

	for (size_t ip = 0; ip < array_len(participants); ip++)
	{
		json_object *part = array_get(participants, ip);
		json_object *sessions = member(part, "sessions");

		for (size_t is = 0; is < array_len(sessions); is++)
		{
			json_object *sess = array_get(sessions, is);
			json_object *segments = member(sess, "segments");
			size_t		ng = array_len(segments);

			if (seg < n + (int) ng)
			{
				*part_out = part;
				*sess_out = sess;
				return array_get(segments, seg - n);
			}
			n += ng;
		}
	}
	return NULL;
}

int
gca_conv_segment_count(GcaPage *page, int i)
{
	json_object *participants = member(conversation(page, i), "participants");
	int			n = 0;

	for (size_t ip = 0; ip < array_len(participants); ip++)
	{
		json_object *sessions = member(array_get(participants, ip), "sessions");

		for (size_t is = 0; is < array_len(sessions); is++)
			n += array_len(member(array_get(sessions, is), "segments"));
	}
	return n;
}

static Datum
text_datum(const char *s, bool *isnull)
{
	if (s == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return PointerGetDatum(cstring_to_text(s));
}

static Datum
time_datum(json_object *o, const char *key, bool *isnull)
{
	TimestampTz t;

	if (!time_member(o, key, &t))
	{
		*isnull = true;
		return (Datum) 0;
	}
	return TimestampTzGetDatum(t);
}

static Datum
duration_datum(json_object *o, const char *start_key, const char *end_key, bool *isnull)
{
	TimestampTz s,
				e;

	if (!time_member(o, start_key, &s) || !time_member(o, end_key, &e))
	{
		*isnull = true;
		return (Datum) 0;
	}
	return Int64GetDatum((e - s) / 1000);
}

static bool
needs_facts(GcaColumnKind kind)
{
	switch (kind)
	{
		case GCOL_MEDIA_TYPE:
		case GCOL_ANI:
		case GCOL_DNIS:
		case GCOL_EXTERNAL_CONTACT_ID:
		case GCOL_QUEUE_ID:
		case GCOL_QUEUE_IDS:
		case GCOL_AGENT_ID:
		case GCOL_AGENT_IDS:
		case GCOL_WRAPUP_CODE:
		case GCOL_TALK_MS:
		case GCOL_HELD_MS:
		case GCOL_ACW_MS:
		case GCOL_HANDLE_MS:
		case GCOL_ACD_MS:
		case GCOL_IVR_MS:
		case GCOL_ALERT_MS:
		case GCOL_ABANDONED:
		case GCOL_TRANSFERRED:
		case GCOL_TRANSFERS:
			return true;
		default:
			return false;
	}
}

/* The customer's session, else the first session: where media type, ANI
 * and DNIS come from. */
static json_object *
main_session(ConvFacts *f)
{
	return f->customer_session ? f->customer_session : f->first_session;
}

void
gca_conv_fill(GcaPage *page, int i, int seg,
			  const GcaColumn *columns, int ncolumns,
			  Datum *values, bool *nulls)
{
	json_object *conv = conversation(page, i);
	json_object *part = NULL,
			   *sess = NULL,
			   *segment = NULL;
	json_object *attrs = NULL;
	bool		have_facts = false;
	bool		have_attrs = false;
	ConvFacts	f;

	if (seg >= 0)
		segment = find_segment(conv, seg, &part, &sess);

	for (int c = 0; c < ncolumns; c++)
	{
		const GcaColumn *col = &columns[c];
		bool		isnull = false;
		Datum		v = (Datum) 0;

		nulls[c] = true;
		values[c] = (Datum) 0;
		if (!col->used)
			continue;
		if (needs_facts(col->kind) && !have_facts)
		{
			collect_facts(conv, &f);
			sort_ids(f.queues, f.queue_first, NULL, f.nqueues);
			sort_ids(f.agents, f.agent_first, f.agent_talk, f.nagents);
			have_facts = true;
		}
		if ((col->kind == GCOL_ATTRIBUTES || col->kind == GCOL_ATTRIBUTE) && !have_attrs)
		{
			attrs = merged_attributes(conv);
			have_attrs = true;
		}

		switch (col->kind)
		{
			case GCOL_NONE:
				isnull = true;
				break;
			case GCOL_CONVERSATION_ID:
				v = text_datum(str_member(conv, "conversationId"), &isnull);
				break;
			case GCOL_CONVERSATION_START:
				v = time_datum(conv, "conversationStart", &isnull);
				break;
			case GCOL_CONVERSATION_END:
				v = time_datum(conv, "conversationEnd", &isnull);
				break;
			case GCOL_DURATION_MS:
				v = duration_datum(conv, "conversationStart", "conversationEnd", &isnull);
				break;
			case GCOL_ORIGINATING_DIRECTION:
				v = text_datum(str_member(conv, "originatingDirection"), &isnull);
				break;
			case GCOL_MEDIA_TYPE:
				v = text_datum(str_member(main_session(&f), "mediaType"), &isnull);
				break;
			case GCOL_DIVISION_IDS:
				v = string_array_member(conv, "divisionIds", &isnull);
				break;
			case GCOL_ANI:
				v = text_datum(str_member(main_session(&f), "ani"), &isnull);
				break;
			case GCOL_DNIS:
				v = text_datum(str_member(main_session(&f), "dnis"), &isnull);
				break;
			case GCOL_EXTERNAL_CONTACT_ID:
				v = text_datum(str_member(f.customer, "externalContactId"), &isnull);
				break;
			case GCOL_QUEUE_ID:
				v = text_datum(f.nqueues > 0 ? f.queues[0] : NULL, &isnull);
				break;
			case GCOL_QUEUE_IDS:
				v = text_array(f.queues, f.nqueues);
				break;
			case GCOL_AGENT_ID:
				{
					int			best = -1;

					for (int k = 0; k < f.nagents; k++)
						if (f.agent_talk[k] > 0 &&
							(best < 0 || f.agent_talk[k] > f.agent_talk[best]))
							best = k;
					v = text_datum(best >= 0 ? f.agents[best] : NULL, &isnull);
					break;
				}
			case GCOL_AGENT_IDS:
				v = text_array(f.agents, f.nagents);
				break;
			case GCOL_WRAPUP_CODE:
				v = text_datum(f.wrapup, &isnull);
				break;
			case GCOL_TALK_MS:
				v = Int64GetDatum(f.talk);
				break;
			case GCOL_HELD_MS:
				v = Int64GetDatum(f.held);
				break;
			case GCOL_ACW_MS:
				v = Int64GetDatum(f.acw);
				break;
			case GCOL_HANDLE_MS:
				v = Int64GetDatum(f.handle);
				break;
			case GCOL_ACD_MS:
				v = Int64GetDatum(f.acd);
				break;
			case GCOL_IVR_MS:
				v = Int64GetDatum(f.ivr);
				break;
			case GCOL_ALERT_MS:
				v = Int64GetDatum(f.alert);
				break;
			case GCOL_ABANDONED:
				v = BoolGetDatum(f.abandoned);
				break;
			case GCOL_TRANSFERRED:
				v = BoolGetDatum(f.transfers > 0);
				break;
			case GCOL_TRANSFERS:
				v = Int32GetDatum((int32) f.transfers);
				break;
			case GCOL_N_EVALUATIONS:
				v = Int32GetDatum((int32) array_len(member(conv, "evaluations")));
				break;
			case GCOL_ATTRIBUTES:
				if (attrs)
					v = jsonb_from(attrs);
				else
					isnull = true;
				break;
			case GCOL_ATTRIBUTE:
				{
					json_object *a = member(attrs, col->attribute);

					if (a == NULL || json_object_is_type(a, json_type_null))
						isnull = true;
					else
					{
						Oid			infunc;
						Oid			ioparam;

						getTypeInputInfo(col->typid, &infunc, &ioparam);
						v = OidInputFunctionCall(infunc,
												 (char *) json_object_get_string(a),
												 ioparam, col->typmod);
					}
					break;
				}
			case GCOL_PARTICIPANTS:
				{
					json_object *p = member(conv, "participants");

					if (p && json_object_is_type(p, json_type_array))
						v = jsonb_from(p);
					else
						isnull = true;
					break;
				}
			case GCOL_RAW:
				v = jsonb_from(conv);
				break;
			case GCOL_PARTICIPANT_ID:
				v = text_datum(str_member(part, "participantId"), &isnull);
				break;
			case GCOL_PURPOSE:
				v = text_datum(str_member(part, "purpose"), &isnull);
				break;
			case GCOL_USER_ID:
				v = text_datum(str_member(part, "userId"), &isnull);
				break;
			case GCOL_SESSION_ID:
				v = text_datum(str_member(sess, "sessionId"), &isnull);
				break;
			case GCOL_SEG_MEDIA_TYPE:
				v = text_datum(str_member(sess, "mediaType"), &isnull);
				break;
			case GCOL_DIRECTION:
				v = text_datum(str_member(sess, "direction"), &isnull);
				break;
			case GCOL_SEGMENT_TYPE:
				v = text_datum(str_member(segment, "segmentType"), &isnull);
				break;
			case GCOL_SEGMENT_START:
				v = time_datum(segment, "segmentStart", &isnull);
				break;
			case GCOL_SEGMENT_END:
				v = time_datum(segment, "segmentEnd", &isnull);
				break;
			case GCOL_SEG_DURATION_MS:
				v = duration_datum(segment, "segmentStart", "segmentEnd", &isnull);
				break;
			case GCOL_SEG_QUEUE_ID:
				v = text_datum(str_member(segment, "queueId"), &isnull);
				break;
			case GCOL_SEG_WRAPUP_CODE:
				v = text_datum(str_member(segment, "wrapUpCode"), &isnull);
				break;
			case GCOL_DISCONNECT_TYPE:
				v = text_datum(str_member(segment, "disconnectType"), &isnull);
				break;
			case GCOL_CONFERENCE:
				{
					json_object *b = member(segment, "conference");

					if (b && json_object_is_type(b, json_type_boolean))
						v = BoolGetDatum(json_object_get_boolean(b));
					else
						isnull = true;
					break;
				}
		}
		values[c] = v;
		nulls[c] = isnull;
	}
	if (attrs)
		json_object_put(attrs);
}
