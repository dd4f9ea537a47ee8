/*-------------------------------------------------------------------------
 *
 * timeline.c
 *		gcanalytics.timeline() and gcanalytics.timeline_events(): the
 *		interaction reconstructed from a Genesys Cloud conversation detail
 *		record (participants -> sessions -> segments and metrics).
 *
 * Both functions share one reconstruction (tl_build): every segment is
 * read, classified by participant purpose and segment type into a KPI
 * "kind", sorted deterministically, summed, and checked by a small state
 * machine per participant and session.  Problems in the record never stop
 * the query: they set valid = false and name the anomaly.  Only a top level
 * that is not a JSON object, and records past a size limit, raise errors.
 *
 * Classification (README "KPI functions" has the user-facing version):
 *	acd participant:	hold/system/parked -> system_hold, else queue
 *	ivr:				hold/system/parked -> system_hold, else ivr
 *	botflow:			hold/system/parked -> system_hold, else bot
 *	agent, user:		interact -> talk, hold -> customer_hold,
 *						wrapup -> acw, alert -> alert,
 *						system/parked -> system_hold, else other
 *	customer, external: party (mirrors the others; never counted)
 *	anything else:		hold/system/parked -> system_hold, else other
 * A conversation in progress (no conversationEnd) is valid; a segment
 * without end counts nothing yet (event flag "open"), and neither do the
 * finished talk, hold and wrap-up segments of a session still open (flag
 * "pending"), since their metrics come when the session ends; finished
 * alerts count.
 *
 * first_queue_id is the queue of the first acd segment that has one; a
 * conversation without any (an outbound call) takes the first segment's
 * queue.  last_agent_id is the user of the agent whose talk started last.
 * transfers counts agent segments whose disconnectType is transfer,
 * consultTransfer, forwardTransfer or conferenceTransfer (the API puts it
 * on the session's last segment), as nTransferred does.
 * A system hold on an acd or ivr participant also counts in queue_wait_ms
 * or ivr_ms, as it does in the tAcd and tIvr metrics: the caller is still
 * in the queue or the IVR while held there.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/timeline.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gcanalytics_timeline);
PG_FUNCTION_INFO_V1(gcanalytics_timeline_events);

/* a segment duration may differ this much from its session metric */
#define TL_TOLERANCE_MS		1000
/* records with more segments than this are refused */
#define TL_MAX_SEGMENTS		100000

typedef enum TlClass
{
	PC_CUSTOMER,				/* customer: mirrors the conversation */
	PC_EXTERNAL,				/* external party (consult or transfer target) */
	PC_FLOW,					/* ivr */
	PC_BOT,						/* botflow */
	PC_ACD,						/* acd: the queue */
	PC_AGENT,					/* agent, user */
	PC_OTHER
} TlClass;

typedef enum TlKind
{
	K_QUEUE,
	K_IVR,
	K_TALK,
	K_CUSTOMER_HOLD,
	K_SYSTEM_HOLD,
	K_ACW,
	K_ALERT,
	K_OTHER,
	K_PARTY,
	K_BOT,
	K_NKINDS
} TlKind;

static const char *const kind_names[K_NKINDS] = {
	"queue", "ivr", "talk", "customer_hold", "system_hold", "acw", "alert",
	"other", "party", "bot"
};

/* the timeline() column of each kind's sum; NULL when not a column */
static const char *const sum_column_names[K_NKINDS] = {
	"queue_wait_ms", "ivr_ms", "talk_ms", "customer_hold_ms",
	"system_hold_ms", "acw_ms", "alert_ms", NULL, NULL, NULL
};

/* anomalies, in the order they are reported */
typedef enum TlAnomaly
{
	AN_MALFORMED,
	AN_BAD_TIME,
	AN_NO_SEGMENTS,
	AN_NO_END,
	AN_END_BEFORE_START,
	AN_OVERLAP,
	AN_WRAPUP_BEFORE_TALK,
	AN_DANGLING_TRANSFER,
	AN_METRIC,
	AN_OVERFLOW,
	AN_N
} TlAnomaly;

static const char *const anomaly_names[AN_N] = {
	"malformed record",
	"invalid timestamp",
	"no segments",
	"segment without end",
	"segment ends before it starts",
	"overlapping agent segments",
	"wrap-up before talk",
	"transfer without following queue or agent",
	"metric disagreement",
	"sum out of range"
};

/* session metrics that the segments are checked against */
typedef enum TlMetric
{
	M_TACD,
	M_TABANDON,
	M_TIVR,
	M_TTALK,
	M_THELD,
	M_TACW,
	M_TALERT,
	M_NTRANSFERRED,
	M_N
} TlMetric;

static const char *const metric_names[M_N] = {
	"tAcd", "tAbandon", "tIvr", "tTalk", "tHeld", "tAcw", "tAlert",
	"nTransferred"
};

/* purposes: sort priority and class; unknown purposes sort last */
typedef struct TlPurpose
{
	const char *name;
	int			prio;
	TlClass		pclass;
} TlPurpose;

static const TlPurpose purposes[] = {
	{"customer", 0, PC_CUSTOMER},
	{"external", 1, PC_EXTERNAL},
	{"ivr", 2, PC_FLOW},
	{"botflow", 3, PC_BOT},
	{"acd", 4, PC_ACD},
	{"agent", 5, PC_AGENT},
	{"user", 6, PC_AGENT},
};
#define TL_OTHER_PRIO 7

/* disconnect types that mean an agent transferred the interaction */
static const char *const transfer_kinds[] = {
	"transfer", "consultTransfer", "forwardTransfer", "conferenceTransfer"
};

typedef struct TlParticipant
{
	GcaStr		participant_id;
	GcaStr		purpose;
	GcaStr		user_id;
	TlClass		pclass;
	int			prio;
	bool		has_talk;		/* a talk segment seen so far (sorted walk) */
} TlParticipant;

typedef struct TlSession
{
	int			participant;	/* index into parts */
	int			pj,
				sj;				/* JSON indices, for messages */
	GcaStr		session_id;
	GcaStr		media_type;
	int64		metric[M_N];	/* summed metric values */
	uint32		metric_present; /* bit per TlMetric */
	uint32		metric_overflow;	/* bit per TlMetric: sum left bigint */
	int64		sum[K_NKINDS];	/* segment durations by kind */
	int			transfers;		/* transfer segments */
	bool		has_open;		/* a segment without end */
	bool		seen;			/* for the overlap check */
	int64		max_end;		/* for the overlap check */
} TlSession;

typedef struct TlSegment
{
	int64		start_ms;
	int64		end_ms;
	bool		time_ok;		/* start (and end, if any) parsed */
	bool		has_end;
	bool		counted;		/* duration added to the sums */
	bool		pending;		/* closed, but its session is still open */
	bool		is_transfer;
	TlKind		kind;
	int			participant;
	int			session;
	int			input_idx;
	int			gj;				/* JSON index within its session */
	GcaStr		segment_type;
	GcaStr		queue_id;
	GcaStr		disconnect_type;
	uint32		flags;			/* bit per TlAnomaly touching it */
} TlSegment;

typedef struct Timeline
{
	TlParticipant *parts;
	int			nparts;
	TlSession  *sess;
	int			nsess;
	int			sess_cap;
	TlSegment  *segs;
	int			nsegs;
	int			segs_cap;
	bool		finished;		/* conversationEnd present */
	/* results */
	int64		sum[K_NKINDS];
	uint32		sum_overflow;	/* bit per TlKind: sum left bigint */
	int			transfers;
	GcaStr		first_queue_id;
	GcaStr		last_agent_id;
	uint32		anomalies;		/* bit per TlAnomaly */
	char	   *detail[AN_N];	/* first occurrence of each */
} Timeline;

/* where an object sits in the record: participants[pj] or its sessions[sj] */
typedef struct TlPath
{
	int			pj;
	int			sj;				/* -1 for the participant itself */
} TlPath;

/* "participants[i]" or "participants[i].sessions[j]", palloc'd */
static char *
path_str(TlPath where)
{
	if (where.sj < 0)
		return psprintf("participants[%d]", where.pj);
	return psprintf("participants[%d].sessions[%d]", where.pj, where.sj);
}

/*
 * Records anomaly an; the first occurrence of each kind keeps a detail
 * message (formatted only then).
 */
static void
tl_note(Timeline *tl, TlAnomaly an, const char *fmt,...)
pg_attribute_printf(3, 4);

static void
tl_note(Timeline *tl, TlAnomaly an, const char *fmt,...)
{
	StringInfoData buf;

	tl->anomalies |= (1u << an);
	if (tl->detail[an] != NULL)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	tl->detail[an] = buf.data;
}

/* notes an anomaly on a segment and flags the segment */
#define tl_note_seg(tl, seg, an, ...) \
	do { \
		(seg)->flags |= (1u << (an)); \
		tl_note((tl), (an), __VA_ARGS__); \
	} while (0)

/* byte-wise comparison of two present strings, shorter first on a tie */
static int
str_cmp(GcaStr a, GcaStr b)
{
	int			n = Min(a.len, b.len);
	int			c = n > 0 ? memcmp(a.ptr, b.ptr, n) : 0;

	if (c != 0)
		return c;
	return (a.len > b.len) - (a.len < b.len);
}

/* "participants[i].sessions[j].segments[k]" of a segment */
static char *
seg_path(Timeline *tl, TlSegment *seg)
{
	TlSession  *s = &tl->sess[seg->session];

	return psprintf("participants[%d].sessions[%d].segments[%d]",
					s->pj, s->sj, seg->gj);
}

/* the KPI kind of a segment type on a participant class (file header) */
static TlKind
classify(TlClass pclass, GcaStr type)
{
	bool		holdlike = gca_str_eq(type, "hold");
	bool		systemlike = gca_str_eq(type, "system") ||
		gca_str_eq(type, "parked");

	switch (pclass)
	{
		case PC_CUSTOMER:
		case PC_EXTERNAL:
			return K_PARTY;
		case PC_AGENT:
			if (gca_str_eq(type, "interact"))
				return K_TALK;
			if (holdlike)
				return K_CUSTOMER_HOLD;
			if (gca_str_eq(type, "wrapup"))
				return K_ACW;
			if (gca_str_eq(type, "alert"))
				return K_ALERT;
			if (systemlike)
				return K_SYSTEM_HOLD;
			return K_OTHER;
		case PC_ACD:
			return (holdlike || systemlike) ? K_SYSTEM_HOLD : K_QUEUE;
		case PC_FLOW:
			return (holdlike || systemlike) ? K_SYSTEM_HOLD : K_IVR;
		case PC_BOT:
			return (holdlike || systemlike) ? K_SYSTEM_HOLD : K_BOT;
		case PC_OTHER:
			break;
	}
	return (holdlike || systemlike) ? K_SYSTEM_HOLD : K_OTHER;
}

/*
 * Reads an optional string field of the object at where (or, when k >= 0,
 * of where.segments[k]); a value of another type is noted as a malformed
 * record and treated as absent.
 */
static GcaStr
read_str(Timeline *tl, JsonbContainer *obj, const char *key,
		 TlPath where, int k)
{
	GcaStr		s;

	if (gca_jb_string(obj, key, &s) != GCA_JB_WRONG_TYPE)
		return s;
	if (k >= 0)
		tl_note(tl, AN_MALFORMED, "%s.segments[%d].%s is not a string",
				path_str(where), k, key);
	else
		tl_note(tl, AN_MALFORMED, "%s.%s is not a string", path_str(where), key);
	return s;
}

/*
 * Reads an optional array field; another type is noted and treated as
 * absent (NULL).
 */
static JsonbContainer *
read_array(Timeline *tl, JsonbContainer *obj, const char *key,
		   TlPath where)
{
	JsonbContainer *arr;

	if (gca_jb_container(obj, key, true, &arr) == GCA_JB_WRONG_TYPE)
		tl_note(tl, AN_MALFORMED, "%s.%s is not an array", path_str(where), key);
	return arr;
}

/*
 * Adds the session metrics the segments are checked against (TlMetric) to
 * s; other metrics are ignored, unusable values noted as malformed.
 */
static void
read_metrics(Timeline *tl, TlSession *s, JsonbContainer *metrics,
			 TlPath where)
{
	int			n = JsonContainerSize(metrics);

	for (int k = 0; k < n; k++)
	{
		JsonbContainer *m;
		GcaStr		name;
		int64		value;
		int			which;

		if (gca_jb_array_element(metrics, k, &m) != GCA_JB_OK)
		{
			tl_note(tl, AN_MALFORMED, "%s.metrics[%d] is not an object",
					path_str(where), k);
			continue;
		}
		if (gca_jb_string(m, "name", &name) != GCA_JB_OK)
			continue;
		for (which = 0; which < M_N; which++)
			if (gca_str_eq(name, metric_names[which]))
				break;
		if (which == M_N)
			continue;
		if (gca_jb_int64(m, "value", &value) != GCA_JB_OK)
		{
			tl_note(tl, AN_MALFORMED, "%s.metrics[%d].value is not an integer in range",
					path_str(where), k);
			continue;
		}
		if (s->metric_overflow & (1u << which))
			continue;
		if (pg_add_s64_overflow(s->metric[which], value, &s->metric[which]))
		{
			/* the sum is unknown: neither checked nor trusted */
			s->metric_overflow |= (1u << which);
			s->metric_present &= ~(1u << which);
			tl_note(tl, AN_OVERFLOW, "%s %s sum exceeds the bigint range",
					path_str(where), metric_names[which]);
			continue;
		}
		s->metric_present |= (1u << which);
	}
}

/*
 * Appends the segments of session sidx to tl->segs (growing it), with
 * their kind, transfer flag and parsed times.  Errors (54000) past
 * TL_MAX_SEGMENTS; everything else wrong is noted on the timeline.
 */
static void
read_segments(Timeline *tl, int sidx, JsonbContainer *segments,
			  TlPath where)
{
	int			n = JsonContainerSize(segments);
	TlParticipant *p = &tl->parts[tl->sess[sidx].participant];

	if (tl->nsegs + n > TL_MAX_SEGMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("conversation has too many segments"),
				 errdetail("A conversation may have at most %d segments.",
						   TL_MAX_SEGMENTS)));
	if (tl->nsegs + n > tl->segs_cap)
	{
		tl->segs_cap = Max(tl->segs_cap * 2, tl->nsegs + n);
		tl->segs = repalloc(tl->segs, sizeof(TlSegment) * tl->segs_cap);
	}
	for (int k = 0; k < n; k++)
	{
		JsonbContainer *g;
		TlSegment  *seg;
		GcaStr		ts;
		GcaJbResult r;

		if (gca_jb_array_element(segments, k, &g) != GCA_JB_OK)
		{
			tl_note(tl, AN_MALFORMED, "%s.segments[%d] is not an object",
					path_str(where), k);
			continue;
		}
		seg = &tl->segs[tl->nsegs];
		memset(seg, 0, sizeof(TlSegment));
		seg->participant = tl->sess[sidx].participant;
		seg->session = sidx;
		seg->input_idx = tl->nsegs;
		seg->gj = k;
		seg->time_ok = true;
		tl->nsegs++;

		seg->segment_type = read_str(tl, g, "segmentType", where, k);
		seg->queue_id = read_str(tl, g, "queueId", where, k);
		seg->disconnect_type = read_str(tl, g, "disconnectType", where, k);
		seg->kind = classify(p->pclass, seg->segment_type);
		if (p->pclass == PC_AGENT && seg->disconnect_type.ptr != NULL)
		{
			for (int t = 0; t < lengthof(transfer_kinds); t++)
				if (gca_str_eq(seg->disconnect_type, transfer_kinds[t]))
					seg->is_transfer = true;
		}

		r = gca_jb_string(g, "segmentStart", &ts);
		if (r != GCA_JB_OK ||
			!gca_parse_iso8601_ms(ts.ptr, ts.len, &seg->start_ms))
		{
			seg->time_ok = false;
			tl_note_seg(tl, seg, AN_BAD_TIME, "%s.segments[%d].segmentStart %s",
						path_str(where), k, r == GCA_JB_ABSENT ? "is missing" : "is invalid");
		}
		r = gca_jb_string(g, "segmentEnd", &ts);
		if (r == GCA_JB_OK)
		{
			seg->has_end = true;
			if (!gca_parse_iso8601_ms(ts.ptr, ts.len, &seg->end_ms))
			{
				seg->time_ok = false;
				tl_note_seg(tl, seg, AN_BAD_TIME,
							"%s.segments[%d].segmentEnd is invalid", path_str(where), k);
			}
		}
		else if (r == GCA_JB_WRONG_TYPE)
		{
			seg->has_end = true;
			seg->time_ok = false;
			tl_note_seg(tl, seg, AN_BAD_TIME,
						"%s.segments[%d].segmentEnd is invalid", path_str(where), k);
		}
	}
}

/*
 * Reads session j of participant number i (the last one read) from its
 * sessions array into tl: its ids, metrics and segments.  Notes an
 * anomaly when it is not an object.
 */
static void
read_session(Timeline *tl, JsonbContainer *sessions, int i, int j)
{
	JsonbContainer *sobj;
	JsonbContainer *arr;
	TlSession  *s;
	TlPath		where = {i, -1};
	TlPath		swhere = {i, j};

	if (gca_jb_array_element(sessions, j, &sobj) != GCA_JB_OK)
	{
		tl_note(tl, AN_MALFORMED, "%s.sessions[%d] is not an object",
				path_str(where), j);
		return;
	}
	if (tl->nsess == tl->sess_cap)
	{
		tl->sess_cap *= 2;
		tl->sess = repalloc(tl->sess, sizeof(TlSession) * tl->sess_cap);
	}
	s = &tl->sess[tl->nsess];
	memset(s, 0, sizeof(TlSession));
	s->participant = tl->nparts - 1;
	s->pj = i;
	s->sj = j;
	tl->nsess++;
	s->session_id = read_str(tl, sobj, "sessionId", swhere, -1);
	s->media_type = read_str(tl, sobj, "mediaType", swhere, -1);
	if ((arr = read_array(tl, sobj, "metrics", swhere)) != NULL)
		read_metrics(tl, s, arr, swhere);
	if ((arr = read_array(tl, sobj, "segments", swhere)) != NULL)
		read_segments(tl, tl->nsess - 1, arr, swhere);
}

/*
 * Reads the record into tl (palloc'd in the current memory context).
 * Raises an error only when the top level is not an object or the record
 * is too large; everything else is noted as an anomaly.
 */
static void
tl_read(Timeline *tl, Jsonb *jb)
{
	JsonbContainer *root = &jb->root;
	JsonbContainer *participants;
	GcaStr		ts;
	GcaJbResult r;
	int			np;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversation must be a JSON object"),
				 errdetail("The value given is a JSON %s.",
						   JB_ROOT_IS_SCALAR(jb) ? "scalar" : "array"),
				 errhint("Pass one conversation detail record, such as the \"raw\" column of gc.conversations.")));

	memset(tl, 0, sizeof(Timeline));
	tl->segs_cap = 16;
	tl->segs = palloc(sizeof(TlSegment) * tl->segs_cap);
	tl->sess_cap = 8;
	tl->sess = palloc(sizeof(TlSession) * tl->sess_cap);

	r = gca_jb_string(root, "conversationEnd", &ts);
	if (r == GCA_JB_OK)
	{
		int64		dummy;

		tl->finished = true;
		if (!gca_parse_iso8601_ms(ts.ptr, ts.len, &dummy))
			tl_note(tl, AN_BAD_TIME, "conversationEnd is invalid");
	}
	else if (r == GCA_JB_WRONG_TYPE)
	{
		tl->finished = true;
		tl_note(tl, AN_BAD_TIME, "conversationEnd is invalid");
	}

	r = gca_jb_container(root, "participants", true, &participants);
	if (r != GCA_JB_OK)
	{
		tl_note(tl, AN_MALFORMED, r == GCA_JB_ABSENT ?
				"participants is missing" : "participants is not an array");
		tl->parts = palloc(sizeof(TlParticipant));
		return;
	}
	np = JsonContainerSize(participants);
	tl->parts = palloc0(sizeof(TlParticipant) * Max(np, 1));

	for (int i = 0; i < np; i++)
	{
		JsonbContainer *pobj;
		JsonbContainer *sessions;
		TlParticipant *p;
		TlPath		where = {i, -1};
		int			ns;

		CHECK_FOR_INTERRUPTS();
		if (gca_jb_array_element(participants, i, &pobj) != GCA_JB_OK)
		{
			tl_note(tl, AN_MALFORMED, "participants[%d] is not an object", i);
			continue;
		}
		p = &tl->parts[tl->nparts];
		p->participant_id = read_str(tl, pobj, "participantId", where, -1);
		p->purpose = read_str(tl, pobj, "purpose", where, -1);
		p->user_id = read_str(tl, pobj, "userId", where, -1);
		p->pclass = PC_OTHER;
		p->prio = TL_OTHER_PRIO;
		for (int k = 0; k < lengthof(purposes); k++)
			if (gca_str_eq(p->purpose, purposes[k].name))
			{
				p->pclass = purposes[k].pclass;
				p->prio = purposes[k].prio;
				break;
			}
		tl->nparts++;

		sessions = read_array(tl, pobj, "sessions", where);
		ns = sessions ? JsonContainerSize(sessions) : 0;
		for (int j = 0; j < ns; j++)
			read_session(tl, sessions, i, j);
	}
}

/* the deterministic event order: start, end, purpose, type, then input */
static int
seg_cmp(const void *a, const void *b, void *arg)
{
	const TlSegment *x = a;
	const TlSegment *y = b;
	Timeline   *tl = arg;
	int			c;

	/* segments with unreadable times go first, in input order */
	if (x->time_ok != y->time_ok)
		return x->time_ok ? 1 : -1;
	if (x->time_ok)
	{
		if (x->start_ms != y->start_ms)
			return x->start_ms < y->start_ms ? -1 : 1;
		if (x->has_end != y->has_end)
			return x->has_end ? -1 : 1; /* open segments last */
		if (x->has_end && x->end_ms != y->end_ms)
			return x->end_ms < y->end_ms ? -1 : 1;
	}
	c = tl->parts[x->participant].prio - tl->parts[y->participant].prio;
	if (c != 0)
		return c;
	c = str_cmp(x->segment_type, y->segment_type);
	if (c != 0)
		return c;
	return x->input_idx - y->input_idx;
}

/* can seg be what follows a transfer (a queue, flow, external party, agent)? */
static bool
is_transfer_target(Timeline *tl, TlSegment *seg)
{
	TlClass		pc = tl->parts[seg->participant].pclass;

	if (!seg->time_ok)
		return false;
	if (pc == PC_ACD || pc == PC_FLOW || pc == PC_BOT || pc == PC_EXTERNAL)
		return true;
	return pc == PC_AGENT && (seg->kind == K_TALK || seg->kind == K_ALERT);
}

/*
 * Transfer check: every agent segment that ended in a transfer must be
 * followed by a segment of another participant that is a queue, a flow, an
 * external party, or an agent alerting or talking, starting at or after
 * the moment the transfer was made.  Genesys puts the disconnectType on a
 * session's last segment, usually the wrap-up, so for a wrap-up that
 * moment is the start of the session's last segment before it (the talk
 * or the consult hold); otherwise the segment's own start.
 *
 * Linear after the sort: suffix summaries over the sorted array give, for
 * each position, the first target's participant and whether a target of a
 * different participant also follows; a binary search finds the first
 * position at or after the moment.
 */
static void
check_transfers(Timeline *tl)
{
	int			n = tl->nsegs;
	int		   *c1;
	bool	   *c2;
	int64	   *last_start;		/* per session: last non-wrap-up start */
	int			first_ok = 0;

	if (tl->transfers == 0)
		return;
	c1 = palloc(sizeof(int) * (n + 1));
	c2 = palloc(sizeof(bool) * (n + 1));
	last_start = palloc(sizeof(int64) * Max(tl->nsess, 1));
	c1[n] = -1;
	c2[n] = false;
	for (int i = n - 1; i >= 0; i--)
	{
		TlSegment  *seg = &tl->segs[i];

		if (!is_transfer_target(tl, seg))
		{
			c1[i] = c1[i + 1];
			c2[i] = c2[i + 1];
		}
		else
		{
			c1[i] = seg->participant;
			c2[i] = (c1[i + 1] == -1) ? false :
				(c1[i + 1] == seg->participant ? c2[i + 1] : true);
		}
	}
	/* segments with unreadable times sort first */
	while (first_ok < n && !tl->segs[first_ok].time_ok)
		first_ok++;
	for (int i = 0; i < tl->nsess; i++)
		last_start[i] = PG_INT64_MIN;

	for (int i = first_ok; i < n; i++)
	{
		TlSegment  *seg = &tl->segs[i];
		int64		moment = seg->start_ms;
		int			lo = first_ok,
					hi = n;

		if (seg->kind == K_ACW && last_start[seg->session] != PG_INT64_MIN)
			moment = last_start[seg->session];
		else if (seg->kind != K_ACW)
			last_start[seg->session] = seg->start_ms;
		if (!seg->is_transfer)
			continue;
		/* first position whose start is at or after the moment */
		while (lo < hi)
		{
			int			mid = lo + (hi - lo) / 2;

			if (tl->segs[mid].start_ms < moment)
				lo = mid + 1;
			else
				hi = mid;
		}
		if ((c1[lo] != -1 && c1[lo] != seg->participant) || c2[lo])
			continue;
		tl_note_seg(tl, seg, AN_DANGLING_TRANSFER, "%s, disconnectType %.*s",
					seg_path(tl, seg), seg->disconnect_type.len,
					seg->disconnect_type.ptr);
	}
	pfree(c1);
	pfree(c2);
	pfree(last_start);
}

/* compares one session metric with the segments; flags on disagreement */
static void
check_metric(Timeline *tl, TlSession *s, int sidx, TlMetric m, TlKind kind)
{
	int64		segsum;
	int64		tolerance;
	int64		diff;

	if (!(s->metric_present & (1u << m)))
		return;
	if (m == M_NTRANSFERRED)
	{
		segsum = s->transfers;
		tolerance = 0;
	}
	else
	{
		segsum = s->sum[kind];
		tolerance = TL_TOLERANCE_MS;
	}
	/* a difference past the bigint range disagrees by far */
	if (!pg_sub_s64_overflow(segsum, s->metric[m], &diff) &&
		diff >= -tolerance && diff <= tolerance)
		return;
	tl_note(tl, AN_METRIC,
			"participants[%d].sessions[%d] %s " INT64_FORMAT " but segments give " INT64_FORMAT,
			s->pj, s->sj, metric_names[m], s->metric[m], segsum);
	for (int i = 0; i < tl->nsegs; i++)
	{
		TlSegment  *seg = &tl->segs[i];

		if (seg->session == sidx &&
			(m == M_NTRANSFERRED ? seg->is_transfer : seg->kind == kind))
			seg->flags |= (1u << AN_METRIC);
	}
}

/*
 * Adds a counted segment's duration d (>= 0) to the conversation's and its
 * session's sums of kind.  A conversation sum of a timeline() column that
 * leaves the bigint range is flagged (the column becomes NULL); other sums,
 * and session sums (never above the conversation's), saturate.
 */
static void
tl_add(Timeline *tl, TlSegment *seg, TlKind kind, int64 d)
{
	TlSession  *s = &tl->sess[seg->session];

	if (pg_add_s64_overflow(s->sum[kind], d, &s->sum[kind]))
		s->sum[kind] = PG_INT64_MAX;
	if (tl->sum_overflow & (1u << kind))
		return;
	if (!pg_add_s64_overflow(tl->sum[kind], d, &tl->sum[kind]))
		return;
	tl->sum[kind] = PG_INT64_MAX;
	if (sum_column_names[kind] == NULL)
		return;
	tl->sum_overflow |= (1u << kind);
	seg->flags |= (1u << AN_OVERFLOW);
	tl_note(tl, AN_OVERFLOW, "%s exceeds the bigint range at %s",
			sum_column_names[kind], seg_path(tl, seg));
}

/*
 * The agent state machine, per agent session and participant, for
 * segment seg (its times readable) of session s of agent p: overlapping
 * segments, talk before wrap-up, the last agent who talked.
 */
static void
agent_segment(Timeline *tl, TlSegment *seg, TlSession *s, TlParticipant *p)
{
	if (s->seen && seg->start_ms < s->max_end)
		tl_note_seg(tl, seg, AN_OVERLAP, "%s", seg_path(tl, seg));
	if (!s->seen || !seg->has_end || seg->end_ms > s->max_end)
		s->max_end = seg->has_end ? seg->end_ms : PG_INT64_MAX;
	s->seen = true;

	if (seg->kind == K_TALK)
	{
		p->has_talk = true;
		if (p->user_id.ptr != NULL)
			tl->last_agent_id = p->user_id;
	}
	else if (seg->kind == K_ACW && !p->has_talk)
		tl_note_seg(tl, seg, AN_WRAPUP_BEFORE_TALK, "%s", seg_path(tl, seg));
}

/*
 * Checks the metrics of closed session i against the time its segments
 * add up to, by the kind of its participant.
 */
static void
check_session_metrics(Timeline *tl, int i)
{
	TlSession  *s = &tl->sess[i];
	TlClass		pc = tl->parts[s->participant].pclass;

	if (s->has_open)
		return;
	if (pc == PC_ACD)
	{
		if (s->metric_present & (1u << M_TACD))
			check_metric(tl, s, i, M_TACD, K_QUEUE);
		else
			check_metric(tl, s, i, M_TABANDON, K_QUEUE);
	}
	else if (pc == PC_FLOW)
		check_metric(tl, s, i, M_TIVR, K_IVR);
	else if (pc == PC_AGENT)
	{
		check_metric(tl, s, i, M_TTALK, K_TALK);
		check_metric(tl, s, i, M_THELD, K_CUSTOMER_HOLD);
		check_metric(tl, s, i, M_TACW, K_ACW);
		check_metric(tl, s, i, M_TALERT, K_ALERT);
		check_metric(tl, s, i, M_NTRANSFERRED, K_OTHER);
	}
}

/*
 * Sorts, sums and checks a timeline read by tl_read.
 */
static void
tl_compute(Timeline *tl)
{
	bool		first_queue_from_acd = false;

	if (tl->nsegs == 0)
		tl_note(tl, AN_NO_SEGMENTS, "the record has no segments");

	qsort_arg(tl->segs, tl->nsegs, sizeof(TlSegment), seg_cmp, tl);

	for (int i = 0; i < tl->nsegs; i++)
		if (tl->segs[i].time_ok && !tl->segs[i].has_end)
			tl->sess[tl->segs[i].session].has_open = true;

	for (int i = 0; i < tl->nsegs; i++)
	{
		TlSegment  *seg = &tl->segs[i];
		TlSession  *s = &tl->sess[seg->session];
		TlParticipant *p = &tl->parts[seg->participant];

		/*
		 * In a conversation in progress, a session still open counts only
		 * its finished alerts: Genesys emits tTalk, tHeld, tAcw, tAcd, tIvr
		 * and nTransferred when the session ends.
		 */
		bool		open_session = !tl->finished && s->has_open;

		if (seg->is_transfer && !open_session)
		{
			tl->transfers++;
			s->transfers++;
		}
		if (seg->queue_id.ptr != NULL)
		{
			if (p->pclass == PC_ACD && !first_queue_from_acd)
			{
				tl->first_queue_id = seg->queue_id;
				first_queue_from_acd = true;
			}
			else if (tl->first_queue_id.ptr == NULL)
				tl->first_queue_id = seg->queue_id;
		}
		if (!seg->time_ok)
			continue;

		if (!seg->has_end)
		{
			if (tl->finished)
				tl_note_seg(tl, seg, AN_NO_END, "%s", seg_path(tl, seg));
		}
		else if (seg->end_ms < seg->start_ms)
			tl_note_seg(tl, seg, AN_END_BEFORE_START, "%s", seg_path(tl, seg));
		else if (open_session && seg->kind != K_ALERT &&
				 seg->kind != K_PARTY && seg->kind != K_OTHER &&
				 seg->kind != K_BOT)
			seg->pending = true;
		else
		{
			int64		d = seg->end_ms - seg->start_ms;

			seg->counted = true;
			tl_add(tl, seg, seg->kind, d);
			/* held in the queue or the IVR: still waiting there */
			if (seg->kind == K_SYSTEM_HOLD &&
				(p->pclass == PC_ACD || p->pclass == PC_FLOW))
				tl_add(tl, seg, p->pclass == PC_ACD ? K_QUEUE : K_IVR, d);
		}

		if (p->pclass == PC_AGENT)
			agent_segment(tl, seg, s, p);
	}

	check_transfers(tl);

	for (int i = 0; i < tl->nsess; i++)
		check_session_metrics(tl, i);
}

/*
 * The names of the anomalies in mask, joined by sep, each followed by its
 * detail when with_detail.  NULL when mask is empty.
 */
static char *
anomaly_text(Timeline *tl, uint32 mask, bool with_detail, const char *sep)
{
	StringInfoData buf;

	if (mask == 0)
		return NULL;
	initStringInfo(&buf);
	for (int an = 0; an < AN_N; an++)
	{
		if (!(mask & (1u << an)))
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, sep);
		appendStringInfoString(&buf, anomaly_names[an]);
		if (with_detail && tl->detail[an] != NULL)
			appendStringInfo(&buf, " (%s)", tl->detail[an]);
	}
	return buf.data;
}

/* the sums in timeline()'s first seven columns, in order */
static const TlKind sum_columns[] = {
	K_QUEUE, K_TALK, K_CUSTOMER_HOLD, K_SYSTEM_HOLD, K_ACW, K_IVR, K_ALERT
};

/*
 * handle_ms = talk + customer hold + acw into *out; false (and the
 * anomaly noted) when a part or the total is past the bigint range.
 */
static bool
handle_time(Timeline *tl, int64 *out)
{
	static const TlKind parts[] = {K_TALK, K_CUSTOMER_HOLD, K_ACW};

	*out = 0;
	for (int i = 0; i < lengthof(parts); i++)
	{
		if (tl->sum_overflow & (1u << parts[i]))
			return false;
		if (pg_add_s64_overflow(*out, tl->sum[parts[i]], out))
		{
			tl_note(tl, AN_OVERFLOW, "handle_ms (talk + customer hold + acw) exceeds the bigint range");
			return false;
		}
	}
	return true;
}

/* a text datum of s, or NULL (*isnull set) when s is absent */
static Datum
str_or_null(GcaStr s, bool *isnull)
{
	*isnull = (s.ptr == NULL);
	return *isnull ? (Datum) 0 : gca_str_datum(s);
}

/*
 * gcanalytics.timeline(conversation jsonb) returns one row of KPIs; see
 * the file header and README.  STRICT, IMMUTABLE.
 */
Datum
gcanalytics_timeline(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	Timeline	tl;
	Datum		values[13];
	bool		nulls[13] = {0};
	char	   *anomaly;
	int64		handle_ms;

	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}

	tl_read(&tl, jb);
	tl_compute(&tl);

	for (int c = 0; c < lengthof(sum_columns); c++)
	{
		TlKind		k = sum_columns[c];

		nulls[c] = (tl.sum_overflow & (1u << k)) != 0;
		values[c] = Int64GetDatum(tl.sum[k]);
	}
	values[7] = Int32GetDatum(tl.transfers);
	nulls[8] = !handle_time(&tl, &handle_ms);
	values[8] = Int64GetDatum(handle_ms);
	values[9] = str_or_null(tl.first_queue_id, &nulls[9]);
	values[10] = str_or_null(tl.last_agent_id, &nulls[10]);
	values[11] = BoolGetDatum(tl.anomalies == 0);
	anomaly = anomaly_text(&tl, tl.anomalies, true, "; ");
	nulls[12] = (anomaly == NULL);
	values[12] = anomaly ? CStringGetTextDatum(anomaly) : (Datum) 0;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * gcanalytics.timeline_events(conversation jsonb) returns the segments in
 * the timeline's order, each with its KPI kind and a flag (NULL, "open",
 * or the anomalies that involve it).  Materialized SRF.
 */
Datum
gcanalytics_timeline_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	Timeline	tl;

	InitMaterializedSRF(fcinfo, 0);
	tl_read(&tl, jb);
	tl_compute(&tl);

	for (int i = 0; i < tl.nsegs; i++)
	{
		TlSegment  *seg = &tl.segs[i];
		TlSession  *s = &tl.sess[seg->session];
		TlParticipant *p = &tl.parts[seg->participant];
		Datum		values[14];
		bool		nulls[14] = {0};
		char	   *flag;

		values[0] = Int32GetDatum(i + 1);
		values[1] = str_or_null(p->purpose, &nulls[1]);
		values[2] = str_or_null(p->user_id, &nulls[2]);
		values[3] = str_or_null(seg->queue_id, &nulls[3]);
		values[4] = str_or_null(seg->segment_type, &nulls[4]);
		nulls[5] = !seg->time_ok;
		values[5] = TimestampTzGetDatum(gca_ms_to_timestamptz(seg->start_ms));
		nulls[6] = !seg->time_ok || !seg->has_end;
		values[6] = TimestampTzGetDatum(gca_ms_to_timestamptz(seg->end_ms));
		nulls[7] = !seg->time_ok || !seg->has_end || seg->end_ms < seg->start_ms;
		values[7] = Int64GetDatum(seg->end_ms - seg->start_ms);
		flag = anomaly_text(&tl, seg->flags, false, ", ");
		if (flag == NULL && seg->time_ok && !seg->has_end)
			flag = "open";
		else if (flag == NULL && seg->pending)
			flag = "pending";
		nulls[8] = (flag == NULL);
		values[8] = flag ? CStringGetTextDatum(flag) : (Datum) 0;
		values[9] = CStringGetTextDatum(kind_names[seg->kind]);
		values[10] = str_or_null(p->participant_id, &nulls[10]);
		values[11] = str_or_null(s->session_id, &nulls[11]);
		values[12] = str_or_null(s->media_type, &nulls[12]);
		values[13] = str_or_null(seg->disconnect_type, &nulls[13]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
