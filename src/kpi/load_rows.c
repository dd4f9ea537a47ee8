/*-------------------------------------------------------------------------
 *
 * load_rows.c
 *		The warehouse load's per-conversation values taken from a detail
 *		record (interactions' columns): gcanalytics._queue_entries(),
 *		_agent_talk_ms(), _bot_only() and _self_service().
 *
 * They were SQL functions, run once per conversation loaded; each call set
 * up a query over jsonb_array_elements() of the participants, sessions,
 * segments and metrics, about 0.35 ms a conversation for _queue_entries()
 * alone (BENCHMARKS.md, issue 23).  These walk the jsonb once and give
 * exactly what the SQL gave, NULLs and errors included: a field is read as
 * the ->> operator reads it (a string's value, a number's or a boolean's
 * text, NULL for JSON null or a missing key or a non-object), cast as the
 * SQL cast it (timestamptz_in, int8in), and an array expanded as
 * jsonb_array_elements() expands it (SQL NULL: no elements; anything else
 * that is not an array: its error).
 *
 * Also gcanalytics._time_zone_known(), the check of reporting_time_zone
 * that the load makes several times a window: pg_timezone_names reads the
 * whole time zone directory (40 to 90 ms a call), so a name found there is
 * remembered for the session.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/load_rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "pgtime.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gca_queue_entries);
PG_FUNCTION_INFO_V1(gca_agent_talk_ms);
PG_FUNCTION_INFO_V1(gca_bot_only);
PG_FUNCTION_INFO_V1(gca_self_service);
PG_FUNCTION_INFO_V1(gca_time_zone_known);

/* a jsonb value's container when it is an object, else NULL */
static JsonbContainer *
object_of(const JsonbValue *v)
{
	if (v != NULL && v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	return NULL;
}

/*
 * obj->key as a JsonbValue (obj an object, else none): false when absent.
 * A JSON null is returned (-> gives jsonb null, not SQL NULL).
 */
static bool
field(JsonbContainer *obj, const char *key, JsonbValue *out)
{
	if (obj == NULL)
		return false;
	return getKeyJsonValueFromContainer(obj, key, strlen(key), out) != NULL;
}

/* obj->>key as a palloc'd C string, NULL for SQL NULL */
static char *
field_text(JsonbContainer *obj, const char *key)
{
	JsonbValue	v;

	if (!field(obj, key, &v))
		return NULL;
	switch (v.type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v.val.string.val, v.val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
		case jbvBool:
			return pstrdup(v.val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v.type);
	}
	return NULL;
}

/* whether obj->>key equals lit (NULL never does) */
static bool
field_is(JsonbContainer *obj, const char *key, const char *lit)
{
	JsonbValue	v;
	size_t		n = strlen(lit);

	if (!field(obj, key, &v) || v.type != jbvString)
		return false;			/* a non-string's text is no purpose name */
	return (size_t) v.val.string.len == n && memcmp(v.val.string.val, lit, n) == 0;
}

/* (obj->>key)::timestamptz; false for SQL NULL */
static bool
field_timestamptz(JsonbContainer *obj, const char *key, TimestampTz *out)
{
	char	   *s = field_text(obj, key);

	if (s == NULL)
		return false;
	*out = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(s),
												   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	pfree(s);
	return true;
}

/* (obj->>key)::bigint; false for SQL NULL */
static bool
field_int8(JsonbContainer *obj, const char *key, int64 *out)
{
	char	   *s = field_text(obj, key);

	if (s == NULL)
		return false;
	*out = DatumGetInt64(DirectFunctionCall1(int8in, CStringGetDatum(s)));
	pfree(s);
	return true;
}

/*
 * The array jsonb_array_elements() would expand for obj->key: NULL when
 * obj->key is SQL NULL (obj not an object, key missing), its error when
 * the value is not an array.
 */
static JsonbContainer *
elements(JsonbContainer *obj, const char *key)
{
	JsonbValue	v;

	if (!field(obj, key, &v))
		return NULL;
	if (v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data))
		return v.val.binary.data;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot extract elements from %s",
					v.type == jbvBinary ? "an object" : "a scalar")));
	return NULL;
}

/* element i of array (a palloc'd JsonbValue) */
static JsonbValue *
element(JsonbContainer *array, uint32 i)
{
	return getIthJsonbValueFromContainer(array, i);
}

/* the participants of a detail record (NULL raw or none: NULL) */
static JsonbContainer *
participants_of(Jsonb *raw)
{
	if (raw == NULL || !JB_ROOT_IS_OBJECT(raw))
		return NULL;
	return elements(&raw->root, "participants");
}

/* the purposes of the participants, as the SQL's bool_or()s saw them */
typedef struct Purposes
{
	bool		any;			/* a participant with a purpose (not NULL) */
	bool		botflow;
	bool		ivr;
	bool		acd;
	bool		agent;
} Purposes;

static Purposes
purposes_of(Jsonb *raw)
{
	Purposes	p = {0};
	JsonbContainer *parts = participants_of(raw);
	uint32		n = parts ? JsonContainerSize(parts) : 0;

	for (uint32 i = 0; i < n; i++)
	{
		JsonbContainer *obj = object_of(element(parts, i));
		char	   *purpose = field_text(obj, "purpose");

		if (purpose == NULL)
			continue;
		p.any = true;
		p.botflow |= strcmp(purpose, "botflow") == 0;
		p.ivr |= strcmp(purpose, "ivr") == 0;
		p.acd |= strcmp(purpose, "acd") == 0;
		p.agent |= strcmp(purpose, "agent") == 0;
		pfree(purpose);
	}
	return p;
}

/*
 * _bot_only(raw, ended): ended AND bool_or(purpose = 'botflow') AND NOT
 * bool_or(purpose IN ('acd', 'agent')), in SQL's three-valued logic (the
 * bool_or()s are NULL without a participant's purpose).
 */
Datum
gca_bot_only(PG_FUNCTION_ARGS)
{
	Purposes	p = purposes_of(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0));
	bool		ended_null = PG_ARGISNULL(1);
	bool		ended = ended_null ? false : PG_GETARG_BOOL(1);

	/* any false operand makes the AND false */
	if ((!ended_null && !ended) || (p.any && (!p.botflow || p.acd || p.agent)))
		PG_RETURN_BOOL(false);
	if (ended_null || !p.any)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(true);
}

/*
 * _self_service(raw, ended, OUT flow, OUT contained, OUT handed_off).
 */
Datum
gca_self_service(PG_FUNCTION_ARGS)
{
	Purposes	p = purposes_of(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0));
	bool		ended = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (p.botflow)
		values[0] = CStringGetTextDatum("bot");
	else if (p.ivr)
		values[0] = CStringGetTextDatum("ivr");
	else
		nulls[0] = true;
	/* coalesce(ended AND flow AND NOT (acd or agent), false) */
	values[1] = BoolGetDatum(p.any && ended && (p.botflow || p.ivr) && !(p.acd || p.agent));
	values[2] = BoolGetDatum(p.any && (p.botflow || p.ivr) && p.agent);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * _agent_talk_ms(raw): per userId of the agent participants (a NULL one a
 * group of its own), the sum of segmentEnd - segmentStart of the interact
 * segments that have a segmentEnd key, in ms (numeric, rounded half away
 * from zero as ::bigint does); the largest, 0 without any.
 */
typedef struct AgentTalk
{
	char	   *user_id;		/* NULL: the NULL group */
	int64		us;
	bool		has;			/* a non-NULL term was summed */
} AgentTalk;

Datum
gca_agent_talk_ms(PG_FUNCTION_ARGS)
{
	JsonbContainer *parts = participants_of(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0));
	uint32		n = parts ? JsonContainerSize(parts) : 0;
	AgentTalk  *groups = NULL;
	int			ngroups = 0;
	bool		any = false;
	int64		best = 0;

	if (n > 0)
		groups = palloc0(sizeof(AgentTalk) * n);
	for (uint32 i = 0; i < n; i++)
	{
		JsonbContainer *p = object_of(element(parts, i));
		JsonbContainer *sessions;
		AgentTalk  *g = NULL;
		char	   *user_id;

		if (!field_is(p, "purpose", "agent"))
			continue;
		sessions = elements(p, "sessions");
		if (sessions == NULL)
			continue;
		user_id = field_text(p, "userId");
		for (uint32 s = 0; s < JsonContainerSize(sessions); s++)
		{
			JsonbContainer *segments = elements(object_of(element(sessions, s)), "segments");

			for (uint32 k = 0; segments && k < JsonContainerSize(segments); k++)
			{
				JsonbContainer *seg = object_of(element(segments, k));
				JsonbValue	end;
				TimestampTz t_end;
				TimestampTz t_start;

				if (!field_is(seg, "segmentType", "interact") || !field(seg, "segmentEnd", &end))
					continue;
				if (g == NULL)
				{
					for (int j = 0; j < ngroups && g == NULL; j++)
						if ((groups[j].user_id == NULL && user_id == NULL) ||
							(groups[j].user_id && user_id && strcmp(groups[j].user_id, user_id) == 0))
							g = &groups[j];
					if (g == NULL)
					{
						g = &groups[ngroups++];
						g->user_id = user_id;
					}
				}
				if (!field_timestamptz(seg, "segmentEnd", &t_end) ||
					!field_timestamptz(seg, "segmentStart", &t_start))
					continue;
				if (TIMESTAMP_NOT_FINITE(t_end) || TIMESTAMP_NOT_FINITE(t_start))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("cannot subtract infinite timestamps")));
				g->us += t_end - t_start;
				g->has = true;
			}
		}
	}
	for (int j = 0; j < ngroups; j++)
	{
		int64		ms;
		int64		rem;

		if (!groups[j].has)
			continue;
		ms = groups[j].us / 1000;
		rem = groups[j].us % 1000;
		if (rem >= 500)
			ms++;
		else if (rem <= -500)
			ms--;
		if (!any || ms > best)
			best = ms;
		any = true;
	}
	PG_RETURN_INT64(any ? best : 0);
}

/*
 * _queue_entries(raw): see its comment in 32_warehouse_load.sql.  One
 * Session per session of an acd or agent participant.
 */
typedef struct Session
{
	bool		acd;			/* else agent */
	char	   *user_id;
	int64		ord;			/* participant's ordinal * 1000 + session's */
	char	   *media_type;
	char	   *queue_id;
	bool		has_started;
	TimestampTz started;
	bool		has_offered,
				has_wait,
				has_abandoned,
				has_answered,
				has_answer_ms,
				has_handle;
	TimestampTz offered_at;
	int64		wait_ms;
	TimestampTz abandoned_at;
	TimestampTz answered_at;
	int64		answer_ms;
	int64		handle_ms;
	int			answer;			/* acd: index of its answer, -1 none */
	bool		paired;			/* agent: taken by an entry */
} Session;

/* max() of a timestamptz: *has and *acc hold the aggregate */
static void
max_ts(bool *has, TimestampTz *acc, TimestampTz v)
{
	if (!*has || v > *acc)
		*acc = v;
	*has = true;
}

static void
max_i8(bool *has, int64 *acc, int64 v)
{
	if (!*has || v > *acc)
		*acc = v;
	*has = true;
}

/* the session's metrics (max of each, as the SQL's FILTERed max()) */
static void
session_metrics(JsonbContainer *x, Session *s)
{
	JsonbValue	v;
	JsonbContainer *metrics;

	/* jsonb_array_elements(coalesce(x->'metrics', '[]')) */
	if (!field(x, "metrics", &v))
		return;
	metrics = elements(x, "metrics");
	for (uint32 i = 0; i < JsonContainerSize(metrics); i++)
	{
		JsonbContainer *e = object_of(element(metrics, i));
		char	   *name = field_text(e, "name");
		TimestampTz t;
		int64		n;

		if (name == NULL)
			continue;
		if (strcmp(name, "nOffered") == 0)
		{
			if (field_timestamptz(e, "emitDate", &t))
				max_ts(&s->has_offered, &s->offered_at, t);
		}
		else if (strcmp(name, "tAcd") == 0)
		{
			if (field_int8(e, "value", &n))
				max_i8(&s->has_wait, &s->wait_ms, n);
		}
		else if (strcmp(name, "tAbandon") == 0)
		{
			if (field_timestamptz(e, "emitDate", &t))
				max_ts(&s->has_abandoned, &s->abandoned_at, t);
		}
		else if (strcmp(name, "tAnswered") == 0)
		{
			if (field_timestamptz(e, "emitDate", &t))
				max_ts(&s->has_answered, &s->answered_at, t);
			if (field_int8(e, "value", &n))
				max_i8(&s->has_answer_ms, &s->answer_ms, n);
		}
		else if (strcmp(name, "tHandle") == 0)
		{
			if (field_int8(e, "value", &n))
				max_i8(&s->has_handle, &s->handle_ms, n);
		}
		pfree(name);
	}
}

/* the session's queue (its first segment with a queueId key) and start */
static void
session_segments(JsonbContainer *x, Session *s)
{
	JsonbContainer *segments = elements(x, "segments");
	bool		queue_found = false;

	for (uint32 k = 0; segments && k < JsonContainerSize(segments); k++)
	{
		JsonbValue *gv = element(segments, k);
		JsonbContainer *g = object_of(gv);
		TimestampTz t;

		if (!queue_found)
		{
			JsonbValue	q;

			/* g ? 'queueId': a key of an object, or the string element */
			if (g != NULL && field(g, "queueId", &q))
			{
				queue_found = true;
				s->queue_id = field_text(g, "queueId");
			}
			else if (gv->type == jbvString && gv->val.string.len == 7 &&
					 memcmp(gv->val.string.val, "queueId", 7) == 0)
				queue_found = true;
			else if (gv->type == jbvBinary && JsonContainerIsArray(gv->val.binary.data))
			{
				JsonbValue	key;

				key.type = jbvString;
				key.val.string.val = "queueId";
				key.val.string.len = 7;
				if (findJsonbValueFromContainer(gv->val.binary.data, JB_FARRAY, &key) != NULL)
					queue_found = true;
			}
		}
		/* min((g->>'segmentStart')::timestamptz) */
		if (field_timestamptz(g, "segmentStart", &t) && (!s->has_started || t < s->started))
		{
			s->started = t;
			s->has_started = true;
		}
	}
}

/* started ASC NULLS LAST, then ord */
static int
entry_cmp(const void *a, const void *b)
{
	const Session *x = *(Session *const *) a;
	const Session *y = *(Session *const *) b;

	if (x->has_started != y->has_started)
		return x->has_started ? -1 : 1;
	if (x->has_started && x->started != y->started)
		return x->started < y->started ? -1 : 1;
	return x->ord < y->ord ? -1 : (x->ord > y->ord ? 1 : 0);
}

#define QE_NCOLS 9

/* the sessions of the acd and agent participants of raw, in *ns */
static Session *
collect_sessions(Jsonb *raw, int *ns)
{
	JsonbContainer *parts = participants_of(raw);
	uint32		np = parts ? JsonContainerSize(parts) : 0;
	Session    *sessions = NULL;
	int			cap = 0;

	*ns = 0;
	for (uint32 i = 0; i < np; i++)
	{
		JsonbContainer *p = object_of(element(parts, i));
		bool		acd = field_is(p, "purpose", "acd");
		JsonbContainer *xs;

		if (!acd && !field_is(p, "purpose", "agent"))
			continue;
		xs = elements(p, "sessions");
		for (uint32 j = 0; xs && j < JsonContainerSize(xs); j++)
		{
			JsonbContainer *x = object_of(element(xs, j));
			Session    *s;

			if (*ns == cap)
			{
				cap = cap ? cap * 2 : 8;
				sessions = sessions ? repalloc(sessions, sizeof(Session) * cap)
					: palloc(sizeof(Session) * cap);
			}
			s = &sessions[(*ns)++];
			memset(s, 0, sizeof(Session));
			s->acd = acd;
			s->user_id = field_text(p, "userId");
			s->ord = (int64) (i + 1) * 1000 + (j + 1);
			s->media_type = field_text(x, "mediaType");
			s->answer = -1;
			session_segments(x, s);
			session_metrics(x, s);
		}
	}
	return sessions;
}

/*
 * Each answer (an agent session with a queue and a tAnswered) to the
 * latest entry of its queue (an acd session with a queue) that started
 * before it and was not abandoned; each entry keeps the earliest answer
 * so given (by start, then ord).
 */
static void
pair_answers(Session *sessions, int ns)
{
	for (int a = 0; a < ns; a++)
	{
		Session    *ans = &sessions[a];
		int			best = -1;

		if (ans->acd || ans->queue_id == NULL || !ans->has_answered || !ans->has_started)
			continue;
		for (int e = 0; e < ns; e++)
		{
			Session    *ent = &sessions[e];

			if (!ent->acd || ent->queue_id == NULL || !ent->has_started || ent->has_abandoned ||
				strcmp(ent->queue_id, ans->queue_id) != 0 || ent->started > ans->started)
				continue;
			if (best < 0 || ent->started > sessions[best].started ||
				(ent->started == sessions[best].started && ent->ord > sessions[best].ord))
				best = e;
		}
		if (best >= 0)
		{
			Session    *ent = &sessions[best];
			Session    *cur = ent->answer >= 0 ? &sessions[ent->answer] : NULL;

			if (cur == NULL || ans->started < cur->started ||
				(ans->started == cur->started && ans->ord < cur->ord))
				ent->answer = a;
		}
	}
}

/* the queue entry of entry e (an acd session, or an unpaired answer) answered by a */
static Datum
entry_datum(TupleDesc tupdesc, const Session *e, const Session *a)
{
	Datum		values[QE_NCOLS];
	bool		nulls[QE_NCOLS];
	HeapTuple	tuple;

	memset(nulls, true, sizeof(nulls));
	values[0] = CStringGetTextDatum(e->queue_id);
	nulls[0] = false;
	if (e->media_type)
	{
		values[1] = CStringGetTextDatum(e->media_type);
		nulls[1] = false;
	}
	if (e->acd)
	{
		nulls[2] = !e->has_offered;
		values[2] = TimestampTzGetDatum(e->offered_at);
		nulls[3] = !e->has_wait;
		values[3] = Int64GetDatum(e->wait_ms);
		nulls[4] = !e->has_abandoned;
		values[4] = TimestampTzGetDatum(e->abandoned_at);
	}
	if (a != NULL)
	{
		nulls[5] = !a->has_answered;
		values[5] = TimestampTzGetDatum(a->answered_at);
		nulls[6] = !a->has_answer_ms;
		values[6] = Int64GetDatum(a->answer_ms);
		if (a->user_id)
		{
			values[7] = CStringGetTextDatum(a->user_id);
			nulls[7] = false;
		}
		nulls[8] = !a->has_handle;
		values[8] = Int64GetDatum(a->handle_ms);
	}
	tuple = heap_form_tuple(tupdesc, values, nulls);
	return heap_copy_tuple_as_datum(tuple, tupdesc);
}

Datum
gca_queue_entries(PG_FUNCTION_ARGS)
{
	int			ns;
	Session    *sessions = collect_sessions(PG_GETARG_JSONB_P(0), &ns);
	Session   **rows;
	int			nrows = 0;
	Oid			elemtype;
	TupleDesc	tupdesc;
	Datum	   *items;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	pair_answers(sessions, ns);
	rows = palloc(sizeof(Session *) * (ns + 1));
	for (int e = 0; e < ns; e++)
		if (sessions[e].acd && sessions[e].queue_id != NULL)
		{
			rows[nrows++] = &sessions[e];
			if (sessions[e].answer >= 0)
				sessions[sessions[e].answer].paired = true;
		}
	for (int a = 0; a < ns; a++)
		if (!sessions[a].acd && sessions[a].queue_id != NULL && sessions[a].has_answered && !sessions[a].paired)
			rows[nrows++] = &sessions[a];
	if (nrows == 0)
		PG_RETURN_NULL();
	qsort(rows, nrows, sizeof(Session *), entry_cmp);

	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "_queue_entries must return an array of a row type");
	tupdesc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	items = palloc(sizeof(Datum) * nrows);
	for (int r = 0; r < nrows; r++)
	{
		Session    *e = rows[r];

		items[r] = entry_datum(tupdesc, e, e->acd ? (e->answer >= 0 ? &sessions[e->answer] : NULL) : e);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(items, nrows, elemtype, typlen, typbyval, typalign));
}

/* the last name _time_zone_known() found, in TopMemoryContext */
static char *known_zone = NULL;

/*
 * PostgreSQL's own lookup of a zone file in its time zone directory
 * (src/timezone/pgtz.c; not in the installed headers): an open descriptor
 * and the file's spelling, or -1.
 */
extern int	pg_open_tzfile(const char *name, char *canonname);

/*
 * zone_file_loads(name): whether name is, spelled exactly so, a file of the
 * time zone directory that loads as a zone without leap seconds: what
 * pg_timezone_names lists (it loads every file of the directory, 30 to 75
 * ms; this reads one).  False leaves the answer to pg_timezone_names.
 */
static bool
zone_file_loads(const char *name)
{
	char		canon[TZ_STRLEN_MAX + 1];
	int			fd;
	pg_tz	   *tz;

	/* a name inside the directory only (IANA names have no . or .. part) */
	if (strlen(name) > TZ_STRLEN_MAX || name[0] == '/' || name[0] == '.' || strstr(name, "/.") != NULL)
		return false;
	fd = pg_open_tzfile(name, canon);
	if (fd < 0)
		return false;
	close(fd);
	if (strcmp(canon, name) != 0)
		return false;
	tz = pg_tzset(name);
	return tz != NULL && pg_tz_acceptable(tz);
}

/*
 * _time_zone_known(name): whether pg_timezone_names has the name (exact,
 * case included).  Only names found are remembered: a name missing is
 * looked up again each time.
 */
Datum
gca_time_zone_known(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *name = text_to_cstring(t);
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(t)};
	bool		isnull;
	bool		found;

	if (known_zone != NULL && strcmp(known_zone, name) == 0)
		PG_RETURN_BOOL(true);
	found = zone_file_loads(name);
	if (!found)
	{
		/* not a zone file by that exact name: what pg_timezone_names says */
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z"
								  " WHERE z.name OPERATOR(pg_catalog.=) $1)",
								  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not read pg_timezone_names");
		found = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
		SPI_finish();
	}
	if (found)
	{
		char	   *copy = MemoryContextStrdup(TopMemoryContext, name);

		if (known_zone != NULL)
			pfree(known_zone);
		known_zone = copy;
	}
	PG_RETURN_BOOL(found);
}
