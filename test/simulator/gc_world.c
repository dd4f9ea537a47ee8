/*-------------------------------------------------------------------------
 *
 * gc_world.c
 *		The Genesys world of gcsim: reference data built once from the
 *		seed, and conversations generated lazily per UTC day.
 *
 * A day's conversations come from sim_rng_derive(seed, "day", day): their
 * start times follow a diurnal curve and are sorted, and conversation k of
 * the day is generated from its own stream, so it never depends on how
 * many other conversations or days were generated before.  The world is
 * frozen at --now: conversations starting after it do not exist, those
 * still running at it are cut there (open segments, no conversationEnd).
 *
 * Generated days are kept in an LRU cache of --cache-days days, each with
 * its conversations pre-rendered as JSON (gc_render.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_world.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

GcWorld		gc_world;

const char *const gc_media_names[NUM_MEDIA] = {
	"voice", "chat", "email", "message", "callback"
};
const char *const gc_purpose_names[NUM_PURPOSES] = {
	"customer", "external", "ivr", "botflow", "acd", "agent"
};
const char *const gc_segtype_names[NUM_SEGTYPES] = {
	"alert", "dialing", "interact", "hold", "wrapup", "ivr", "system"
};
const char *const gc_disconnect_names[NUM_DISCONNECTS] = {
	NULL, "client", "endpoint", "peer", "transfer", "consultTransfer", "system"
};
const char *const gc_metric_names[NUM_METRICS] = {
	"nConnected", "nFlow", "tIvr", "tFlow", "nOffered", "tAcd", "tAbandon",
	"tAlert", "tAnswered", "tTalk", "tTalkComplete", "tHeld", "tHeldComplete",
	"tAcw", "tHandle", "nTransferred", "nBlindTransferred",
	"nConsultTransferred", "nConversations", "tWait", "nOutbound", "oServiceLevel"
};
const char *const gc_eval_status_names[NUM_EVAL_STATUSES] = {
	"Finished", "InProgress", "InReview", "Pending"
};
const char *const gc_eval_status_quality[NUM_EVAL_STATUSES] = {
	"FINISHED", "INPROGRESS", "INREVIEW", "PENDING"
};

/*
 * The product release calendar (fixed dates, 00:00 UTC).  Release 5.0 on
 * Monday 2026-04-13 plants the story: from then on, Enterprise accounts
 * escalate about 14 points more often; other tiers move by under 2.
 */
static GcRelease releases[] = {
	{"2026-01-19", "4.6", 0},
	{"2026-02-16", "4.7", 0},
	{"2026-03-09", "4.8", 0},
	{"2026-03-30", "4.9", 0},
	{"2026-04-13", "5.0", 0},
	{"2026-05-04", "5.1", 0},
	{"2026-05-25", "5.2", 0},
};
#define STORY_RELEASE 4

/*
 * mean survey total score (CSAT, 0-100) by tier (Enterprise, Mid-Market,
 * SMB, none), before and after 5.0: Enterprise CSAT falls
 */
static const double csat_before[4] = {82, 80, 79, 78};
static const double csat_after[4] = {62, 80, 79, 78};

/* escalation probability by tier (Enterprise, Mid-Market, SMB, none) */
static const double escalation_before[4] = {0.09, 0.10, 0.11, 0.10};
static const double escalation_after[4] = {0.24, 0.11, 0.105, 0.10};

/* queues: name, division, internal */
enum
{
	Q_T1 = 0, Q_T2, Q_BILLING, Q_TECH, Q_ENTERPRISE, Q_SALES, Q_RETENTION,
	Q_CHAT, Q_MESSAGING, Q_EMAIL, Q_CALLBACKS, Q_QA, Q_TRAINING, Q_HEALTH,
	NUM_QUEUES
};
static const struct
{
	const char *name;
	int			division;
	bool		internal;
}			queue_defs[NUM_QUEUES] = {
	{"Support Tier 1", 1, false}, {"Support Tier 2", 1, false},
	{"Billing", 1, false}, {"Technical Support", 1, false},
	{"Enterprise Desk", 1, false}, {"Sales", 2, false},
	{"Retention", 2, false}, {"Chat Support", 1, false},
	{"Messaging", 1, false}, {"Email Support", 1, false},
	{"Callbacks", 1, false}, {"QA Review", 0, true},
	{"Training", 0, true}, {"Health Check", 0, true}
};

static const char *const division_names[] = {"Home", "Customer Care", "Sales & Retention"};

enum
{
	W_RESOLVED = 0, W_FOLLOWUP, W_ESCALATED, W_BILLING_ADJ, W_REFUND,
	W_TECH_ISSUE, W_SALES_OPP, W_INFO, W_CALLBACK, W_WRONG_DEPT,
	W_UNREACHABLE, W_ACCOUNT_UPDATE, W_COMPLAINT, W_FEEDBACK, NUM_WRAPUPS
};
static const char *const wrapup_names[NUM_WRAPUPS] = {
	"Resolved", "Resolved - Follow-up Needed", "Escalated to Tier 2",
	"Billing Adjustment", "Refund Issued", "Technical Issue Logged",
	"Sales Opportunity", "Information Provided", "Callback Scheduled",
	"Wrong Department", "Customer Unreachable", "Account Update", "Complaint",
	"Product Feedback"
};

enum
{
	F_MAIN_IVR = 0, F_BILLING_IVR, F_ENTERPRISE_IVR, F_SUPPORT_BOT,
	F_SALES_BOT, NUM_FLOWS
};
static const struct
{
	const char *name;
	const char *type;
	bool		bot;
	const char *dnis;
}			flow_defs[NUM_FLOWS] = {
	{"Main Menu IVR", "INBOUNDCALL", false, "tel:+18005550100"},
	{"Billing IVR", "INBOUNDCALL", false, "tel:+18005550101"},
	{"Enterprise Line IVR", "INBOUNDCALL", false, "tel:+18005550102"},
	{"Support Bot", "DIGITALBOT", true, NULL},
	{"Sales Assistant Bot", "DIGITALBOT", true, NULL}
};

static const char *const form_names[] = {"Voice QA", "Digital QA"};
static const char *const survey_form_names[] = {"Post-Call CSAT", "Post-Chat CSAT"};
const char *const gc_survey_status_names[] = {NULL, "Sent", "Finished", "Expired"};

#define NUM_AGENTS		72
#define NUM_EVALUATORS	8
#define HEALTH_CHECK_ANI "+18005550199"

static const char *const first_names[] = {
	"Ava", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sophia", "Lucas",
	"Isabella", "Ethan", "Mia", "Aiden", "Amara", "Kenji", "Priya", "Diego",
	"Chloe", "Omar", "Hannah", "Ravi", "Zoe", "Felix", "Leila", "Jonas"
};
static const char *const last_names[] = {
	"Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Kim", "Brown", "Silva",
	"Muller", "Rossi", "Okafor", "Tanaka", "Lopez", "Walker", "Haddad",
	"Novak", "Costa", "Reyes", "Fischer", "Dubois"
};

/* ----------------------------------------------------------------------
 * Reference data
 * ----------------------------------------------------------------------
 */
void
gc_uuid(char *buf, SimRng *rng)
{
	uint64_t	a = sim_rng_next(rng),
				b = sim_rng_next(rng);

	snprintf(buf, 37, "%08x-%04x-4%03x-%04x-%012llx",
			 (unsigned) (a >> 32), (unsigned) (a >> 16) & 0xffff,
			 (unsigned) a & 0xfff, (unsigned) (0x8000 | ((b >> 48) & 0x3fff)),
			 (unsigned long long) (b & UINT64_C(0xffffffffffff)));
}

static void
entity_uuid(char *buf, const char *kind, int i)
{
	SimRng		rng = sim_rng_derive(sim_config.seed, kind, (uint64_t) i);

	gc_uuid(buf, &rng);
}

int
gc_phone_account(const char *ani)
{
	uint64_t	h;

	if (!ani || !*ani || gc_world.phone_slots == 0)
		return GC_NONE;
	h = sim_hash_str(ani);
	for (int i = 0; i < gc_world.phone_slots; i++)
	{
		int			a = gc_world.phone_table[(h + (uint64_t) i) % (uint64_t) gc_world.phone_slots];

		if (a < 0)
			return GC_NONE;
		if (strcmp(sf_world.accounts[a].phone, ani) == 0)
			return a;
	}
	return GC_NONE;
}

static void
build_phone_table(void)
{
	int			n = sf_world.naccounts;

	gc_world.phone_slots = n > 0 ? n * 2 + 1 : 0;
	gc_world.phone_table = malloc(sizeof(int) * (size_t) (gc_world.phone_slots + 1));
	for (int i = 0; i < gc_world.phone_slots; i++)
		gc_world.phone_table[i] = -1;
	for (int a = 0; a < n; a++)
	{
		uint64_t	h;

		if (!sf_world.accounts[a].phone[0] || gc_phone_account(sf_world.accounts[a].phone) >= 0)
			continue;			/* first account with a phone wins */
		h = sim_hash_str(sf_world.accounts[a].phone);
		for (int i = 0;; i++)
		{
			int		   *slot = &gc_world.phone_table[(h + (uint64_t) i) % (uint64_t) gc_world.phone_slots];

			if (*slot < 0)
			{
				*slot = a;
				break;
			}
		}
	}
}

void
gc_world_build(void)
{
	GcWorld    *w = &gc_world;
	SimRng		rng = sim_rng_derive(sim_config.seed, "gc.world", 0);
	int64_t		created = sim_days_from_civil(2024, 3, 1) * MS_PER_DAY;

	w->ndivisions = 3;
	w->divisions = calloc(3, sizeof(GcDivision));
	for (int i = 0; i < 3; i++)
	{
		entity_uuid(w->divisions[i].id, "division", i);
		w->divisions[i].name = division_names[i];
	}

	w->nusers = NUM_AGENTS + NUM_EVALUATORS;
	w->users = calloc((size_t) w->nusers, sizeof(GcUser));
	for (int i = 0; i < w->nusers; i++)
	{
		GcUser	   *u = &w->users[i];
		const char *fn = first_names[sim_rng_range(&rng, 0, 23)];
		const char *ln = last_names[sim_rng_range(&rng, 0, 19)];

		entity_uuid(u->id, "user", i);
		snprintf(u->name, sizeof(u->name), "%s %s", fn, ln);
		snprintf(u->email, sizeof(u->email), "%c.%s%d@example.com",
				 fn[0] | 0x20, ln, i + 1);
		for (char *p = u->email; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p |= 0x20;
		u->evaluator = i >= NUM_AGENTS;
		u->department = u->evaluator ? "Quality Assurance" :
			(i % 6 == 5 ? "Sales" : "Customer Care");
		u->title = u->evaluator ? "QA Supervisor" :
			(i % 9 == 0 ? "Senior Agent" : "Contact Center Agent");
		u->state = (i % 23 == 22) ? "inactive" : "active";
		u->division = u->evaluator ? 0 : (i % 6 == 5 ? 2 : 1);
	}

	/* queues and their members: every agent serves three public queues */
	w->nqueues = NUM_QUEUES;
	w->queues = calloc(NUM_QUEUES, sizeof(GcQueue));
	for (int q = 0; q < NUM_QUEUES; q++)
	{
		GcQueue    *qu = &w->queues[q];

		entity_uuid(qu->id, "queue", q);
		qu->name = queue_defs[q].name;
		qu->division = queue_defs[q].division;
		qu->internal = queue_defs[q].internal;
		qu->created_ms = created + q * MS_PER_DAY;
		qu->agents = malloc(sizeof(int) * NUM_AGENTS);
	}
	for (int a = 0; a < NUM_AGENTS; a++)
	{
		int			first = a % Q_QA;
		int			picks[3] = {first, (first + 1 + a / Q_QA) % Q_QA,
		(first + 4 + (a * 7) % 5) % Q_QA};

		for (int k = 0; k < 3; k++)
		{
			GcQueue    *qu = &w->queues[picks[k]];
			bool		dup = false;

			for (int j = 0; j < qu->nagents; j++)
				dup |= qu->agents[j] == a;
			if (!dup)
				qu->agents[qu->nagents++] = a;
		}
		if (a % 8 == 0)
			w->queues[Q_QA + (a / 8) % 3].agents[w->queues[Q_QA + (a / 8) % 3].nagents++] = a;
	}

	w->nwrapups = NUM_WRAPUPS;
	w->wrapups = calloc(NUM_WRAPUPS, sizeof(GcWrapup));
	for (int i = 0; i < NUM_WRAPUPS; i++)
	{
		entity_uuid(w->wrapups[i].id, "wrapup", i);
		w->wrapups[i].name = wrapup_names[i];
		w->wrapups[i].division = 0;
		w->wrapups[i].created_ms = created + i * MS_PER_HOUR;
	}

	w->nflows = NUM_FLOWS;
	w->flows = calloc(NUM_FLOWS, sizeof(GcFlow));
	for (int i = 0; i < NUM_FLOWS; i++)
	{
		entity_uuid(w->flows[i].id, "flow", i);
		w->flows[i].name = flow_defs[i].name;
		w->flows[i].flow_type = flow_defs[i].type;
		w->flows[i].bot = flow_defs[i].bot;
		w->flows[i].dnis = flow_defs[i].dnis;
	}

	w->nforms = 2;
	w->forms = calloc(2, sizeof(GcForm));
	for (int f = 0; f < 2; f++)
	{
		GcForm	   *fo = &w->forms[f];

		entity_uuid(fo->id, "form", f);
		entity_uuid(fo->context_id, "form.context", f);
		fo->name = form_names[f];
		for (int g = 0; g < GC_FORM_GROUPS; g++)
		{
			entity_uuid(fo->group_ids[g], "form.group", f * 10 + g);
			for (int q = 0; q < GC_GROUP_QUESTIONS; q++)
				entity_uuid(fo->question_ids[g][q], "form.question", f * 100 + g * 10 + q);
		}
		fo->group_weight[0] = 0.3;
		fo->group_weight[1] = 0.5;
		fo->group_weight[2] = 0.2;
	}

	w->nsurvey_forms = 2;
	w->survey_forms = calloc(2, sizeof(GcForm));
	for (int f = 0; f < 2; f++)
	{
		entity_uuid(w->survey_forms[f].id, "survey.form", f);
		entity_uuid(w->survey_forms[f].context_id, "survey.form.context", f);
		w->survey_forms[f].name = survey_form_names[f];
	}

	w->nreleases = (int) (sizeof(releases) / sizeof(releases[0]));
	for (int i = 0; i < w->nreleases; i++)
	{
		sim_parse_ts(releases[i].date, strlen(releases[i].date), &releases[i].ms);
		releases[i].ms += sim_config.shift_days * MS_PER_DAY;	/* --now wall */
	}
	w->releases = releases;
	w->story_release = STORY_RELEASE;

	build_phone_table();
}

const char *
gc_wrapup_id(int wrapup)
{
	if (wrapup == GC_WRAPUP_TIMEOUT)
		return "ININ-WRAP-UP-TIMEOUT";
	if (wrapup < 0 || wrapup >= gc_world.nwrapups)
		return NULL;
	return gc_world.wrapups[wrapup].id;
}

void
gc_part_id(const GcConversation *c, int p, char *buf)
{
	SimRng		rng = sim_rng_derive(c->id_seed, "participant", (uint64_t) p);

	gc_uuid(buf, &rng);
}

void
gc_sess_id(const GcConversation *c, int s, char *buf)
{
	SimRng		rng = sim_rng_derive(c->id_seed, "session", (uint64_t) s);

	gc_uuid(buf, &rng);
}

void
gc_eval_answers(const GcEvaluation *e, int scores[GC_FORM_GROUPS][GC_GROUP_QUESTIONS])
{
	SimRng		rng = sim_rng_derive(e->id_seed, "answers", 0);
	/* some agents score better than others */
	int			skill = 2 + (e->agent % 3);

	for (int g = 0; g < GC_FORM_GROUPS; g++)
		for (int q = 0; q < GC_GROUP_QUESTIONS; q++)
		{
			int			s = (int) sim_rng_range(&rng, skill - 2, 5);

			scores[g][q] = s < 0 ? 0 : (s > 5 ? 5 : s);
		}
	/* the kill question (compliance, first) fails now and then */
	if (sim_rng_uniform(&rng) < 0.03)
		scores[2][0] = 0;
	else if (scores[2][0] == 0)
		scores[2][0] = 1;
}

/* ----------------------------------------------------------------------
 * A conversation's plan: its legs built on the stack, then copied into
 * the day's arrays (cut at --now).
 * ----------------------------------------------------------------------
 */
#define MAX_LEGS	10
#define MAX_LEG_SEGS 10
#define MAX_LEG_METS 14

typedef struct Leg
{
	uint8_t		purpose;
	uint8_t		media;
	uint8_t		direction;
	int16_t		user;
	int16_t		queue;
	int16_t		flow;
	int16_t		exit_queue;
	int			nseg;
	GcSegment	seg[MAX_LEG_SEGS];
	int			nmet;
	GcMetricVal met[MAX_LEG_METS];
} Leg;

typedef struct Plan
{
	int			nlegs;
	Leg			legs[MAX_LEGS];
} Plan;

static Leg *
plan_leg(Plan *p, GcPurpose purpose, GcMedia media, int direction)
{
	Leg		   *l;

	if (p->nlegs >= MAX_LEGS)
		abort();
	l = &p->legs[p->nlegs++];
	memset(l, 0, sizeof(*l));
	l->purpose = (uint8_t) purpose;
	l->media = (uint8_t) media;
	l->direction = (uint8_t) direction;
	l->user = GC_NONE;
	l->queue = GC_NONE;
	l->flow = GC_NONE;
	l->exit_queue = GC_NONE;
	return l;
}

/* appends a segment [start, start + dur) and returns its end */
static int64_t
leg_seg(Leg *l, GcSegType type, int64_t start, int64_t dur, int queue)
{
	GcSegment  *s;

	if (l->nseg >= MAX_LEG_SEGS)
		abort();
	s = &l->seg[l->nseg++];
	s->start_ms = start;
	s->end_ms = start + dur;
	s->type = (uint8_t) type;
	s->queue = (int16_t) queue;
	s->wrapup = GC_NONE;
	s->disconnect = DISC_NONE;
	return start + dur;
}

static void
leg_metric(Leg *l, GcMetric m, int64_t value, int64_t emit)
{
	if (l->nmet >= MAX_LEG_METS)
		abort();
	l->met[l->nmet].metric = (uint8_t) m;
	l->met[l->nmet].value = value;
	l->met[l->nmet].emit_ms = emit;
	l->nmet++;
}

static void
leg_disconnect(Leg *l, GcDisconnect d)
{
	if (l->nseg > 0)
		l->seg[l->nseg - 1].disconnect = (uint8_t) d;
}

/* a duration in ms, log-normal around median_s, clamped */
static int64_t
lognormal_ms(SimRng *rng, double median_s, double sigma, double lo_s, double hi_s)
{
	double		u1 = sim_rng_uniform(rng),
				u2 = sim_rng_uniform(rng);
	double		z = sqrt(-2.0 * log(u1 + 1e-12)) * cos(2 * M_PI * u2);
	double		v = median_s * exp(sigma * z);

	if (v < lo_s)
		v = lo_s;
	if (v > hi_s)
		v = hi_s;
	return (int64_t) (v * 1000.0) + sim_rng_range(rng, 0, 999);
}

static int64_t
uniform_ms(SimRng *rng, int lo_s, int hi_s)
{
	return sim_rng_range(rng, (int64_t) lo_s * 1000, (int64_t) hi_s * 1000);
}

/* a member of queue, other than agent avoid when the queue has others */
static int
pick_agent(SimRng *rng, int queue, int avoid)
{
	GcQueue    *q = &gc_world.queues[queue];
	int			i = (int) sim_rng_range(rng, 0, q->nagents - 1);

	if (q->agents[i] == avoid && q->nagents > 1)
		i = (i + (int) sim_rng_range(rng, 1, q->nagents - 1)) % q->nagents;
	return q->agents[i];
}

static int
pick_wrapup(SimRng *rng, int queue, bool escalated)
{
	static const int support[] = {W_RESOLVED, W_RESOLVED, W_FOLLOWUP, W_INFO, W_TECH_ISSUE,
	W_ACCOUNT_UPDATE, W_COMPLAINT, W_FEEDBACK, W_WRONG_DEPT};
	static const int billing[] = {W_BILLING_ADJ, W_REFUND, W_RESOLVED, W_INFO, W_ACCOUNT_UPDATE};
	static const int sales[] = {W_SALES_OPP, W_INFO, W_CALLBACK, W_UNREACHABLE, W_RESOLVED};

	if (sim_rng_uniform(rng) < 0.04)
		return GC_WRAPUP_TIMEOUT;
	if (escalated && sim_rng_uniform(rng) < 0.6)
		return W_ESCALATED;
	if (queue == Q_BILLING)
		return billing[sim_rng_range(rng, 0, 4)];
	if (queue == Q_SALES || queue == Q_RETENTION)
		return sales[sim_rng_range(rng, 0, 4)];
	return support[sim_rng_range(rng, 0, 8)];
}

/* talk and ACW medians in seconds, by media */
static const double talk_median[NUM_MEDIA] = {270, 480, 360, 600, 240};
static const double acw_median[NUM_MEDIA] = {35, 25, 60, 20, 30};
static const double wait_mean[NUM_MEDIA] = {40, 55, 1500, 90, 300};
static const double abandon_share[NUM_MEDIA] = {0.08, 0.06, 0, 0.04, 0};

/*
 * An agent leg: alert, (dialing,) talk with optional customer holds, and
 * returns the time the talk ends; the caller ends it (transfer or
 * disconnect) with agent_finish.  The metrics tTalk, tHeld are the
 * generator's own sums, not the segments' (the truth recomputes those).
 */
typedef struct AgentLeg
{
	Leg		   *leg;
	int64_t		talk;			/* tTalk so far */
	int64_t		held;			/* tHeld so far */
	int			queue;
} AgentLeg;

static int64_t
agent_start(AgentLeg *al, Leg *l, SimRng *rng, int64_t t, int queue, GcMedia media,
			bool dial)
{
	int64_t		alert = dial ? 0 : uniform_ms(rng, 2, media == MEDIA_VOICE ? 14 : 20);

	al->leg = l;
	al->talk = 0;
	al->held = 0;
	al->queue = queue;
	if (!dial)
	{
		t = leg_seg(l, SEG_ALERT, t, alert, queue);
		leg_metric(l, M_TALERT, alert, t);
		leg_metric(l, M_TANSWERED, alert, t);
	}
	if (dial || media == MEDIA_CALLBACK)
		t = leg_seg(l, SEG_DIALING, t, uniform_ms(rng, 4, 20), queue);
	return t;
}

/* talk for dur ms, split by nholds customer holds */
static int64_t
agent_talk(AgentLeg *al, SimRng *rng, int64_t t, int64_t dur, int nholds)
{
	int64_t		piece = dur / (nholds + 1);

	for (int h = 0; h <= nholds; h++)
	{
		int64_t		d = h == nholds ? dur - piece * nholds : piece;

		t = leg_seg(al->leg, SEG_INTERACT, t, d, al->queue);
		al->talk += d;
		if (h < nholds)
		{
			int64_t		hd = uniform_ms(rng, 15, 150);

			t = leg_seg(al->leg, SEG_HOLD, t, hd, al->queue);
			al->held += hd;
		}
	}
	return t;
}

/* ACW with a wrap-up code from t; emits the session metrics at its end */
static int64_t
agent_finish(AgentLeg *al, SimRng *rng, int64_t t, GcMedia media, bool escalated,
			 GcDisconnect disc)
{
	int			wrap = pick_wrapup(rng, al->queue, escalated);
	int64_t		acw = wrap == GC_WRAPUP_TIMEOUT ? 60000 :
		lognormal_ms(rng, acw_median[media], 0.6, 3, 600);
	Leg		   *l = al->leg;

	t = leg_seg(l, SEG_WRAPUP, t, acw, al->queue);
	l->seg[l->nseg - 1].wrapup = (int16_t) wrap;
	leg_disconnect(l, disc);
	leg_metric(l, M_TTALK, al->talk, t);
	leg_metric(l, M_TTALKCOMPLETE, al->talk, t);
	if (al->held > 0)
	{
		leg_metric(l, M_THELD, al->held, t);
		leg_metric(l, M_THELDCOMPLETE, al->held, t);
	}
	leg_metric(l, M_TACW, acw, t);
	leg_metric(l, M_THANDLE, al->talk + al->held + acw, t);
	/* transfers count when the transferring agent's session ends */
	if (disc == DISC_TRANSFER || disc == DISC_CONSULT_TRANSFER)
	{
		leg_metric(l, M_NTRANSFERRED, 1, t);
		leg_metric(l, disc == DISC_TRANSFER ? M_NBLINDTRANSFERRED : M_NCONSULTTRANSFERRED, 1, t);
	}
	return t;
}

/* an ACD leg: queue wait with an optional system hold; returns its end */
static int64_t
acd_wait(Plan *p, SimRng *rng, int64_t t, int queue, GcMedia media, bool abandon)
{
	Leg		   *l = plan_leg(p, PURPOSE_ACD, media, 0);
	double		mean = wait_mean[media];
	int64_t		wait = (int64_t) (-log(1.0 - sim_rng_uniform(rng)) * mean * 1000.0) + 1500;
	int64_t		t0 = t;

	l->queue = (int16_t) queue;
	if (wait > (int64_t) (mean * 8000))
		wait = (int64_t) (mean * 8000);
	leg_metric(l, M_NOFFERED, 1, t);
	if (media == MEDIA_VOICE && wait > 20000 && sim_rng_uniform(rng) < 0.12)
	{
		int64_t		first = wait / 3;
		int64_t		hold = uniform_ms(rng, 5, 30);

		t = leg_seg(l, SEG_INTERACT, t, first, queue);
		t = leg_seg(l, SEG_HOLD, t, hold, queue);	/* a system hold */
		t = leg_seg(l, SEG_INTERACT, t, wait - first, queue);
		wait += hold;
	}
	else
		t = leg_seg(l, SEG_INTERACT, t, wait, queue);
	leg_disconnect(l, abandon ? DISC_PEER : DISC_TRANSFER);
	leg_metric(l, M_TACD, wait, t0 + wait);
	if (abandon)
		leg_metric(l, M_TABANDON, wait, t0 + wait);
	return t;
}

/* the customer's one segment, from the start until it leaves at end */
static void
customer_leaves(Leg *cust, const GcConversation *c, int64_t end, GcDisconnect disc)
{
	leg_seg(cust, SEG_INTERACT, c->start_ms, end - c->start_ms, GC_NONE);
	leg_disconnect(cust, disc);
}

static int
first_queue_for(SimRng *rng, GcMedia media, int tier, int orig_dir)
{
	double		u = sim_rng_uniform(rng);

	switch (media)
	{
		case MEDIA_CHAT:
			return u < 0.85 ? Q_CHAT : Q_SALES;
		case MEDIA_MESSAGE:
			return u < 0.8 ? Q_MESSAGING : Q_BILLING;
		case MEDIA_EMAIL:
			return u < 0.8 ? Q_EMAIL : Q_BILLING;
		case MEDIA_CALLBACK:
			return Q_CALLBACKS;
		default:
			break;
	}
	if (orig_dir == 1)
		return u < 0.6 ? Q_SALES : Q_RETENTION;
	if (tier == SF_TIER_ENTERPRISE && u < 0.6)
		return Q_ENTERPRISE;
	if (u < 0.40)
		return Q_T1;
	if (u < 0.60)
		return Q_BILLING;
	if (u < 0.78)
		return Q_TECH;
	if (u < 0.90)
		return Q_SALES;
	return Q_RETENTION;
}

static void
random_phone(SimRng *rng, char *buf)
{
	static const int areas[] = {212, 312, 415, 512, 617, 702, 206, 303, 404, 503};

	for (;;)
	{
		snprintf(buf, 24, "+1%d%03d%04d", areas[sim_rng_range(rng, 0, 9)],
				 (int) sim_rng_range(rng, 200, 999), (int) sim_rng_range(rng, 0, 9999));
		if (gc_phone_account(buf) == GC_NONE)
			return;
	}
}

/*
 * Plans one conversation: its attributes into *c, its legs into p (leg 0
 * is the customer).  Every duration comes from rng, so the same seed and
 * day give the same conversation.
 */
static void
plan_conversation(GcConversation *c, Plan *p, SimRng *rng)
{
	double		u = sim_rng_uniform(rng);
	GcMedia		media;
	int			tier = 3;
	int			phone_acct = GC_NONE;
	bool		internal = sim_rng_uniform(rng) < 0.012;
	bool		after_release;
	Leg		   *cust;
	int64_t		t = c->start_ms;
	int64_t		cust_end;
	GcDisconnect cust_disc = DISC_CLIENT;
	AgentLeg	al;
	int			queue;
	int			agent = GC_NONE;
	int			ntransfers = 0;
	int			nacct = sf_world.naccounts;

	media = u < 0.55 ? MEDIA_VOICE : u < 0.70 ? MEDIA_CHAT : u < 0.82 ? MEDIA_EMAIL :
		u < 0.92 ? MEDIA_MESSAGE : MEDIA_CALLBACK;
	c->orig_dir = (media == MEDIA_VOICE && sim_rng_uniform(rng) < 0.10) ? 1 : 0;
	c->account = GC_NONE;
	c->ani[0] = '\0';
	c->dnis_flow = GC_NONE;

	/* the customer and how the CRM account can be found */
	if (internal)
	{
		static const int iq[3] = {Q_QA, Q_TRAINING, Q_HEALTH};

		queue = iq[sim_rng_range(rng, 0, 2)];
		media = queue == Q_HEALTH ? MEDIA_VOICE : queue == Q_TRAINING ? MEDIA_CHAT : MEDIA_EMAIL;
		c->orig_dir = 0;
		if (media == MEDIA_VOICE)
			snprintf(c->ani, sizeof(c->ani), "%s", HEALTH_CHECK_ANI);
	}
	else
	{
		bool		phone_media = media == MEDIA_VOICE || media == MEDIA_CALLBACK ||
			media == MEDIA_MESSAGE;

		if (nacct > 0 && sim_rng_uniform(rng) < 0.75)
		{
			c->account = (int32_t) sim_rng_range(rng, 0, nacct - 1);
			if (phone_media && sim_rng_uniform(rng) < 0.85)
				snprintf(c->ani, sizeof(c->ani), "%s", sf_world.accounts[c->account].phone);
		}
		else if (nacct > 0 && phone_media && sim_rng_uniform(rng) < 0.5)
		{
			int			a = (int) sim_rng_range(rng, 0, nacct - 1);

			snprintf(c->ani, sizeof(c->ani), "%s", sf_world.accounts[a].phone);
		}
		if (phone_media && c->ani[0] == '\0')
			random_phone(rng, c->ani);
		phone_acct = gc_phone_account(c->ani);
		if (c->account != GC_NONE)
			tier = (int) sf_world.accounts[c->account].tier;
		else if (phone_acct != GC_NONE)
			tier = (int) sf_world.accounts[phone_acct].tier;
		queue = first_queue_for(rng, media, tier, c->orig_dir);
	}
	c->media = (uint8_t) media;

	/* the planted story: escalations by tier, before and after 5.0 */
	after_release = c->start_ms >= gc_world.releases[gc_world.story_release].ms;
	c->escalated = !internal &&
		sim_rng_uniform(rng) < (after_release ? escalation_after : escalation_before)[tier];
	c->product_release = 0;
	for (int r = 0; r < gc_world.nreleases; r++)
		if (gc_world.releases[r].ms <= c->start_ms)
			c->product_release = (int8_t) r;
	if (c->product_release > 0 && sim_rng_uniform(rng) < 0.2)
		c->product_release--;	/* customers upgrade late */
	c->bot_handled = false;
	c->division = (int16_t) gc_world.queues[queue].division;

	p->nlegs = 0;
	cust = plan_leg(p, c->orig_dir ? PURPOSE_EXTERNAL : PURPOSE_CUSTOMER, media, c->orig_dir);

	/* outbound voice: the agent dials, no IVR and no ACD */
	if (c->orig_dir == 1)
	{
		Leg		   *l = plan_leg(p, PURPOSE_AGENT, media, 1);

		agent = pick_agent(rng, queue, GC_NONE);
		l->user = (int16_t) agent;
		t = agent_start(&al, l, rng, t, queue, media, true);
		leg_seg(cust, SEG_INTERACT, t, 0, GC_NONE);
		t = agent_talk(&al, rng, t, lognormal_ms(rng, talk_median[media], 0.7, 20, 5400),
					   sim_rng_uniform(rng) < 0.15 ? 1 : 0);
		cust_end = t;
		leg_metric(cust, M_NCONNECTED, 1, l->seg[0].end_ms);
		cust->seg[0].end_ms = cust_end;
		leg_disconnect(cust, DISC_PEER);
		agent_finish(&al, rng, t, media, c->escalated, DISC_CLIENT);
		return;
	}

	/* IVR for inbound voice, a bot for most chats and messages */
	if (media == MEDIA_VOICE && !internal && sim_rng_uniform(rng) < 0.85)
	{
		Leg		   *l = plan_leg(p, PURPOSE_IVR, media, 0);
		int64_t		d1 = uniform_ms(rng, 15, 90),
					hold = 0,
					d2 = 0,
					t0 = t;
		bool		self_served = sim_rng_uniform(rng) < 0.06;

		l->flow = (int16_t) (queue == Q_ENTERPRISE ? F_ENTERPRISE_IVR :
							 queue == Q_BILLING ? F_BILLING_IVR : F_MAIN_IVR);
		c->dnis_flow = l->flow;
		leg_metric(l, M_NFLOW, 1, t);
		t = leg_seg(l, SEG_IVR, t, d1, GC_NONE);
		if (sim_rng_uniform(rng) < 0.15)
		{
			hold = uniform_ms(rng, 5, 30);	/* a system hold in the IVR */
			d2 = uniform_ms(rng, 5, 20);
			t = leg_seg(l, SEG_HOLD, t, hold, GC_NONE);
			t = leg_seg(l, SEG_IVR, t, d2, GC_NONE);
		}
		leg_metric(l, M_TIVR, d1 + hold + d2, t0 + d1 + hold + d2);
		leg_metric(l, M_TFLOW, d1 + hold + d2, t0 + d1 + hold + d2);
		if (self_served)
		{
			leg_disconnect(l, DISC_PEER);
			customer_leaves(cust, c, t, DISC_CLIENT);
			return;
		}
		l->exit_queue = (int16_t) queue;
		leg_disconnect(l, DISC_TRANSFER);
	}
	else if ((media == MEDIA_CHAT || media == MEDIA_MESSAGE) && !internal &&
			 sim_rng_uniform(rng) < 0.6)
	{
		Leg		   *l = plan_leg(p, PURPOSE_BOTFLOW, media, 0);
		int64_t		d = lognormal_ms(rng, 90, 0.6, 10, 900);
		bool		contained = sim_rng_uniform(rng) < (c->escalated ? 0.15 : 0.40);

		l->flow = (int16_t) (queue == Q_SALES ? F_SALES_BOT : F_SUPPORT_BOT);
		leg_metric(l, M_NFLOW, 1, t);
		t = leg_seg(l, SEG_INTERACT, t, d, GC_NONE);
		leg_metric(l, M_TFLOW, d, t);
		if (contained)
		{
			c->bot_handled = true;
			leg_disconnect(l, DISC_PEER);
			customer_leaves(cust, c, t, DISC_CLIENT);
			return;
		}
		l->exit_queue = (int16_t) queue;
		leg_disconnect(l, DISC_TRANSFER);
	}

	/* queue, maybe abandoned there */
	{
		bool		abandon = !internal && sim_rng_uniform(rng) < abandon_share[media];

		t = acd_wait(p, rng, t, queue, media, abandon);
		if (abandon)
		{
			customer_leaves(cust, c, t, DISC_CLIENT);
			return;
		}
	}

	/* agents: the first, then transfers (blind through a queue, or consult) */
	{
		Leg		   *l = plan_leg(p, PURPOSE_AGENT, media, 0);
		bool		first_connect = true;
		int64_t		talk_total = lognormal_ms(rng, internal ? 30 : talk_median[media],
											  0.7, 10, 5400);

		agent = pick_agent(rng, queue, GC_NONE);
		l->user = (int16_t) agent;
		t = agent_start(&al, l, rng, t, queue, media, false);
		for (;;)
		{
			double		ptransfer = ntransfers == 0 ? (c->escalated ? 0.45 : 0.12) : 0.08;
			bool		transfer = !internal && media != MEDIA_EMAIL &&
				sim_rng_uniform(rng) < ptransfer && ntransfers < 3;
			int			nholds = media == MEDIA_VOICE && sim_rng_uniform(rng) < 0.25 ?
				(int) sim_rng_range(rng, 1, 2) : 0;
			int64_t		seg_talk = transfer ? talk_total / 3 : talk_total;

			if (first_connect)
			{
				leg_metric(cust, M_NCONNECTED, 1, t);
				first_connect = false;
			}
			t = agent_talk(&al, rng, t, seg_talk, nholds);
			if (!transfer)
				break;
			talk_total -= seg_talk;
			ntransfers++;
			{
				int			q2 = c->escalated ? Q_T2 : (queue == Q_T1 ? Q_TECH : Q_T1);
				bool		consult = sim_rng_uniform(rng) < 0.4;
				Leg		   *l2;
				int64_t		t2;

				if (media != MEDIA_VOICE && media != MEDIA_CALLBACK)
					q2 = queue;
				if (consult)
				{
					/*
					 * The customer waits on hold while the first agent
					 * reaches and briefs the second, who then stays.
					 */
					AgentLeg	al2;
					int64_t		ta,
								hold;

					l2 = plan_leg(p, PURPOSE_AGENT, media, 0);
					l2->user = (int16_t) pick_agent(rng, q2, agent);
					agent = l2->user;
					ta = agent_start(&al2, l2, rng, t, q2, media, false);
					hold = (ta - t) + uniform_ms(rng, 20, 100);
					t2 = leg_seg(al.leg, SEG_HOLD, t, hold, al.queue);
					al.held += hold;
					agent_finish(&al, rng, t2, media, c->escalated, DISC_CONSULT_TRANSFER);
					al = al2;
					t = ta;
				}
				else
				{
					agent_finish(&al, rng, t, media, c->escalated, DISC_TRANSFER);
					t = acd_wait(p, rng, t, q2, media, false);
					l2 = plan_leg(p, PURPOSE_AGENT, media, 0);
					l2->user = (int16_t) pick_agent(rng, q2, agent);
					agent = l2->user;
					t = agent_start(&al, l2, rng, t, q2, media, false);
				}
				queue = q2;
			}
		}
		cust_end = t;
		if (sim_rng_uniform(rng) < 0.3)
			cust_disc = DISC_PEER;
		agent_finish(&al, rng, t, media, c->escalated,
					 cust_disc == DISC_PEER ? DISC_CLIENT : DISC_PEER);
	}
	customer_leaves(cust, c, cust_end, cust_disc);
}

/* ----------------------------------------------------------------------
 * Days
 * ----------------------------------------------------------------------
 */

/* arrivals by UTC hour: the Americas' business day peaks at 14-20 UTC */
static const double hour_weight[24] = {
	3, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6,
	7, 8, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4
};

#define GROW(arr, n, cap, type) \
	do { \
		if ((n) >= (cap)) \
		{ \
			(cap) = (cap) ? (cap) * 2 : 1024; \
			(arr) = realloc((arr), sizeof(type) * (size_t) (cap)); \
			if (!(arr)) \
				abort(); \
		} \
	} while (0)

typedef struct DayBuilder
{
	GcDay	   *d;
	int			npart,
				cpart,
				nsess,
				csess,
				nseg,
				cseg,
				nmet,
				cmet,
				neval,
				ceval;
} DayBuilder;

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

/* agent participant with the longest talk (interact segments), or -1 */
static int
longest_talk_agent(const Plan *p)
{
	int			best = -1;
	int64_t		best_talk = -1;

	for (int i = 0; i < p->nlegs; i++)
	{
		int64_t		talk = 0;

		if (p->legs[i].purpose != PURPOSE_AGENT)
			continue;
		for (int s = 0; s < p->legs[i].nseg; s++)
			if (p->legs[i].seg[s].type == SEG_INTERACT)
				talk += p->legs[i].seg[s].end_ms - p->legs[i].seg[s].start_ms;
		if (talk > best_talk)
		{
			best_talk = talk;
			best = i;
		}
	}
	return best;
}

/* an evaluation of the conversation's main agent, on about 5 % of them */
static void
maybe_evaluate(DayBuilder *b, GcConversation *c, const Plan *p, SimRng *rng)
{
	int			leg = longest_talk_agent(p);
	int64_t		created = c->end_ms + uniform_ms(rng, 2 * 3600, 48 * 3600);
	GcEvaluation *e;
	SimRng		erng;
	int			scores[GC_FORM_GROUPS][GC_GROUP_QUESTIONS];
	double		pct[GC_FORM_GROUPS];
	const GcForm *form;
	double		u;

	if (leg < 0 || c->end_ms == GC_OPEN || sim_rng_uniform(rng) >= 0.05 ||
		created > b->d->now_ms)
		return;
	GROW(b->d->eval, b->neval, b->ceval, GcEvaluation);
	e = &b->d->eval[b->neval];
	memset(e, 0, sizeof(*e));
	c->first_eval = (uint32_t) b->neval++;
	c->neval = 1;
	e->id_seed = sim_rng_next(rng);
	erng = sim_rng_derive(e->id_seed, "evaluation", 0);
	gc_uuid(e->id, &erng);
	e->agent = p->legs[leg].user;
	e->queue = p->legs[leg].seg[0].queue;
	e->form = (int16_t) (c->media == MEDIA_VOICE || c->media == MEDIA_CALLBACK ? 0 : 1);
	e->evaluator = (int16_t) (NUM_AGENTS + sim_rng_range(rng, 0, NUM_EVALUATORS - 1));
	u = sim_rng_uniform(rng);
	e->status = (uint8_t) (u < 0.85 ? EVAL_FINISHED : u < 0.90 ? EVAL_INREVIEW :
						   u < 0.95 ? EVAL_INPROGRESS : EVAL_PENDING);
	e->calibration = sim_rng_uniform(rng) < 0.10;
	if (e->calibration)
		gc_uuid(e->calibration_id, &erng);
	e->created_ms = created;
	e->changed_ms = created + uniform_ms(rng, 600, 7200);
	e->released_ms = e->status == EVAL_FINISHED ? e->changed_ms + uniform_ms(rng, 60, 3600) : 0;
	if (e->released_ms > b->d->now_ms)
		e->released_ms = 0;

	form = &gc_world.forms[e->form];
	gc_eval_answers(e, scores);
	for (int g = 0; g < GC_FORM_GROUPS; g++)
	{
		int			sum = 0;

		for (int q = 0; q < GC_GROUP_QUESTIONS; q++)
			sum += scores[g][q];
		pct[g] = sum * 100.0 / (5.0 * GC_GROUP_QUESTIONS);
	}
	e->critical_score = round(pct[2] * 100) / 100;
	e->noncritical_score = round((form->group_weight[0] * pct[0] + form->group_weight[1] * pct[1]) /
								 (form->group_weight[0] + form->group_weight[1]) * 100) / 100;
	e->any_failed_kill = scores[2][0] == 0;
	e->total_score = e->any_failed_kill ? 0 :
		round((form->group_weight[0] * pct[0] + form->group_weight[1] * pct[1] +
			   form->group_weight[2] * pct[2]) * 100) / 100;
}

/*
 * A survey on about 20 % of the ended, external conversations with an
 * agent, sent 1-15 min after the end; 60 % are completed 5 min to 36 h
 * after that, the others expire after 72 h.  Everything is as of the day's now
 * (a survey not yet completed then is Sent), from a stream of its own so
 * that the rest of the world does not change.
 */
static void
maybe_survey(GcConversation *c, const Plan *p, int64_t now)
{
	SimRng		rng = sim_rng_derive(c->id_seed, "survey", 0);
	int			leg = longest_talk_agent(p);
	GcSurvey   *s = &c->survey;
	int			tier = 3;
	int			acct;
	bool		after;
	double		total;
	int64_t		delay;

	memset(s, 0, sizeof(*s));
	if (leg < 0 || c->end_ms == GC_OPEN || sim_rng_uniform(&rng) >= 0.20 ||
		p->legs[leg].seg[0].queue == GC_NONE ||
		gc_world.queues[p->legs[leg].seg[0].queue].internal)
		return;
	s->event_ms = c->end_ms + uniform_ms(&rng, 60, 900);
	if (s->event_ms > now)
		return;
	gc_uuid(s->id, &rng);
	s->form = (int16_t) (c->media == MEDIA_VOICE || c->media == MEDIA_CALLBACK ? 0 : 1);
	s->agent = p->legs[leg].user;
	s->queue = p->legs[leg].seg[0].queue;
	acct = c->account != GC_NONE ? c->account : gc_phone_account(c->ani);
	if (acct != GC_NONE)
		tier = (int) sf_world.accounts[acct].tier;
	after = c->start_ms >= gc_world.releases[gc_world.story_release].ms;
	total = (after ? csat_after : csat_before)[tier] +
		(sim_rng_uniform(&rng) + sim_rng_uniform(&rng) - 1.0) * 40.0;
	s->total = (int16_t) (total < 0 ? 0 : total > 100 ? 100 : lround(total));
	s->promoter = (int8_t) lround(s->total / 10.0 + (sim_rng_uniform(&rng) - 0.5) * 3.0);
	if (s->promoter < 0)
		s->promoter = 0;
	if (s->promoter > 10)
		s->promoter = 10;
	s->completed_ms = GC_OPEN;
	if (sim_rng_uniform(&rng) < 0.60)
	{
		delay = uniform_ms(&rng, 300, 36 * 3600);
		if (s->event_ms + delay <= now)
		{
			s->status = SURVEY_FINISHED;
			s->completed_ms = s->event_ms + delay;
			return;
		}
	}
	s->status = s->event_ms + 72 * MS_PER_HOUR <= now ? SURVEY_EXPIRED : SURVEY_SENT;
}

/*
 * The sfCaseId attribute on 30 % of the conversations with an sfAccountId:
 * the account's latest case created before the conversation, if any.
 */
static void
maybe_case(GcConversation *c)
{
	SimRng		rng = sim_rng_derive(c->id_seed, "sfcase", 0);

	c->sf_case = GC_NONE;
	if (c->account != GC_NONE && sim_rng_uniform(&rng) < 0.30)
	{
		int			k = sf_account_case(c->account, c->start_ms);

		if (k >= 0)
			c->sf_case = k;
	}
}

/*
 * Copies a plan into the day's arrays, cut at --now: segments that start
 * after it are dropped, those running at it stay open, and metrics not
 * yet emitted are left out; a leg with no segment left is dropped.
 */
static void
materialize(DayBuilder *b, GcConversation *c, const Plan *p)
{
	int64_t		now = b->d->now_ms;
	int64_t		max_end = c->start_ms;
	GcDay	   *d = b->d;

	c->first_part = (uint32_t) b->npart;
	c->npart = 0;
	for (int i = 0; i < p->nlegs; i++)
	{
		const Leg  *l = &p->legs[i];
		GcParticipant *pa;
		GcSession  *se;
		int			keep = 0;

		for (int s = 0; s < l->nseg; s++)
		{
			if (l->seg[s].end_ms > max_end)
				max_end = l->seg[s].end_ms;
			if (l->seg[s].start_ms <= now)
				keep++;
		}
		if (keep == 0)
			continue;
		GROW(d->part, b->npart, b->cpart, GcParticipant);
		pa = &d->part[b->npart++];
		c->npart++;
		pa->purpose = l->purpose;
		pa->user = l->user;
		pa->queue = l->queue;
		pa->first_sess = (uint32_t) b->nsess;
		pa->nsess = 1;
		GROW(d->sess, b->nsess, b->csess, GcSession);
		se = &d->sess[b->nsess++];
		se->media = l->media;
		se->direction = l->direction;
		se->flow = l->flow;
		se->exit_queue = l->exit_queue;
		se->first_seg = (uint32_t) b->nseg;
		se->nseg = (uint16_t) keep;
		se->first_metric = (uint32_t) b->nmet;
		se->nmetric = 0;
		for (int s = 0; s < keep; s++)
		{
			GcSegment  *sg;

			GROW(d->seg, b->nseg, b->cseg, GcSegment);
			sg = &d->seg[b->nseg++];
			*sg = l->seg[s];
			if (sg->end_ms > now)
			{
				sg->end_ms = GC_OPEN;
				sg->disconnect = DISC_NONE;
				if (sg->wrapup != GC_NONE)
					sg->wrapup = GC_NONE;
			}
		}
		for (int m = 0; m < l->nmet; m++)
		{
			if (l->met[m].emit_ms > now)
				continue;
			GROW(d->met, b->nmet, b->cmet, GcMetricVal);
			d->met[b->nmet++] = l->met[m];
			se->nmetric++;
		}
	}
	c->end_ms = max_end <= now ? max_end : GC_OPEN;
}

/*
 * A day is drawn from the stream of its day in the base calendar: a world
 * shifted by --now wall (shift_days) holds on each day what the base world
 * holds shift_days earlier, moved to that day (ids carry the real day).
 */
GcDay *
gc_day_generate(int64_t day)
{
	SimRng		drng = sim_rng_derive(sim_config.seed, "day",
									  (uint64_t) (day - sim_config.shift_days));
	uint64_t	day_seed = sim_rng_next(&drng);
	int			n = sim_config.conversations_per_day;
	int64_t		day_start = day * MS_PER_DAY;
	int64_t		now = sim_config.now_ms;
	int64_t    *starts = malloc(sizeof(int64_t) * (size_t) (n + 1));
	double		cum[25];
	GcDay	   *d = calloc(1, sizeof(GcDay));
	DayBuilder	b;
	StrBuf		json,
				attrs;
	int			nkept = 0;

	if (!starts || !d)
		abort();
	cum[0] = 0;
	for (int h = 0; h < 24; h++)
		cum[h + 1] = cum[h] + hour_weight[h];
	for (int i = 0; i < n; i++)
	{
		double		u = sim_rng_uniform(&drng) * cum[24];
		int			h = 0;

		while (h < 23 && cum[h + 1] <= u)
			h++;
		starts[i] = day_start + h * MS_PER_HOUR + sim_rng_range(&drng, 0, MS_PER_HOUR - 1);
	}
	qsort(starts, (size_t) n, sizeof(int64_t), cmp_i64);
	while (nkept < n && starts[nkept] < now)
		nkept++;

	memset(&b, 0, sizeof(b));
	b.d = d;
	d->day = day;
	d->now_ms = now;
	d->nconv = nkept;
	d->conv = calloc((size_t) (nkept + 1), sizeof(GcConversation));
	for (int seq = 0; seq < nkept; seq++)
	{
		GcConversation *c = &d->conv[seq];
		SimRng		crng = sim_rng_derive(day_seed, "conversation", (uint64_t) seq);
		Plan		plan;

		c->seq = (uint32_t) seq;
		c->start_ms = starts[seq];
		c->id_seed = sim_rng_next(&crng);
		snprintf(c->id, sizeof(c->id), "%08x-%04x-4%03x-%04x-%012llx",
				 (unsigned) day, (unsigned) (seq >> 12) & 0xffff, (unsigned) seq & 0xfff,
				 (unsigned) (0x8000 | ((c->id_seed >> 48) & 0x3fff)),
				 (unsigned long long) (c->id_seed & UINT64_C(0xffffffffffff)));
		plan_conversation(c, &plan, &crng);
		materialize(&b, c, &plan);
		maybe_evaluate(&b, c, &plan, &crng);
		maybe_survey(c, &plan, b.d->now_ms);
		maybe_case(c);
	}
	free(starts);

	sb_init(&json, (size_t) nkept * 3000 + 64);
	sb_init(&attrs, (size_t) nkept * 120 + 64);
	for (int i = 0; i < nkept; i++)
		gc_render_conversation(d, &d->conv[i], &json, &attrs);
	d->json = json.data;
	d->json_len = json.len;
	d->attrs = attrs.data;
	d->attrs_len = attrs.len;
	d->bytes = sizeof(GcDay) + sizeof(GcConversation) * (size_t) nkept +
		sizeof(GcParticipant) * (size_t) b.cpart + sizeof(GcSession) * (size_t) b.csess +
		sizeof(GcSegment) * (size_t) b.cseg + sizeof(GcMetricVal) * (size_t) b.cmet +
		sizeof(GcEvaluation) * (size_t) b.ceval + json.cap + attrs.cap;
	return d;
}

void
gc_day_free(GcDay *d)
{
	if (!d)
		return;
	free(d->conv);
	free(d->part);
	free(d->sess);
	free(d->seg);
	free(d->met);
	free(d->eval);
	free(d->json);
	free(d->attrs);
	free(d);
}

/* ----------------------------------------------------------------------
 * The day cache: LRU over at most cache_days unpinned days
 * ----------------------------------------------------------------------
 */
#define MAX_CACHED 1024

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static GcDay *cache[MAX_CACHED];
static int	ncache;
static uint64_t cache_tick;

/* evicts least recently used unpinned days over the limit; lock held */
static void
cache_trim(void)
{
	int			limit = gc_config.cache_days < MAX_CACHED ? gc_config.cache_days : MAX_CACHED - 1;

	while (ncache > limit)
	{
		int			victim = -1;

		for (int i = 0; i < ncache; i++)
			if (cache[i]->refcount == 0 &&
				(victim < 0 || cache[i]->last_used < cache[victim]->last_used))
				victim = i;
		if (victim < 0)
			return;				/* everything pinned: trim on release */
		gc_day_free(cache[victim]);
		cache[victim] = cache[--ncache];
	}
}

/*
 * Whether a cached day is out of date: with --now wall the world's "now"
 * moves, and a day's conversations (cut at now, evaluations created up to
 * two days after their conversation and released later) depend on it for
 * DAY_LIVE_DAYS after the day starts.  Lock held.
 */
#define DAY_LIVE_DAYS 4

static bool
day_outdated(const GcDay *d)
{
	int64_t		now = sim_config.now_ms;

	return sim_config.follow_clock && d->now_ms != now &&
		(d->day + DAY_LIVE_DAYS) * MS_PER_DAY > d->now_ms;
}

GcDay *
gc_day_get(int64_t day)
{
	GcDay	   *d = NULL;

	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < ncache; i++)
		if (cache[i]->day == day)
		{
			if (day_outdated(cache[i]))
			{
				/* out of the cache; freed now or by its last release */
				GcDay	   *old = cache[i];

				cache[i] = cache[--ncache];
				if (old->refcount == 0)
					gc_day_free(old);
				else
					old->outdated = true;
			}
			else
				d = cache[i];
			break;
		}
	if (!d)
	{
		d = gc_day_generate(day);
		if (ncache >= MAX_CACHED)
			cache_trim();
		if (ncache < MAX_CACHED)
			cache[ncache++] = d;
	}
	d->refcount++;
	d->last_used = ++cache_tick;
	cache_trim();
	pthread_mutex_unlock(&cache_lock);
	return d;
}

void
gc_day_release(GcDay *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&cache_lock);
	d->refcount--;
	if (d->outdated && d->refcount == 0)
		gc_day_free(d);
	cache_trim();
	pthread_mutex_unlock(&cache_lock);
}

static int
hexfield(const char *s, int n, uint64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++)
	{
		int			c = s[i],
					x;

		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else
			return -1;
		*v = *v * 16 + (uint64_t) x;
	}
	return 0;
}

GcConversation *
gc_conversation_find(const char *id, GcDay **dayp)
{
	uint64_t	day,
				hi,
				lo;
	GcDay	   *d;
	int64_t		seq;

	*dayp = NULL;
	if (strlen(id) != 36 || id[8] != '-' || id[13] != '-' || id[14] != '4' ||
		hexfield(id, 8, &day) || hexfield(id + 9, 4, &hi) || hexfield(id + 15, 3, &lo))
		return NULL;
	seq = (int64_t) (hi << 12 | lo);
	if ((int64_t) day * MS_PER_DAY > sim_config.now_ms)
		return NULL;
	d = gc_day_get((int64_t) day);
	if (seq >= d->nconv || strcmp(d->conv[seq].id, id) != 0)
	{
		gc_day_release(d);
		return NULL;
	}
	*dayp = d;
	return &d->conv[seq];
}
