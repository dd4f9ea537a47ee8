/*-------------------------------------------------------------------------
 *
 * gc.h
 *		The Genesys side of gcsim and the server core's own helpers: string
 *		buffers, time formatting, the Genesys world and its handlers.
 *
 * sim.h is the contract with the Salesforce side; this header is private
 * to main.c, sim_util.c and gc_*.c.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCSIM_GC_H
#define GCSIM_GC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define GC_MAX_STATUS_WINDOWS 16

/* Options of the Genesys side beyond SimConfig (parsed by main.c) */
typedef struct GcConfig
{
	int			cache_days;		/* --cache-days: generated days kept, LRU */
	int			wfm_download_users; /* --wfm-download-users: users per
									 * adherence download, default 25 */
	int			max_results;	/* --details-max-results, 100000 */
	int			listing_page_cap;	/* --listing-page-cap: entities served per
									 * listing page at most, 0 = no cap */
	int			job_availability_lag_s; /* --job-availability-lag-s, 0 = the
										 * 5-minute default, nothing held back */
	bool		job_results_no_availability;	/* --job-results-no-availability:
												 * results pages without
												 * dataAvailabilityDate */
	/* read faults (gc_fault.c), all off by default */
	int			fault_empty_page;	/* --fault-empty-page P, 0 = off */
	int			fault_missing_page; /* --fault-missing-page P, 0 = off */
	bool		fault_page_once;	/* --fault-page-once: only a page's first
									 * read is faulty */
	int			fault_shift_pages;	/* --fault-shift-pages K, 0 = off */
	int64_t		short_from_ms;	/* --fault-short-window FROM/TO:SHARE */
	int64_t		short_to_ms;
	double		short_share;	/* 0 = off */
	double		fault_eval_404; /* --fault-eval-404 SHARE, 0 = off */
	int			nstatus_windows;	/* --fault-window-status FROM/TO:STATUS */
	struct
	{
		int64_t		from_ms;
		int64_t		to_ms;
		int			status;		/* 400, 404, 500 or 503 */
	}			status_windows[GC_MAX_STATUS_WINDOWS];
} GcConfig;

extern GcConfig gc_config;

/* the ININ-Correlation-Id of the request this thread is answering */
extern __thread char sim_correlation_id[40];

/* ---------------------------------------------------------------------
 * gc_buf.c: hashing, JSON numbers and timestamps (the StrBuf and the
 * ISO-8601 time functions are sim.h's)
 * ---------------------------------------------------------------------
 */

/* FNV-1a hash of a NUL-terminated string */
extern uint64_t sim_hash_str(const char *s);

extern void sb_int(StrBuf *sb, int64_t v);
/* a quoted ISO-8601 timestamp with ms and Z */
extern void sb_json_ts(StrBuf *sb, int64_t ms);


/* ---------------------------------------------------------------------
 * gc_world.c: the Genesys world (reference data) and conversations,
 * generated lazily per UTC day and cached (LRU, cache_days days).
 * ---------------------------------------------------------------------
 */
#define GC_OPEN			INT64_C(-1)	/* segment or conversation end: open */
#define GC_WRAPUP_TIMEOUT (-2)	/* wrapup index of ININ-WRAP-UP-TIMEOUT */
#define GC_NONE			(-1)

typedef enum GcMedia
{
	MEDIA_VOICE = 0, MEDIA_CHAT, MEDIA_EMAIL, MEDIA_MESSAGE, MEDIA_CALLBACK,
	NUM_MEDIA
} GcMedia;

typedef enum GcPurpose
{
	PURPOSE_CUSTOMER = 0, PURPOSE_EXTERNAL, PURPOSE_IVR, PURPOSE_BOTFLOW,
	PURPOSE_ACD, PURPOSE_AGENT, NUM_PURPOSES
} GcPurpose;

typedef enum GcSegType
{
	SEG_ALERT = 0, SEG_DIALING, SEG_INTERACT, SEG_HOLD, SEG_WRAPUP, SEG_IVR,
	SEG_SYSTEM, NUM_SEGTYPES
} GcSegType;

typedef enum GcDisconnect
{
	DISC_NONE = 0, DISC_CLIENT, DISC_ENDPOINT, DISC_PEER, DISC_TRANSFER,
	DISC_CONSULT_TRANSFER, DISC_SYSTEM, NUM_DISCONNECTS
} GcDisconnect;

/* the detail metrics gcsim emits, by purpose as Genesys documents them */
typedef enum GcMetric
{
	M_NCONNECTED = 0, M_NFLOW, M_TIVR, M_TFLOW, M_NOFFERED, M_TACD,
	M_TABANDON, M_TALERT, M_TANSWERED, M_TTALK, M_TTALKCOMPLETE, M_THELD,
	M_THELDCOMPLETE, M_TACW, M_THANDLE, M_NTRANSFERRED,
	M_NBLINDTRANSFERRED, M_NCONSULTTRANSFERRED,
	NUM_DETAIL_METRICS,
	M_NCONVERSATIONS = NUM_DETAIL_METRICS,	/* aggregates only */
	M_TWAIT,					/* aggregates only: an ACD session's tAcd */
	M_NOUTBOUND,				/* aggregates only: an outbound conversation */
	M_OSERVICELEVEL,			/* aggregates only: ACD sessions answered in 20 s */
	NUM_METRICS
} GcMetric;

typedef enum GcEvalStatus
{
	EVAL_FINISHED = 0, EVAL_INPROGRESS, EVAL_INREVIEW, EVAL_PENDING,
	NUM_EVAL_STATUSES
} GcEvalStatus;

extern const char *const gc_media_names[NUM_MEDIA];
extern const char *const gc_purpose_names[NUM_PURPOSES];
extern const char *const gc_segtype_names[NUM_SEGTYPES];
extern const char *const gc_disconnect_names[NUM_DISCONNECTS];
extern const char *const gc_metric_names[NUM_METRICS];
extern const char *const gc_eval_status_names[NUM_EVAL_STATUSES];	/* analytics */
extern const char *const gc_eval_status_quality[NUM_EVAL_STATUSES];	/* quality */

typedef struct GcDivision
{
	char		id[37];
	const char *name;
} GcDivision;

typedef struct GcQueue
{
	char		id[37];
	const char *name;
	int			division;
	bool		internal;		/* QA Review, Training, Health Check */
	int64_t		created_ms;
	int			nagents;		/* members: indexes into gc_world.users */
	int		   *agents;
} GcQueue;

typedef struct GcUser
{
	char		id[37];
	char		name[48];
	char		email[64];
	const char *department;
	const char *title;
	const char *state;			/* active, inactive */
	int			division;
	bool		evaluator;		/* a QA supervisor, never an agent */
} GcUser;

typedef struct GcWrapup
{
	char		id[37];
	const char *name;
	int			division;
	int64_t		created_ms;
} GcWrapup;

typedef struct GcFlow
{
	char		id[37];
	const char *name;
	const char *flow_type;		/* INBOUNDCALL, BOT, DIGITALBOT */
	bool		bot;
	const char *dnis;			/* tel: number for voice flows */
} GcFlow;

#define GC_FORM_GROUPS	3
#define GC_GROUP_QUESTIONS 3

typedef struct GcForm
{
	char		id[37];
	char		context_id[37];
	const char *name;
	char		group_ids[GC_FORM_GROUPS][37];
	char		question_ids[GC_FORM_GROUPS][GC_GROUP_QUESTIONS][37];
	double		group_weight[GC_FORM_GROUPS];
} GcForm;

typedef struct GcRelease
{
	const char *date;			/* YYYY-MM-DD, 00:00 UTC */
	const char *version;
	int64_t		ms;
} GcRelease;

typedef struct GcWorld
{
	int			ndivisions;
	GcDivision *divisions;
	int			nqueues;
	GcQueue    *queues;
	int			nusers;
	GcUser	   *users;
	int			nwrapups;
	GcWrapup   *wrapups;
	int			nflows;
	GcFlow	   *flows;
	int			nforms;
	GcForm	   *forms;
	int			nsurvey_forms;
	GcForm	   *survey_forms;	/* id, context_id and name only */
	int			nreleases;
	const GcRelease *releases;
	int			story_release;	/* index of the release that plants the story */
	/* E.164 phone -> account index, open addressing */
	int			phone_slots;
	int		   *phone_table;
} GcWorld;

extern GcWorld gc_world;

typedef struct GcSegment
{
	int64_t		start_ms;
	int64_t		end_ms;			/* GC_OPEN while in progress */
	int16_t		queue;			/* GC_NONE or queue index */
	int16_t		wrapup;			/* GC_NONE, GC_WRAPUP_TIMEOUT or index */
	uint8_t		type;			/* GcSegType */
	uint8_t		disconnect;		/* GcDisconnect */
} GcSegment;

typedef struct GcMetricVal
{
	int64_t		value;
	int64_t		emit_ms;
	uint8_t		metric;			/* GcMetric */
} GcMetricVal;

typedef struct GcSession
{
	uint32_t	first_seg;
	uint32_t	first_metric;
	uint16_t	nseg;
	uint16_t	nmetric;
	uint8_t		media;			/* GcMedia */
	uint8_t		direction;		/* 0 inbound, 1 outbound */
	int16_t		flow;			/* GC_NONE or flow index */
	int16_t		exit_queue;		/* flows: the queue they transfer to */
} GcSession;

typedef struct GcParticipant
{
	uint32_t	first_sess;
	uint16_t	nsess;
	uint8_t		purpose;		/* GcPurpose */
	int16_t		user;			/* GC_NONE or user index (agents) */
	int16_t		queue;			/* acd participants: the queue */
} GcParticipant;

typedef struct GcEvaluation
{
	uint64_t	id_seed;		/* evaluationId, answers */
	int16_t		form;
	int16_t		evaluator;
	int16_t		agent;
	int16_t		queue;
	uint8_t		status;			/* GcEvalStatus */
	bool		calibration;
	double		total_score;	/* Quality API float; oTotalScore rounds it */
	double		critical_score;
	double		noncritical_score;
	bool		any_failed_kill;
	int64_t		created_ms;
	int64_t		released_ms;
	int64_t		changed_ms;
	char		id[37];
	char		calibration_id[37];
} GcEvaluation;

typedef enum GcSurveyStatus
{
	SURVEY_NONE = 0, SURVEY_SENT, SURVEY_FINISHED, SURVEY_EXPIRED
} GcSurveyStatus;

/* the conversation's survey (AnalyticsSurvey), as of --now */
typedef struct GcSurvey
{
	uint8_t		status;			/* GcSurveyStatus; SURVEY_NONE: no survey */
	int8_t		promoter;		/* surveyPromoterScore 0..10 (finished) */
	int16_t		total;			/* oSurveyTotalScore 0..100 (finished) */
	int16_t		form;
	int16_t		agent;			/* userId: the main agent */
	int16_t		queue;			/* queueId: that agent's queue */
	int64_t		event_ms;		/* eventTime: sent */
	int64_t		completed_ms;	/* surveyCompletedDate, or GC_OPEN */
	char		id[37];
} GcSurvey;

extern const char *const gc_survey_status_names[];

typedef struct GcConversation
{
	char		id[37];
	char		ani[24];		/* E.164 "+1..." or "" */
	uint32_t	seq;
	int64_t		start_ms;
	int64_t		end_ms;			/* GC_OPEN while in progress */
	uint64_t	id_seed;		/* participant and session ids */
	uint8_t		media;			/* the customer session's GcMedia */
	uint8_t		orig_dir;		/* 0 inbound, 1 outbound */
	int16_t		division;
	int32_t		account;		/* sfAccountId account index or GC_NONE */
	int32_t		sf_case;		/* sfCaseId case index or GC_NONE */
	bool		escalated;
	bool		bot_handled;
	int8_t		product_release;	/* release index for productVersion */
	int16_t		dnis_flow;		/* flow whose dnis was dialled, or GC_NONE */
	uint32_t	first_part;
	uint16_t	npart;
	uint16_t	neval;
	uint32_t	first_eval;
	GcSurvey	survey;
	/* pre-rendered JSON (without attributes) in GcDay.json */
	size_t		json_off;
	uint32_t	json_len;
	uint32_t	attr_at;		/* insert the attributes member here */
	uint32_t	attr_off;		/* in GcDay.attrs */
	uint32_t	attr_len;
} GcConversation;

typedef struct GcDay
{
	int64_t		day;			/* days since 1970-01-01 */
	int			nconv;
	GcConversation *conv;
	GcParticipant *part;
	GcSession  *sess;
	GcSegment  *seg;
	GcMetricVal *met;
	GcEvaluation *eval;
	char	   *json;
	size_t		json_len;
	char	   *attrs;
	size_t		attrs_len;
	int64_t		now_ms;			/* sim_config.now_ms it was generated at */
	/* cache bookkeeping */
	bool		outdated;		/* left the cache, freed by its last release */
	int			refcount;
	uint64_t	last_used;
	size_t		bytes;
} GcDay;

/* the customer (or external) participant: always the first */
#define GC_CUSTOMER(day, c) (&(day)->part[(c)->first_part])

/* returns day (generated or cached), pinned; release with gc_day_release */
extern GcDay *gc_day_get(int64_t day);
extern void gc_day_release(GcDay *d);
/* generates a day without caching it (truth, benchmarks); free it after */
extern GcDay *gc_day_generate(int64_t day);
extern void gc_day_free(GcDay *d);
/* finds a conversation by id: pins its day; NULL if unknown */
extern GcConversation *gc_conversation_find(const char *id, GcDay **dayp);
/* account whose E.164 phone is ani ("+1..."), or GC_NONE */
extern int	gc_phone_account(const char *ani);
/* the user, queue, wrap-up code id strings */
extern const char *gc_wrapup_id(int wrapup);
/* the id of participant p / session s of conversation c */
extern void gc_part_id(const GcConversation *c, int p, char *buf);
extern void gc_sess_id(const GcConversation *c, int s, char *buf);
/* a UUID from a random stream */
extern void gc_uuid(char *buf, SimRng *rng);
/* question scores of an evaluation: scores[group][question] 0..5 */
extern void gc_eval_answers(const GcEvaluation *e,
							int scores[GC_FORM_GROUPS][GC_GROUP_QUESTIONS]);

/* gc_render.c: a conversation's JSON record, with attributes or not */
/* the ani and dnis of its sessions (buf of 40 bytes), NULL if none */
extern const char *gc_ani(const GcConversation *c, char *buf);
extern const char *gc_dnis(const GcConversation *c, char *buf);
extern void gc_render_conversation(GcDay *d, GcConversation *c, StrBuf *json,
								   StrBuf *attrs);
extern void gc_append_conversation(StrBuf *sb, const GcDay *d,
								   const GcConversation *c, bool attributes);

/* ---------------------------------------------------------------------
 * gc_filter.c: conversation, segment, evaluation and aggregate filters
 * ---------------------------------------------------------------------
 */
struct json_object;

typedef enum GcScope
{
	SCOPE_CONVERSATION = 0, SCOPE_SEGMENT, SCOPE_EVALUATION, SCOPE_AGGREGATE
} GcScope;

typedef struct GcFilterSet GcFilterSet;

/*
 * Compiles an array of filters (or one filter object, for aggregates);
 * NULL with a message in err on a bad filter.
 */
extern GcFilterSet *gc_filters_parse(struct json_object *v, GcScope scope,
									 char *err, size_t errlen);
extern void gc_filters_free(GcFilterSet *fs);
/* all filters hold for conversation c (NULL fs: true) */
extern bool gc_filters_match(const GcFilterSet *fs, const GcDay *d,
							 const GcConversation *c);
/* aggregates: all filters hold for session se of c */
extern bool gc_filters_match_session(const GcFilterSet *fs, const GcDay *d,
									 const GcConversation *c,
									 const GcParticipant *pa,
									 const GcSession *se);
/* a dimension by name for a scope, or -1; its name; its value for a session
 * (buf of 48 bytes), NULL when absent */
extern int	gc_dim_lookup(const char *name, GcScope scope);
extern const char *gc_dim_name(int dim);
extern const char *gc_dim_session_value(int dim, const GcDay *d,
										const GcConversation *c,
										const GcParticipant *pa,
										const GcSession *se, char *buf);
/* a session's queue (its participant's or segments') and wrap-up code */
extern int	gc_session_queue(const GcDay *d, const GcParticipant *pa,
							 const GcSession *se);
extern int	gc_session_wrapup(const GcDay *d, const GcSession *se);

/* ---------------------------------------------------------------------
 * gc_api.c: the Genesys endpoints
 * ---------------------------------------------------------------------
 */

/* gc_query.c */
extern struct json_object *gc_parse_body(const SimRequest *req, SimResponse *resp);
/* parses "start/end"; 0 on success */
extern int	gc_parse_interval(const char *s, int64_t *start, int64_t *end);
extern void gc_details_query(const SimRequest *req, SimResponse *resp);
extern void gc_job_create(const SimRequest *req, SimResponse *resp);
extern void gc_job_status(const char *id, SimResponse *resp);
extern void gc_job_delete(const char *id, SimResponse *resp);
extern void gc_job_results(const SimRequest *req, const char *id, SimResponse *resp);
extern void gc_job_availability(SimResponse *resp);
extern void gc_conversation_by_id(const char *id, SimResponse *resp);
extern void gc_conversations_by_ids(const SimRequest *req, SimResponse *resp);

/* gc_api.c: an evaluation as the Quality API's EvaluationResponse */
extern void gc_render_evaluation(StrBuf *sb, const GcConversation *c,
								 const GcEvaluation *e, bool answers);
/* gc_quality.c: GET /api/v2/quality/evaluations/query */
extern void gc_quality_evaluations_query(const SimRequest *req, SimResponse *resp);
extern void gc_jobs_reset(void);
extern int64_t gc_data_availability_ms(void);

/* ---------------------------------------------------------------------
 * gc_fault.c: faults in the middle of a read (README "Read faults")
 * ---------------------------------------------------------------------
 */
typedef enum GcPageFault
{
	GC_PAGE_OK = 0,
	GC_PAGE_EMPTY,				/* "conversations":[] */
	GC_PAGE_MISSING				/* the conversations key omitted */
} GcPageFault;

/*
 * The fault of results page page_number (1-based) of a read; read_key
 * names that page of that read (query or job, page size, page) so that
 * --fault-page-once spares its later reads.
 */
extern GcPageFault gc_page_fault(int page_number, uint64_t read_key);
/*
 * Whether a read of [start_ms, end_ms) is short (--fault-short-window):
 * the first details query or job overlapping the window is.  query_key
 * names the details query without its paging (0 for a job, whose pages
 * are all short or none).
 */
extern bool gc_short_read(int64_t start_ms, int64_t end_ms, uint64_t query_key,
						  int page_number);
/* whether a short read leaves conversation c out */
extern bool gc_short_drops(const GcConversation *c);
/*
 * The status a details query or details job creation must answer because
 * its interval overlaps a --fault-window-status window (the first such
 * window's), or 0: any other request, or a body without a valid interval.
 */
extern int	gc_window_status(const SimRequest *req);
/* whether quality GETs of this evaluation answer 404 (--fault-eval-404) */
extern bool gc_eval_gone(const char *evaluation_id);
/* forgets which pages and windows were read (POST /sim/reset) */
extern void gc_faults_reset(void);

/* gc_aggr.c */
extern void gc_aggregates_query(const SimRequest *req, SimResponse *resp);

/* forgets jobs (POST /sim/reset) */
extern void gc_reset(void);

/* builds the Genesys world (after sf_world_build); call once */
extern void gc_world_build(void);

/*
 * Handles a Genesys request (/oauth/token, /api/v2/...).  Returns 1 if the
 * path is Genesys's (resp filled), 0 otherwise.
 */
extern int	gc_handle(const SimRequest *req, SimResponse *resp);

/* fills resp with a Genesys ErrorBody */
extern void gc_error(SimResponse *resp, int status, const char *code,
					 const char *fmt,...) __attribute__((format(printf, 4, 5)));

/*
 * The /sim/stats label of a Genesys request ("gc.details.query", ...), or
 * NULL when the path is not Genesys's; does not run the request.
 */
extern const char *gc_endpoint_label(const SimRequest *req);

/* the client id a Genesys bearer token was issued to, for rate limiting */
extern bool gc_token_client(const char *authorization, uint64_t *client_key);

/* ---------------------------------------------------------------------
 * gc_wfm.c: workforce management (management units, historical adherence)
 * ---------------------------------------------------------------------
 */
#define GC_WFM_NUM_MU 2
#define GC_WFM_MAX_EXCEPTIONS 4

typedef struct GcWfmException
{
	int			start_s;		/* from the day's UTC midnight */
	int			end_s;
	int			kind;			/* actual activity: Break, Meal, Unscheduled,
								 * OffQueueWork */
} GcWfmException;

/* an agent's day: HistoricalAdherenceDayMetrics and its exceptions */
typedef struct GcWfmDay
{
	int			shift_start_s;
	int			schedule_length_s;
	int			adherence_schedule_s;
	int			conformance_schedule_s;
	int			conformance_actual_s;
	int			exception_duration_s;
	int			impact_s;
	int			actual_length_s;
	int			nexceptions;
	GcWfmException exceptions[GC_WFM_MAX_EXCEPTIONS];
} GcWfmDay;

extern const char *gc_wfm_mu_id(int mu);
/* the management unit of a user, or -1 (not a scheduled agent) */
extern int	gc_wfm_mu_of(int user);
/* false when the user has no schedule that day (or it is not over) */
extern bool gc_wfm_day(int user, int64_t day, GcWfmDay *out);
/*
 * The shifts of user starting in [from_ms, to_ms) (a day of some zone;
 * at most two across a DST change), their figures summed into out
 * (exceptions[] and shift_start_s: the first's, from its UTC midnight);
 * false when none
 */
extern bool gc_wfm_span(int user, int64_t from_ms, int64_t to_ms, GcWfmDay *out);
/* a zone name of the system's IANA database */
extern bool gc_tz_known(const char *tz);
/* the local midnight of zone tz at or before ms, moved n_days days */
extern int64_t gc_local_midnight(const char *tz, int64_t ms, int n_days);
/* the local date of ms in zone tz, as days since 1970-01-01 */
extern int64_t gc_local_date(const char *tz, int64_t ms);
/* the /sim/stats label of a WFM or download request, or NULL; ids in a, n */
extern const char *gc_wfm_route(const SimRequest *req, char a[64], int *n);
extern bool gc_wfm_handle(const SimRequest *req, const char *label, const char *a,
						  int n, SimResponse *resp);

/* `gcsim truth`: writes the Genesys truth files; 0 on success */
extern int	gc_write_truth(const char *dir, int64_t from_ms, int64_t to_ms);
/* `gcsim truth --time-zone TZ`: adherence.csv's dates are days of TZ */
extern const char *gc_truth_time_zone;

#endif							/* GCSIM_GC_H */
