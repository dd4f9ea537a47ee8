/*-------------------------------------------------------------------------
 *
 * conversation_rows.c
 *		Row values of gc.conversations and gc.segments from a conversation
 *		detail record.
 *
 * A record is {conversationId, conversationStart, conversationEnd?,
 * originatingDirection, divisionIds[], participants[] of {purpose,
 * userId?, attributes? (details jobs only), sessions[] of {mediaType,
 * ani, dnis, direction, segments[] of {segmentType, segmentStart,
 * segmentEnd?, queueId?, wrapUpCode? (an id), ...}, metrics[] of {name,
 * value, emitDate}}}, evaluations[]?}; conversationEnd and a segment's
 * segmentEnd are absent while they are open.  Metric columns sum the
 * metric of that name over every session of the conversation, so they
 * agree with Genesys's own reports; the queue is the first one queued in,
 * the agent the one with the longest talk, the wrap-up code the last
 * agent's.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/conversation_rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "conversations.h"

#define MAX_IDS 64

/* What the conversation-level columns are computed from, in one pass. */
typedef struct ConvFacts
{
	const char *conversation_id;	/* for messages */
	int64		talk,
				held,
				acw,
				handle,
				acd,
				ivr,
				alert,
				transfers;
	bool		abandoned;
	GcaJson    *customer_session;	/* first session of the customer */
	GcaJson    *customer;		/* the customer participant */
	GcaJson    *first_session;	/* first session of any participant */
	/* distinct queue ids by first segment start */
	int			nqueues;
	const char *queues[MAX_IDS];
	TimestampTz queue_first[MAX_IDS];
	/* distinct agents, their first segment start and talk time */
	int			nagents;
	const char *agents[MAX_IDS];
	TimestampTz agent_first[MAX_IDS];
	int64		agent_talk[MAX_IDS];	/* their tTalk */
	int64		agent_interact[MAX_IDS];	/* their closed interact segments */
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

/* Adds a session's segments to the facts: queues, agents, wrap-up. */
static int
collect_segments(ConvFacts *f, GcaJson *segments, const char *user,
				 bool is_agent, int agent)
{
	int			ng = gca_json_array_length(segments);

	for (int ig = 0; ig < ng; ig++)
	{
		GcaJson    *seg = gca_json_array_item(segments, ig);
		const char *queue = gca_json_get_string(seg, "queueId");
		const char *wrapup = gca_json_get_string(seg, "wrapUpCode");
		TimestampTz start = DT_NOEND;

		(void) gca_json_get_time(seg, "segmentStart", &start);
		if (queue)
			note_id(f->queues, f->queue_first, &f->nqueues, queue, start);
		if (is_agent && user)
		{
			const char *type = gca_json_get_string(seg, "segmentType");
			TimestampTz end;

			agent = note_id(f->agents, f->agent_first, &f->nagents, user, start);
			if (wrapup && (f->wrapup == NULL || start >= f->wrapup_at))
			{
				f->wrapup = wrapup;
				f->wrapup_at = start;
			}
			if (agent >= 0 && type && strcmp(type, "interact") == 0 &&
				gca_json_get_time(seg, "segmentEnd", &end) && end > start)
				f->agent_interact[agent] += (end - start) / 1000;
		}
	}
	return agent;
}

/*
 * Adds a metric value to its sum; a sum past int64 (values no real
 * conversation has) is an error rather than a wrapped, negative figure.
 */
static void
add_metric(ConvFacts *f, int64 *sum, int64 value, const char *name)
{
	if (pg_add_s64_overflow(*sum, value, sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the %s metrics of conversation \"%s\" sum past the range of bigint",
						name, f->conversation_id ? f->conversation_id : "?")));
}

/* Adds a session's metrics to the facts. */
static void
collect_metrics(ConvFacts *f, GcaJson *metrics, const char *user,
				bool is_agent, int agent)
{
	int			nm = gca_json_array_length(metrics);

	for (int im = 0; im < nm; im++)
	{
		GcaJson    *m = gca_json_array_item(metrics, im);
		const char *name = gca_json_get_string(m, "name");
		int64		value;

		if (name == NULL || !gca_json_int64(gca_json_get(m, "value"), &value))
			continue;
		if (strcmp(name, "tTalk") == 0)
		{
			add_metric(f, &f->talk, value, name);
			if (is_agent && user)
			{
				if (agent < 0)
					agent = note_id(f->agents, f->agent_first, &f->nagents, user, DT_NOEND);
				if (agent >= 0)
					add_metric(f, &f->agent_talk[agent], value, name);
			}
		}
		else if (strcmp(name, "tHeld") == 0)
			add_metric(f, &f->held, value, name);
		else if (strcmp(name, "tAcw") == 0)
			add_metric(f, &f->acw, value, name);
		else if (strcmp(name, "tHandle") == 0)
			add_metric(f, &f->handle, value, name);
		else if (strcmp(name, "tAcd") == 0)
			add_metric(f, &f->acd, value, name);
		else if (strcmp(name, "tIvr") == 0)
			add_metric(f, &f->ivr, value, name);
		else if (strcmp(name, "tAlert") == 0)
			add_metric(f, &f->alert, value, name);
		else if (strcmp(name, "tAbandon") == 0)
			f->abandoned = true;
		else if (strcmp(name, "nTransferred") == 0)
			add_metric(f, &f->transfers, value, name);
	}
}

static void
collect_facts(const GcaJson *conv, ConvFacts *f)
{
	GcaJson    *participants = gca_json_get(conv, "participants");
	int			np = gca_json_array_length(participants);

	memset(f, 0, sizeof(ConvFacts));
	f->conversation_id = gca_json_get_string(conv, "conversationId");
	for (int ip = 0; ip < np; ip++)
	{
		GcaJson    *part = gca_json_array_item(participants, ip);
		const char *purpose = gca_json_get_string(part, "purpose");
		const char *user = gca_json_get_string(part, "userId");
		bool		is_agent = purpose && strcmp(purpose, "agent") == 0;
		int			agent = -1;
		GcaJson    *sessions = gca_json_get(part, "sessions");
		int			ns = gca_json_array_length(sessions);

		for (int is = 0; is < ns; is++)
		{
			GcaJson    *sess = gca_json_array_item(sessions, is);

			if (f->first_session == NULL)
				f->first_session = sess;
			if (f->customer_session == NULL && is_customer_purpose(purpose))
			{
				f->customer_session = sess;
				f->customer = part;
			}
			agent = collect_segments(f, gca_json_get(sess, "segments"),
									 user, is_agent, agent);
			collect_metrics(f, gca_json_get(sess, "metrics"), user, is_agent, agent);
		}
	}
}

/* Sorts a distinct id list by first-seen time (stable; lists are short). */
static void
sort_ids(const char **ids, TimestampTz *first, int64 *extra, int64 *extra2, int n)
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
				te = extra2[j];
				extra2[j] = extra2[j - 1];
				extra2[j - 1] = te;
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
string_array_member(const GcaJson *o, const char *key, bool *isnull)
{
	GcaJson    *a = gca_json_get(o, key);
	int			n = gca_json_array_length(a);
	const char **ids;
	int			k = 0;

	if (!gca_json_is_array(a))
	{
		*isnull = true;
		return (Datum) 0;
	}
	ids = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		const char *s = gca_json_string(gca_json_array_item(a, i));

		if (s)
			ids[k++] = s;
	}
	return text_array(ids, k);
}

/*
 * The participants' attribute objects, in participant order (later ones
 * win when merged); palloc'd, *n set.
 */
static GcaJson **
attribute_objects(const GcaJson *conv, int *n)
{
	GcaJson    *participants = gca_json_get(conv, "participants");
	int			np = gca_json_array_length(participants);
	GcaJson   **objs = palloc(sizeof(GcaJson *) * Max(np, 1));

	*n = 0;
	for (int ip = 0; ip < np; ip++)
	{
		GcaJson    *attrs = gca_json_get(gca_json_array_item(participants, ip), "attributes");

		if (gca_json_is_object(attrs))
			objs[(*n)++] = attrs;
	}
	return objs;
}

/* The value of one participant attribute (the last participant's wins). */
static GcaJson *
attribute_value(GcaJson **objs, int n, const char *name)
{
	for (int i = n - 1; i >= 0; i--)
		if (gca_json_has(objs[i], name))
			return gca_json_get(objs[i], name);
	return NULL;
}

/* Locates segment number seg of a conversation (participant order). */
static GcaJson *
find_segment(const GcaJson *conv, int seg, GcaJson **part_out, GcaJson **sess_out)
{
	GcaJson    *participants = gca_json_get(conv, "participants");
	int			n = 0;

	for (int ip = 0; ip < gca_json_array_length(participants); ip++)
	{
		GcaJson    *part = gca_json_array_item(participants, ip);
		GcaJson    *sessions = gca_json_get(part, "sessions");

		for (int is = 0; is < gca_json_array_length(sessions); is++)
		{
			GcaJson    *sess = gca_json_array_item(sessions, is);
			GcaJson    *segments = gca_json_get(sess, "segments");
			int			ng = gca_json_array_length(segments);

			if (seg < n + ng)
			{
				*part_out = part;
				*sess_out = sess;
				return gca_json_array_item(segments, seg - n);
			}
			n += ng;
		}
	}
	return NULL;
}

int
gca_conversation_segment_count(const GcaJson *conv)
{
	GcaJson    *participants = gca_json_get(conv, "participants");
	int			n = 0;

	for (int ip = 0; ip < gca_json_array_length(participants); ip++)
	{
		GcaJson    *sessions = gca_json_get(gca_json_array_item(participants, ip), "sessions");

		for (int is = 0; is < gca_json_array_length(sessions); is++)
			n += gca_json_array_length(gca_json_get(gca_json_array_item(sessions, is), "segments"));
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

/* an array member as jsonb; NULL when it is absent or not an array */
static Datum
array_member_jsonb(const GcaJson *o, const char *key, bool *isnull)
{
	GcaJson    *a = gca_json_get(o, key);

	if (gca_json_is_array(a))
		return gca_json_to_jsonb(a);
	*isnull = true;
	return (Datum) 0;
}

static Datum
time_datum(const GcaJson *o, const char *key, bool *isnull)
{
	TimestampTz t;

	if (!gca_json_get_time(o, key, &t))
	{
		*isnull = true;
		return (Datum) 0;
	}
	return TimestampTzGetDatum(t);
}

static Datum
duration_datum(const GcaJson *o, const char *start_key, const char *end_key, bool *isnull)
{
	TimestampTz s,
				e;

	if (!gca_json_get_time(o, start_key, &s) || !gca_json_get_time(o, end_key, &e))
	{
		*isnull = true;
		return (Datum) 0;
	}
	return Int64GetDatum((e - s) / 1000);
}

/* The customer's session, else the first session: where media type, ANI
 * and DNIS come from. */
static GcaJson *
main_session(ConvFacts *f)
{
	return f->customer_session ? f->customer_session : f->first_session;
}

/*
 * The agent with the longest talk (tTalk), or NULL when there is no agent.
 * While a conversation is in progress its open agent session has no tTalk
 * yet: then the agent with the longest closed interact segments, or the
 * first agent, is the one on the call.
 */
static const char *
main_agent(ConvFacts *f)
{
	int			best = -1;

	for (int k = 0; k < f->nagents; k++)
		if (f->agent_talk[k] > 0 &&
			(best < 0 || f->agent_talk[k] > f->agent_talk[best]))
			best = k;
	if (best >= 0)
		return f->agents[best];
	if (f->nagents == 0)
		return NULL;
	best = 0;
	for (int k = 1; k < f->nagents; k++)
		if (f->agent_interact[k] > f->agent_interact[best])
			best = k;
	return f->agents[best];
}

/* A value of a conversation-level column that needs the facts. */
static Datum
fact_value(ConvFacts *f, int id, bool *isnull)
{
	switch (id)
	{
		case CC_MEDIA_TYPE:
			return text_datum(gca_json_get_string(main_session(f), "mediaType"), isnull);
		case CC_ANI:
			return text_datum(gca_json_get_string(main_session(f), "ani"), isnull);
		case CC_DNIS:
			return text_datum(gca_json_get_string(main_session(f), "dnis"), isnull);
		case CC_EXTERNAL_CONTACT_ID:
			return text_datum(gca_json_get_string(f->customer, "externalContactId"), isnull);
		case CC_QUEUE_ID:
			return text_datum(f->nqueues > 0 ? f->queues[0] : NULL, isnull);
		case CC_QUEUE_IDS:
			return text_array(f->queues, f->nqueues);
		case CC_AGENT_ID:
			return text_datum(main_agent(f), isnull);
		case CC_AGENT_IDS:
			return text_array(f->agents, f->nagents);
		case CC_WRAPUP_CODE:
			return text_datum(f->wrapup, isnull);
		case CC_TALK_MS:
			return Int64GetDatum(f->talk);
		case CC_HELD_MS:
			return Int64GetDatum(f->held);
		case CC_ACW_MS:
			return Int64GetDatum(f->acw);
		case CC_HANDLE_MS:
			return Int64GetDatum(f->handle);
		case CC_ACD_MS:
			return Int64GetDatum(f->acd);
		case CC_IVR_MS:
			return Int64GetDatum(f->ivr);
		case CC_ALERT_MS:
			return Int64GetDatum(f->alert);
		case CC_ABANDONED:
			return BoolGetDatum(f->abandoned);
		case CC_TRANSFERRED:
			return BoolGetDatum(f->transfers > 0);
		case CC_TRANSFERS:
			if (f->transfers < PG_INT32_MIN || f->transfers > PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("the transfers of conversation \"%s\" are out of the range of integer",
								f->conversation_id ? f->conversation_id : "?")));
			return Int32GetDatum((int32) f->transfers);
	}
	elog(ERROR, "gcanalytics: column %d is not a conversation fact", id);
	return (Datum) 0;
}

static bool
needs_facts(int id)
{
	return id >= CC_MEDIA_TYPE && id <= CC_TRANSFERS && id != CC_DIVISION_IDS;
}

/* A value read straight from the record, its participant, session or
 * segment. */
static Datum
record_value(const GcaJson *conv, GcaJson *part, GcaJson *sess,
			 GcaJson *segment, int id, bool *isnull)
{
	switch (id)
	{
		case CC_CONVERSATION_ID:
			return text_datum(gca_json_get_string(conv, "conversationId"), isnull);
		case CC_CONVERSATION_START:
			return time_datum(conv, "conversationStart", isnull);
		case CC_CONVERSATION_END:
			return time_datum(conv, "conversationEnd", isnull);
		case CC_DURATION_MS:
			return duration_datum(conv, "conversationStart", "conversationEnd", isnull);
		case CC_ORIGINATING_DIRECTION:
			return text_datum(gca_json_get_string(conv, "originatingDirection"), isnull);
		case CC_DIVISION_IDS:
			return string_array_member(conv, "divisionIds", isnull);
		case CC_N_EVALUATIONS:
			return Int32GetDatum(gca_json_array_length(gca_json_get(conv, "evaluations")));
		case CC_PARTICIPANTS:
			return array_member_jsonb(conv, "participants", isnull);
		case CC_SURVEYS:
			return array_member_jsonb(conv, "surveys", isnull);
		case CC_RAW:
			return gca_json_to_jsonb(conv);
		case CS_PARTICIPANT_ID:
			return text_datum(gca_json_get_string(part, "participantId"), isnull);
		case CS_PURPOSE:
			return text_datum(gca_json_get_string(part, "purpose"), isnull);
		case CS_USER_ID:
			return text_datum(gca_json_get_string(part, "userId"), isnull);
		case CS_SESSION_ID:
			return text_datum(gca_json_get_string(sess, "sessionId"), isnull);
		case CS_MEDIA_TYPE:
			return text_datum(gca_json_get_string(sess, "mediaType"), isnull);
		case CS_DIRECTION:
			return text_datum(gca_json_get_string(sess, "direction"), isnull);
		case CS_SEGMENT_TYPE:
			return text_datum(gca_json_get_string(segment, "segmentType"), isnull);
		case CS_SEGMENT_START:
			return time_datum(segment, "segmentStart", isnull);
		case CS_SEGMENT_END:
			return time_datum(segment, "segmentEnd", isnull);
		case CS_DURATION_MS:
			return duration_datum(segment, "segmentStart", "segmentEnd", isnull);
		case CS_QUEUE_ID:
			return text_datum(gca_json_get_string(segment, "queueId"), isnull);
		case CS_WRAPUP_CODE:
			return text_datum(gca_json_get_string(segment, "wrapUpCode"), isnull);
		case CS_DISCONNECT_TYPE:
			return text_datum(gca_json_get_string(segment, "disconnectType"), isnull);
		case CS_CONFERENCE:
			{
				bool		b;

				if (gca_json_bool(gca_json_get(segment, "conference"), &b))
					return BoolGetDatum(b);
				*isnull = true;
				return (Datum) 0;
			}
	}
	*isnull = true;
	return (Datum) 0;
}

/* The value of a column with OPTIONS (attribute '...'). */
static Datum
attribute_datum(const GcaColumn *col, GcaJson **objs, int n, bool *isnull)
{
	GcaJson    *a = attribute_value(objs, n, col->attribute);
	Oid			infunc;
	Oid			ioparam;

	if (a == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	getTypeInputInfo(col->typid, &infunc, &ioparam);
	return OidInputFunctionCall(infunc, (char *) gca_json_text(a), ioparam,
								col->typmod);
}

void
gca_conversation_fill(const GcaJson *conv, int seg,
					  const GcaColumn *columns, int ncolumns,
					  Datum *values, bool *nulls)
{
	GcaJson    *part = NULL,
			   *sess = NULL,
			   *segment = NULL;
	GcaJson   **attrs = NULL;
	int			nattrs = 0;
	bool		have_facts = false;
	ConvFacts	f;

	if (seg >= 0)
		segment = find_segment(conv, seg, &part, &sess);

	for (int c = 0; c < ncolumns; c++)
	{
		const GcaColumn *col = &columns[c];
		int			id = col->def ? col->def->id : 0;
		bool		isnull = false;

		nulls[c] = true;
		values[c] = (Datum) 0;
		if (!col->used || (col->def == NULL && col->attribute == NULL))
			continue;
		if ((col->attribute || id == CC_ATTRIBUTES) && attrs == NULL)
			attrs = attribute_objects(conv, &nattrs);
		if (col->attribute)
			values[c] = attribute_datum(col, attrs, nattrs, &isnull);
		else if (id == CC_ATTRIBUTES)
		{
			if (nattrs > 0)
				values[c] = gca_json_merge_to_jsonb(attrs, nattrs);
			else
				isnull = true;
		}
		else if (needs_facts(id))
		{
			if (!have_facts)
			{
				collect_facts(conv, &f);
				sort_ids(f.queues, f.queue_first, NULL, NULL, f.nqueues);
				sort_ids(f.agents, f.agent_first, f.agent_talk, f.agent_interact, f.nagents);
				have_facts = true;
			}
			values[c] = fact_value(&f, id, &isnull);
		}
		else
			values[c] = record_value(conv, part, sess, segment, id, &isnull);
		nulls[c] = isnull;
	}
}
