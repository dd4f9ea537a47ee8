/*-------------------------------------------------------------------------
 *
 * queue_entry_parts.c
 *		gcanalytics._queue_entry_parts(): a conversation's queue entries
 *		as the rows the rollups of kpi_daily and queue_interval sum.
 *
 * Each queue entry (type gcanalytics.queue_entry) counts three Genesys
 * metrics, each on its own time: offered (entering the queue, nOffered,
 * with its wait tAcd), answered (tAnswered, with its answer time and the
 * answering agent's tHandle) and abandoned (tAbandon).  The rollups sum
 * them per start day of the conversation, queue, media type and day of the
 * metric (reporting time zone) or interval of the metric (interval_minutes,
 * bins from a UTC Monday midnight as date_bin() gives them).  This function
 * gives, for one conversation, a row per distinct such key of its entries'
 * metrics, with the counts and milliseconds of the metrics that fall on it,
 * so that one SQL aggregate sums the rows of every conversation.
 *
 * It is what _queue_entry_figures() (README "Dashboards") computes per
 * entry, without its per-entry SQL: the array is deconstructed once, each
 * entry deformed once, the service level target looked up in a hash table
 * built once per set of targets, and the days taken in a time zone loaded
 * once.  The definitions, each exactly as the SQL states it:
 *	- an entry with none of the three times counts nothing; one whose queue
 *	  is excluded (or NULL while some queue is) counts nothing;
 *	- media type NULL is '(unknown)';
 *	- short: wait_ms <= short_ms (NULL when either is);
 *	- in service level: wait_ms <= the target of (queue, medium), else of
 *	  ('*', medium), with medium the entry's when the targets name it, else
 *	  '*' (NULL when no target or no wait);
 *	- answered_in_sl: answered and entered (offered_at not NULL) and in
 *	  service level; sl_entries: answered and entered, or abandoned and not
 *	  short; abandoned: not short (short NULL counts as not short).
 * The thresholds come as whole milliseconds rounded down (floor()), which
 * compares with an integer wait exactly as the numeric did.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/queue_entry_parts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "parser/scansup.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gca_queue_entry_parts);

/* the attributes of gcanalytics.queue_entry, in order */
enum
{
	QE_QUEUE_ID,
	QE_MEDIA_TYPE,
	QE_OFFERED_AT,
	QE_WAIT_MS,
	QE_ABANDONED_AT,
	QE_ANSWERED_AT,
	QE_ANSWER_MS,
	QE_AGENT_ID,
	QE_HANDLE_MS,
	QE_NATTS
};

static const struct
{
	const char *name;
	Oid			type;
}			queue_entry_atts[QE_NATTS] = {
	{"queue_id", TEXTOID}, {"media_type", TEXTOID},
	{"offered_at", TIMESTAMPTZOID}, {"wait_ms", INT8OID},
	{"abandoned_at", TIMESTAMPTZOID}, {"answered_at", TIMESTAMPTZOID},
	{"answer_ms", INT8OID}, {"agent_id", TEXTOID}, {"handle_ms", INT8OID}
};

/* the result's columns, in order (the function's OUT parameters) */
enum
{
	P_START_DAY,
	P_DAY,
	P_BIN,
	P_OFFERED,
	P_ANSWERED,
	P_ANSWERED_IN_SL,
	P_SL_ENTRIES,
	P_ABANDONED,
	P_SHORT_ABANDONED,
	P_HANDLED,
	P_WAIT_MS,
	P_ANSWER_MS,
	P_HANDLE_MS,
	P_QUEUE_ID,
	P_MEDIA_TYPE,
	P_NATTS
};

/* a service level target: (queue, medium) -> whole ms (has_ms false: NULL) */
typedef struct SlTarget
{
	GcaStr		queue;			/* ptr NULL: a free slot */
	GcaStr		medium;
	bool		has_ms;
	int64		ms;
} SlTarget;

/* the arguments, in order */
enum
{
	ARG_ENTRIES,				/* queue_entry[] */
	ARG_START,					/* conversation_start */
	/* a row loaded before 0.3.0 (entries NULL): its first queue's columns */
	ARG_QUEUE_ID,
	ARG_MEDIA_TYPE,
	ARG_ACD_MS,
	ARG_ABANDONED,
	ARG_AGENT_ID,
	ARG_ALERT_MS,
	/* the setup's: the same for every row of a query */
	ARG_TZ,
	ARG_STEP,
	ARG_SHORT_MS,
	ARG_SL_QUEUES,
	ARG_SL_MEDIA,
	ARG_SL_MS,
	ARG_EXCLUDED
};

#define SETUP_FIRST_ARG ARG_TZ
#define SETUP_LAST_ARG ARG_EXCLUDED

/*
 * What the arguments other than the entries and the start set up: the
 * time zone, the targets and the excluded queues.  Built once per call site
 * (FmgrInfo), in its own context, and again only when those arguments
 * change (they are the same constants for every row of a query).
 */
typedef struct PartsSetup
{
	MemoryContext cxt;
	/* the arguments as last passed (by-reference ones: their pointers) */
	Datum		args[SETUP_LAST_ARG + 1];
	bool		argnulls[SETUP_LAST_ARG + 1];
	/* the arguments it was built from, flattened, for comparison */
	bytea	   *key;
	Datum		unknown_medium; /* '(unknown)' */
	/* the time zone: a zone of the database (tz), else AT TIME ZONE per value */
	text	   *zone;
	pg_tz	   *tz;
	/* interval_minutes as an interval, or none: days */
	bool		has_step;
	Interval	step;
	bool		has_short;
	int64		short_ms;
	SlTarget   *targets;		/* open addressing, targets_mask + 1 slots */
	uint32		targets_mask;
	GcaStr	   *excluded;
	int			nexcluded;
	/* gcanalytics.queue_entry, checked, and its row type as checked */
	Oid			entry_type;
	uint64		entry_identifier;
	TupleDesc	entry_desc;
	int16		entry_typlen;
	bool		entry_typbyval;
	char		entry_typalign;
} PartsSetup;

/* the rows of one conversation still to return (a row per key) */
typedef struct PartsRow
{
	Datum		values[P_NATTS];
	bool		nulls[P_NATTS];
} PartsRow;

typedef struct PartsState
{
	PartsSetup *setup;			/* NULL until the first conversation */
	TupleDesc	result_desc;	/* blessed, in fn_mcxt */
	MemoryContext rowcxt;		/* the rows' texts: reset per conversation */
	PartsRow   *rows;
	int			nrows;
	int			capacity;
	int			next;			/* next row to return; -1: none pending */
	ExprContext *econtext;		/* where the reset callback is registered */
} PartsState;

static uint32
target_hash(GcaStr queue, GcaStr medium)
{
	return hash_combine(hash_bytes((const unsigned char *) queue.ptr, queue.len),
						hash_bytes((const unsigned char *) medium.ptr, medium.len));
}

static bool
str_equal(GcaStr a, GcaStr b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* a text datum's bytes (array elements are never compressed or external) */
static GcaStr
text_str(Datum d)
{
	text	   *t = DatumGetTextPP(d);
	GcaStr		out = {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};

	return out;
}

/* the target of (queue, medium), or NULL */
static SlTarget *
target_find(PartsSetup *s, GcaStr queue, GcaStr medium)
{
	uint32		i = target_hash(queue, medium) & s->targets_mask;

	for (;;)
	{
		SlTarget   *t = &s->targets[i];

		if (t->queue.ptr == NULL)
			return NULL;
		if (str_equal(t->queue, queue) && str_equal(t->medium, medium))
			return t;
		i = (i + 1) & s->targets_mask;
	}
}

/* a text[] argument's elements (ptr NULL for a NULL element), copied */
static GcaStr *
text_array_strs(ArrayType *a, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	GcaStr	   *out;

	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc0(sizeof(GcaStr) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
		if (!nulls[i])
		{
			GcaStr		e = text_str(elems[i]);

			out[i].ptr = pnstrdup(e.ptr, e.len);
			out[i].len = e.len;
		}
	return out;
}

/* the setup's arguments flattened: equal bytes, equal setup */
static bytea *
setup_key(FunctionCallInfo fcinfo)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int a = SETUP_FIRST_ARG; a <= SETUP_LAST_ARG; a++)
	{
		if (PG_ARGISNULL(a))
			appendStringInfoChar(&buf, 'n');
		else
		{
			struct varlena *v;

			appendStringInfoChar(&buf, 'v');
			if (a == ARG_STEP)	/* interval, by value of its bytes */
			{
				appendBinaryStringInfo(&buf, (char *) PG_GETARG_INTERVAL_P(a), sizeof(Interval));
				continue;
			}
			if (a == ARG_SHORT_MS)
			{
				int64		ms = PG_GETARG_INT64(a);

				appendBinaryStringInfo(&buf, (char *) &ms, sizeof(ms));
				continue;
			}
			v = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(a));
			{
				uint32		len = VARSIZE_ANY_EXHDR(v);

				appendBinaryStringInfo(&buf, (char *) &len, sizeof(len));
				appendBinaryStringInfo(&buf, VARDATA_ANY(v), len);
			}
		}
	}
	{
		bytea	   *key = palloc(VARHDRSZ + buf.len);

		SET_VARSIZE(key, VARHDRSZ + buf.len);
		memcpy(VARDATA(key), buf.data, buf.len);
		pfree(buf.data);
		return key;
	}
}

/* the time zone, resolved as AT TIME ZONE resolves it (into s's context) */
static void
setup_zone(PartsSetup *s, Datum zone)
{
	char		tzname[TZ_STRLEN_MAX + 1];
	char	   *lowzone;
	int			type;
	int			val;
	pg_tz	   *tzp;

	s->zone = DatumGetTextPCopy(zone);
	text_to_cstring_buffer(s->zone, tzname, sizeof(tzname));
	lowzone = downcase_truncate_identifier(tzname, strlen(tzname), false);
	type = DecodeTimezoneAbbrev(0, lowzone, &val, &tzp);
	/* an abbreviation: timestamptz_zone() per value */
	s->tz = (type == TZ || type == DTZ || type == DYNTZ) ? NULL : pg_tzset(tzname);
}

/* the targets' hash table from their queues, media and whole ms, aligned */
static void
setup_targets(PartsSetup *s, ArrayType *queue_array, ArrayType *media_array, ArrayType *ms_array)
{
	int			nq,
				nm,
				nms;
	GcaStr	   *queues = text_array_strs(queue_array, &nq);
	GcaStr	   *media = text_array_strs(media_array, &nm);
	Datum	   *ms;
	bool	   *msnull;
	uint32		size = 16;

	deconstruct_array(ms_array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ms, &msnull, &nms);
	if (nq != nm || nq != nms)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the service level targets' queues, media and thresholds differ in length"),
				 errdetail("%d queues, %d media types, %d thresholds.", nq, nm, nms)));
	while (size < (uint32) nq * 4)
		size *= 2;
	s->targets = palloc0(sizeof(SlTarget) * size);
	s->targets_mask = size - 1;
	for (int i = 0; i < nq; i++)
	{
		uint32		h;

		/* a NULL queue or medium matches no entry (a join's NULL) */
		if (queues[i].ptr == NULL || media[i].ptr == NULL || target_find(s, queues[i], media[i]) != NULL)
			continue;
		h = target_hash(queues[i], media[i]) & s->targets_mask;
		while (s->targets[h].queue.ptr != NULL)
			h = (h + 1) & s->targets_mask;
		s->targets[h].queue = queues[i];
		s->targets[h].medium = media[i];
		s->targets[h].has_ms = !msnull[i];
		s->targets[h].ms = msnull[i] ? 0 : DatumGetInt64(ms[i]);
	}
}

/* the entries' type checked: gcanalytics.queue_entry's attributes */
static void
setup_entry_type(PartsSetup *s, Oid entry_type, TypeCacheEntry *tce)
{
	TupleDesc	td = tce->tupDesc;
	bool		ok = td->natts == QE_NATTS;

	for (int i = 0; ok && i < QE_NATTS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);

		ok = !att->attisdropped && att->atttypid == queue_entry_atts[i].type &&
			strcmp(NameStr(att->attname), queue_entry_atts[i].name) == 0;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the queue entries are not of type gcanalytics.queue_entry as this library knows it"),
				 errhint("Install the library of the extension's version (ALTER EXTENSION gcanalytics UPDATE).")));
	s->entry_type = entry_type;
	s->entry_identifier = tce->tupDesc_identifier;
	s->entry_desc = CreateTupleDescCopy(td);
	get_typlenbyvalalign(entry_type, &s->entry_typlen, &s->entry_typbyval, &s->entry_typalign);
}

/* the setup's arguments as passed now (by-reference ones: their pointers) */
static void
remember_args(PartsSetup *s, FunctionCallInfo fcinfo)
{
	for (int a = SETUP_FIRST_ARG; a <= SETUP_LAST_ARG; a++)
	{
		s->argnulls[a] = PG_ARGISNULL(a);
		s->args[a] = PG_GETARG_DATUM(a);
	}
}

/* whether the setup's arguments are the very ones it last saw */
static bool
same_args(PartsSetup *s, FunctionCallInfo fcinfo)
{
	for (int a = SETUP_FIRST_ARG; a <= SETUP_LAST_ARG; a++)
		if (s->argnulls[a] != PG_ARGISNULL(a) || (!s->argnulls[a] && s->args[a] != PG_GETARG_DATUM(a)))
			return false;
	return true;
}

/*
 * The setup of these arguments and entries' type: old when the arguments
 * are the same (the same pointers, else the same bytes), else a new one in
 * a context under parent (old's deleted).
 */
static PartsSetup *
parts_setup(FunctionCallInfo fcinfo, Oid entry_type, PartsSetup *old_setup, MemoryContext parent)
{
	MemoryContext cxt;
	MemoryContext old;
	PartsSetup *s;
	bytea	   *key;
	TypeCacheEntry *tce;

	if (old_setup != NULL && old_setup->entry_type == entry_type && same_args(old_setup, fcinfo))
		return old_setup;
	key = setup_key(fcinfo);
	tce = lookup_type_cache(entry_type, TYPECACHE_TUPDESC);
	if (tce->tupDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the queue entries are not of a composite type")));
	if (old_setup != NULL && old_setup->entry_type == entry_type &&
		old_setup->entry_identifier == tce->tupDesc_identifier &&
		VARSIZE(old_setup->key) == VARSIZE(key) &&
		memcmp(VARDATA(old_setup->key), VARDATA(key), VARSIZE(key) - VARHDRSZ) == 0)
	{
		remember_args(old_setup, fcinfo);
		pfree(key);
		return old_setup;
	}
	if (old_setup != NULL)
		MemoryContextDelete(old_setup->cxt);
	if (PG_ARGISNULL(ARG_TZ))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the time zone of the queue entries' days is null"),
				 errhint("Pass reporting_time_zone().")));
	if (PG_ARGISNULL(ARG_SL_QUEUES) || PG_ARGISNULL(ARG_SL_MEDIA) || PG_ARGISNULL(ARG_SL_MS) ||
		PG_ARGISNULL(ARG_EXCLUDED))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the service level targets and excluded queues of the queue entries are null"),
				 errhint("Pass empty arrays for none.")));

	cxt = AllocSetContextCreate(parent, "gcanalytics queue entry parts", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	s = palloc0(sizeof(PartsSetup));
	s->cxt = cxt;
	remember_args(s, fcinfo);
	s->key = palloc(VARSIZE(key));
	memcpy(s->key, key, VARSIZE(key));
	s->unknown_medium = CStringGetTextDatum("(unknown)");

	setup_zone(s, PG_GETARG_DATUM(ARG_TZ));

	s->has_step = !PG_ARGISNULL(ARG_STEP);
	if (s->has_step)
		s->step = *PG_GETARG_INTERVAL_P(ARG_STEP);
	s->has_short = !PG_ARGISNULL(ARG_SHORT_MS);
	if (s->has_short)
		s->short_ms = PG_GETARG_INT64(ARG_SHORT_MS);

	setup_targets(s, PG_GETARG_ARRAYTYPE_P(ARG_SL_QUEUES), PG_GETARG_ARRAYTYPE_P(ARG_SL_MEDIA),
				  PG_GETARG_ARRAYTYPE_P(ARG_SL_MS));
	s->excluded = text_array_strs(PG_GETARG_ARRAYTYPE_P(ARG_EXCLUDED), &s->nexcluded);

	setup_entry_type(s, entry_type, tce);
	MemoryContextSwitchTo(old);
	pfree(key);
	return s;
}

/* (ts AT TIME ZONE zone)::date */
static DateADT
local_day(PartsSetup *s, TimestampTz ts)
{
	Timestamp	local;

	if (TIMESTAMP_IS_NOBEGIN(ts))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(ts))
		return DATEVAL_NOEND;
	if (s->tz != NULL)
	{
		struct pg_tm tm;
		fsec_t		fsec;
		int			tz;

		if (timestamp2tm(ts, &tz, &tm, &fsec, NULL, s->tz) != 0 ||
			tm2timestamp(&tm, fsec, NULL, &local) != 0 || !IS_VALID_TIMESTAMP(local))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
	}
	else
		local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, PointerGetDatum(s->zone),
													  TimestampTzGetDatum(ts)));
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, TimestampGetDatum(local)));
}

/* date_bin(step, ts, '2000-01-03 00:00+00'): bins from a UTC Monday midnight */
static TimestampTz
bin_of(PartsSetup *s, TimestampTz ts)
{
	const TimestampTz origin = 2 * USECS_PER_DAY;	/* 2000-01-03 00:00+00 */

	return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_bin, IntervalPGetDatum(&s->step),
												   TimestampTzGetDatum(ts), TimestampTzGetDatum(origin)));
}

/* the row of key (day or bin) among the conversation's rows, added when new */
static PartsRow *
row_for(PartsState *st, PartsSetup *s, DateADT start_day, TimestampTz at, Datum queue, bool queue_null,
		Datum medium)
{
	Datum		day = 0;
	Datum		bin = 0;

	if (s->has_step)
		bin = TimestampTzGetDatum(bin_of(s, at));
	else
		day = DateADTGetDatum(local_day(s, at));
	for (int i = 0; i < st->nrows; i++)
	{
		PartsRow   *r = &st->rows[i];

		if (r->values[P_DAY] == day && r->values[P_BIN] == bin &&
			r->nulls[P_QUEUE_ID] == queue_null &&
			(queue_null || datumIsEqual(r->values[P_QUEUE_ID], queue, false, -1)) &&
			datumIsEqual(r->values[P_MEDIA_TYPE], medium, false, -1))
			return r;
	}
	if (st->nrows == st->capacity)
	{
		st->capacity *= 2;
		st->rows = repalloc(st->rows, sizeof(PartsRow) * st->capacity);
	}
	{
		PartsRow   *r = &st->rows[st->nrows++];

		memset(r->nulls, false, sizeof(r->nulls));
		r->values[P_START_DAY] = DateADTGetDatum(start_day);
		r->values[P_DAY] = day;
		r->nulls[P_DAY] = s->has_step;
		r->values[P_BIN] = bin;
		r->nulls[P_BIN] = !s->has_step;
		for (int c = P_OFFERED; c <= P_HANDLED; c++)
			r->values[c] = Int32GetDatum(0);
		/* the sums: NULL until a metric with a value adds to them */
		for (int c = P_WAIT_MS; c <= P_HANDLE_MS; c++)
		{
			r->values[c] = Int64GetDatum(0);
			r->nulls[c] = true;
		}
		/* the texts outlive this call's memory (the next rows are returned later) */
		r->values[P_QUEUE_ID] = queue_null ? (Datum) 0 : datumCopy(queue, false, -1);
		r->nulls[P_QUEUE_ID] = queue_null;
		r->values[P_MEDIA_TYPE] = datumCopy(medium, false, -1);
		return r;
	}
}

static void
add_count(PartsRow *r, int col, bool yes)
{
	if (yes)
		r->values[col] = Int32GetDatum(DatumGetInt32(r->values[col]) + 1);
}

static void
add_ms(PartsRow *r, int col, bool isnull, Datum ms)
{
	if (isnull)
		return;
	r->values[col] = Int64GetDatum((r->nulls[col] ? 0 : DatumGetInt64(r->values[col])) + DatumGetInt64(ms));
	r->nulls[col] = false;
}

/* whether an entry's queue is excluded: queue_id NOT IN (the excluded queues) */
static bool
queue_excluded(PartsSetup *s, Datum queue, bool queue_null)
{
	GcaStr		q;

	if (s->nexcluded == 0)
		return false;
	if (queue_null)
		return true;			/* NULL NOT IN (a non-empty list): not true */
	q = text_str(queue);
	for (int x = 0; x < s->nexcluded; x++)
		if (s->excluded[x].ptr == NULL || str_equal(s->excluded[x], q))
			return true;
	return false;
}

/*
 * Whether an entry's wait is within its service level target; *known false
 * when either is NULL (the comparison's NULL).
 */
static bool
within_target(PartsSetup *s, Datum *v, bool *isnull, Datum medium, bool *known)
{
	const GcaStr star = {"*", 1};
	GcaStr		m = text_str(medium);
	SlTarget   *t = NULL;
	SlTarget   *any_queue;

	*known = false;
	if (isnull[QE_WAIT_MS])
		return false;
	any_queue = target_find(s, star, m);
	/* a medium without a target of its own: '*' */
	if (any_queue == NULL)
	{
		m = star;
		any_queue = target_find(s, star, m);
	}
	if (!isnull[QE_QUEUE_ID])
		t = target_find(s, text_str(v[QE_QUEUE_ID]), m);
	if (t == NULL || !t->has_ms)
		t = any_queue;
	if (t == NULL || !t->has_ms)
		return false;
	*known = true;
	return DatumGetInt64(v[QE_WAIT_MS]) <= t->ms;
}

/* one entry's metrics (deformed: v, isnull) added to the conversation's rows */
static void
entry_rows(PartsState *st, PartsSetup *s, DateADT start_day, Datum *v, bool *isnull)
{
	Datum		medium;
	bool		entered = !isnull[QE_OFFERED_AT];
	bool		short_known = !isnull[QE_WAIT_MS] && s->has_short;
	bool		is_short = short_known && DatumGetInt64(v[QE_WAIT_MS]) <= s->short_ms;
	bool		sl_known;
	bool		in_sl;
	PartsRow   *r;

	if (isnull[QE_OFFERED_AT] && isnull[QE_ANSWERED_AT] && isnull[QE_ABANDONED_AT])
		return;
	if (queue_excluded(s, v[QE_QUEUE_ID], isnull[QE_QUEUE_ID]))
		return;
	medium = isnull[QE_MEDIA_TYPE] ? s->unknown_medium : v[QE_MEDIA_TYPE];
	in_sl = within_target(s, v, isnull, medium, &sl_known);

	if (!isnull[QE_OFFERED_AT])
	{
		r = row_for(st, s, start_day, DatumGetTimestampTz(v[QE_OFFERED_AT]), v[QE_QUEUE_ID],
					isnull[QE_QUEUE_ID], medium);
		add_count(r, P_OFFERED, true);
		add_ms(r, P_WAIT_MS, isnull[QE_WAIT_MS], v[QE_WAIT_MS]);
	}
	if (!isnull[QE_ANSWERED_AT])
	{
		r = row_for(st, s, start_day, DatumGetTimestampTz(v[QE_ANSWERED_AT]), v[QE_QUEUE_ID],
					isnull[QE_QUEUE_ID], medium);
		add_count(r, P_ANSWERED, true);
		add_count(r, P_ANSWERED_IN_SL, entered && sl_known && in_sl);
		add_count(r, P_SL_ENTRIES, entered);
		add_count(r, P_HANDLED, !isnull[QE_HANDLE_MS]);
		add_ms(r, P_ANSWER_MS, isnull[QE_ANSWER_MS], v[QE_ANSWER_MS]);
		add_ms(r, P_HANDLE_MS, isnull[QE_HANDLE_MS], v[QE_HANDLE_MS]);
	}
	if (!isnull[QE_ABANDONED_AT])
	{
		r = row_for(st, s, start_day, DatumGetTimestampTz(v[QE_ABANDONED_AT]), v[QE_QUEUE_ID],
					isnull[QE_QUEUE_ID], medium);
		/* short NULL counts as not short */
		add_count(r, P_ABANDONED, !is_short);
		add_count(r, P_SL_ENTRIES, !is_short);
		add_count(r, P_SHORT_ABANDONED, is_short);
	}
}

/* the rows of one conversation's entries into st */
static void
conversation_rows(PartsState *st, PartsSetup *s, ArrayType *entries, TimestampTz start)
{
	Datum	   *elems;
	bool	   *elnulls;
	int			n;
	DateADT		start_day = local_day(s, start);

	deconstruct_array(entries, s->entry_type, s->entry_typlen, s->entry_typbyval, s->entry_typalign,
					  &elems, &elnulls, &n);
	for (int e = 0; e < n; e++)
	{
		HeapTupleHeader h;
		HeapTupleData tup;
		Datum		v[QE_NATTS];
		bool		isnull[QE_NATTS];

		if (elnulls[e])
			continue;			/* no times: counts nothing */
		h = DatumGetHeapTupleHeader(elems[e]);
		tup.t_len = HeapTupleHeaderGetDatumLength(h);
		ItemPointerSetInvalid(&tup.t_self);
		tup.t_tableOid = InvalidOid;
		tup.t_data = h;
		heap_deform_tuple(&tup, s->entry_desc, v, isnull);
		entry_rows(st, s, start_day, v, isnull);
	}
}

/* conversation_start + acd_ms * interval '1 millisecond', as SQL computes it */
static Datum
after_acd(Datum start, Datum acd_ms)
{
	Interval	ms = {0};
	Datum		span;

	ms.time = 1000;
	span = DirectFunctionCall2(interval_mul, IntervalPGetDatum(&ms), Float8GetDatum((float8) DatumGetInt64(acd_ms)));
	return DirectFunctionCall2(timestamptz_pl_interval, start, span);
}

/*
 * The rows of a conversation loaded before 0.3.0 and not reloaded since (no
 * queue_entries, a queue): its first queue only, from its columns: entered
 * at the start, waited acd_ms, abandoned then when it was abandoned,
 * answered then by its agent otherwise, tAnswered its alert_ms.
 */
static void
legacy_rows(PartsState *st, PartsSetup *s, FunctionCallInfo fcinfo)
{
	Datum		v[QE_NATTS] = {0};
	bool		isnull[QE_NATTS];
	bool		abandoned = !PG_ARGISNULL(ARG_ABANDONED) && PG_GETARG_BOOL(ARG_ABANDONED);
	bool		has_wait = !PG_ARGISNULL(ARG_ACD_MS);

	memset(isnull, true, sizeof(isnull));
	v[QE_QUEUE_ID] = PointerGetDatum(PG_GETARG_TEXT_PP(ARG_QUEUE_ID));
	isnull[QE_QUEUE_ID] = false;
	isnull[QE_MEDIA_TYPE] = PG_ARGISNULL(ARG_MEDIA_TYPE);
	if (!isnull[QE_MEDIA_TYPE])
		v[QE_MEDIA_TYPE] = PointerGetDatum(PG_GETARG_TEXT_PP(ARG_MEDIA_TYPE));
	v[QE_OFFERED_AT] = PG_GETARG_DATUM(ARG_START);
	isnull[QE_OFFERED_AT] = false;
	isnull[QE_WAIT_MS] = !has_wait;
	if (has_wait)
		v[QE_WAIT_MS] = PG_GETARG_DATUM(ARG_ACD_MS);
	isnull[QE_ABANDONED_AT] = !(abandoned && has_wait);
	if (!isnull[QE_ABANDONED_AT])
		v[QE_ABANDONED_AT] = after_acd(PG_GETARG_DATUM(ARG_START), PG_GETARG_DATUM(ARG_ACD_MS));
	isnull[QE_ANSWERED_AT] = !(!PG_ARGISNULL(ARG_AGENT_ID) && !abandoned && has_wait);
	if (!isnull[QE_ANSWERED_AT])
		v[QE_ANSWERED_AT] = after_acd(PG_GETARG_DATUM(ARG_START), PG_GETARG_DATUM(ARG_ACD_MS));
	isnull[QE_ANSWER_MS] = PG_ARGISNULL(ARG_ALERT_MS);
	if (!isnull[QE_ANSWER_MS])
		v[QE_ANSWER_MS] = PG_GETARG_DATUM(ARG_ALERT_MS);
	entry_rows(st, s, local_day(s, PG_GETARG_TIMESTAMPTZ(ARG_START)), v, isnull);
}

/* the pending rows dropped (the executor rescans or ends mid-conversation) */
static void
parts_state_reset(Datum arg)
{
	PartsState *st = (PartsState *) DatumGetPointer(arg);

	st->next = -1;
	st->econtext = NULL;
}

/*
 * gcanalytics._queue_entry_parts(entries queue_entry[], conversation_start
 * timestamptz, queue_id text, media_type text, acd_ms bigint, abandoned
 * boolean, agent_id text, alert_ms bigint, tz text, step interval, short_ms
 * bigint, sl_queues text[], sl_media text[], sl_ms bigint[], excluded
 * text[]): a row per distinct (start day, day or interval, queue, media
 * type) of the entries' metrics, with their counts and milliseconds (file
 * header); entries NULL: those of the first queue from its columns (a row
 * loaded before 0.3.0).  step NULL: days in tz; else intervals of step (day
 * NULL).  Returns rows one at a time (value per call, in a select list as
 * well as in FROM).
 */
Datum
gca_queue_entry_parts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PartsState *st = (PartsState *) fcinfo->flinfo->fn_extra;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || !(rsinfo->allowedModes & SFRM_ValuePerCall))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (st == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	rd;

		if (get_call_result_type(fcinfo, NULL, &rd) != TYPEFUNC_COMPOSITE || rd->natts != P_NATTS)
			elog(ERROR, "_queue_entry_parts must return %d columns", P_NATTS);
		st = palloc0(sizeof(PartsState));
		st->result_desc = BlessTupleDesc(CreateTupleDescCopy(rd));
		st->rowcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "gcanalytics queue entry rows",
										   ALLOCSET_SMALL_SIZES);
		st->capacity = 4;
		st->rows = palloc(sizeof(PartsRow) * st->capacity);
		st->next = -1;
		fcinfo->flinfo->fn_extra = st;
		MemoryContextSwitchTo(old);
	}
	rsinfo->returnMode = SFRM_ValuePerCall;

	if (st->next < 0)
	{
		/* a new conversation */
		MemoryContext old;

		st->nrows = 0;
		/* no start, or neither entries nor a first queue: no rows */
		if (PG_ARGISNULL(ARG_START) || (PG_ARGISNULL(ARG_ENTRIES) && PG_ARGISNULL(ARG_QUEUE_ID)))
		{
			rsinfo->isDone = ExprEndResult;
			PG_RETURN_NULL();
		}
		MemoryContextReset(st->rowcxt);
		st->setup = parts_setup(fcinfo, get_element_type(get_fn_expr_argtype(fcinfo->flinfo, ARG_ENTRIES)),
								st->setup, fcinfo->flinfo->fn_mcxt);
		old = MemoryContextSwitchTo(st->rowcxt);
		if (PG_ARGISNULL(ARG_ENTRIES))
			legacy_rows(st, st->setup, fcinfo);
		else
			conversation_rows(st, st->setup, PG_GETARG_ARRAYTYPE_P(ARG_ENTRIES), PG_GETARG_TIMESTAMPTZ(ARG_START));
		MemoryContextSwitchTo(old);
		if (st->nrows == 0)
		{
			rsinfo->isDone = ExprEndResult;
			PG_RETURN_NULL();
		}
		st->next = 0;
		st->econtext = rsinfo->econtext;
		RegisterExprContextCallback(st->econtext, parts_state_reset, PointerGetDatum(st));
	}
	if (st->next < st->nrows)
	{
		PartsRow   *r = &st->rows[st->next++];

		rsinfo->isDone = ExprMultipleResult;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(st->result_desc, r->values, r->nulls)));
	}
	UnregisterExprContextCallback(st->econtext, parts_state_reset, PointerGetDatum(st));
	parts_state_reset(PointerGetDatum(st));
	rsinfo->isDone = ExprEndResult;
	PG_RETURN_NULL();
}
