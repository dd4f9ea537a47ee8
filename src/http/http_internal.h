/*-------------------------------------------------------------------------
 *
 * http_internal.h
 *		Declarations shared by the files of the HTTP core (src/http/ only).
 *
 * The rest of the extension sees http.h.  This header includes curl and
 * is therefore included only under src/http/.  It never includes json-c
 * or utils/builtins.h, so every file of the core may include it.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/http_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_HTTP_INTERNAL_H
#define GCA_HTTP_INTERNAL_H

#include <curl/curl.h>

#include "datatype/timestamp.h"
#include "utils/elog.h"
#include "utils/palloc.h"

#include "http.h"

/* bytes of a non-2xx body kept for the error message */
#define GCA_ERRBODY_MAX		8192
/* idle easy handles kept per engine for reuse */
#define GCA_POOL_MAX		16
/* a 401 refreshes the token, unless this many new tokens in a row were
 * refused before any of them was accepted */
#define GCA_MAX_REFUSED_TOKENS	3
/* backoff: base and cap of the exponential, full-jitter delay */
#define GCA_BACKOFF_BASE_MS	500
#define GCA_BACKOFF_CAP_MS	30000

/* ---------------------------------------------------------------------
 * What differs between the services (service.c), and their error bodies
 * (errbody.c)
 * ---------------------------------------------------------------------
 */
typedef struct GcaServiceDef
{
	GcaService	service;
	const char *name;			/* "genesys", in messages */
	const char *token_path;		/* on the login host */
	bool		token_basic_auth;	/* client id and secret as Basic auth,
									 * else as form fields */
	bool		token_expires;	/* honour expires_in */
	bool		base_url_from_token;	/* instance_url becomes the API base */
	const char *expired_session_code;	/* a 401 means an expired token only
										 * with this error code; NULL: always */
	const char *credential_options; /* to check when the token is refused */
	const char *host_hint;		/* when the API host cannot be resolved */
	/* hints for error codes of the API's error bodies, {NULL}-ended */
	const struct GcaErrorHint *error_hints;
} GcaServiceDef;

/* The hint of an error that carries an API error code. */
typedef struct GcaErrorHint
{
	const char *code;			/* e.g. "REQUEST_LIMIT_EXCEEDED" */
	const char *hint;
} GcaErrorHint;

extern const GcaServiceDef *gca_service_def(GcaService service);
extern const char *gca_service_error_hint(const GcaServiceDef *svc,
										  const char *body, size_t len);

/* in http/errbody.c */
/*
 * An API error body as "code: message", palloc'd; NULL when the body is
 * not such JSON.  Never throws except on OOM.
 */
extern char *gca_error_body_text(const char *body, size_t len);
/* Does the error body carry this error code (e.g. INVALID_SESSION_ID)? */
extern bool gca_error_body_has_code(const char *body, size_t len,
									const char *code);

/* ---------------------------------------------------------------------
 * The rate budget (ratelimit.c)
 * ---------------------------------------------------------------------
 */

/* A client's handle on its budget slot; plain data, kept in the client. */
typedef struct GcaBudget
{
	Oid			dbid;
	Oid			serverid;
	uint32		client_hash;	/* hash of the OAuth client_id */
	uint32		api_hash;		/* hash of the API URL */
	int			slot;			/* index last found at, -1 if none, -2 when
								 * kept in this backend (shared table full) */
	char		servername[NAMEDATALEN];
} GcaBudget;

/* What the budget records for one finished attempt. */
typedef struct GcaAttemptStats
{
	int			status;			/* HTTP status, 0 for a transport error */
	int64		bytes;
	bool		retry;			/* this attempt was a retry */
	bool		token;			/* a request to the token endpoint */
	const char *limit_info;		/* the API's usage headers, or "" */
	double		latency_ms;		/* a successful API request's time, else 0 */
} GcaAttemptStats;


extern void gca_budget_attach(GcaBudget *budget, Oid serverid,
							  const char *servername, const char *client_id,
							  const char *api_url);
extern int64 gca_budget_take(GcaBudget *budget, int requests_per_minute);
extern void gca_budget_pause(GcaBudget *budget, int ms);
extern void gca_budget_record(GcaBudget *budget, const GcaAttemptStats *st);
extern void gca_budget_record_wait(GcaBudget *budget, double ms);
extern void gca_budget_remember_availability(GcaBudget *budget,
											 TimestampTz available);
extern bool gca_budget_known(GcaBudget *budget, double *latency_ms,
							 TimestampTz *available, double *job_ready_ms);
extern void gca_budget_remember_job_ready(GcaBudget *budget, double ms);

/* ---------------------------------------------------------------------
 * Engines (engine.c), attempts (attempt.c), sinks (sink.c) and clients
 * (client.c)
 * ---------------------------------------------------------------------
 */
typedef enum GcaRequestKind
{
	GCA_REQ_API = 0,			/* bearer token, rate budget */
	GCA_REQ_TOKEN,				/* token endpoint: no bearer, no budget */
	GCA_REQ_DOWNLOAD			/* a pre-signed URL: no bearer, no budget */
} GcaRequestKind;

typedef enum GcaPhase
{
	GCA_PH_QUEUED = 0,			/* waiting for its time, the budget or a slot */
	GCA_PH_RUNNING,				/* an attempt is in the multi handle */
	GCA_PH_FAILED				/* failed for good; error kept until waited */
} GcaPhase;

typedef struct GcaEngine GcaEngine;

/*
 * The client's bookkeeping for one started call (GcaCall.priv).  Lives in
 * the client's memory context, not the caller's, so that it can be
 * cleaned up at transaction end even after the caller's memory is gone;
 * `call` must not be dereferenced then.
 */
typedef struct GcaCallPriv
{
	struct GcaCallPriv *next;	/* in the engine's list, in start order */
	GcaCall    *call;			/* the caller's struct */
	GcaEngine  *engine;
	GcaRequestKind kind;
	int			nestlevel;		/* transaction nesting level at start */
	GcaPhase	phase;
	char	   *url;			/* full URL, in the client's context */
	char	   *display_path;	/* path without query, for messages */

	/* scheduling */
	TimestampTz not_before;		/* earliest start of the next attempt */
	TimestampTz wait_since;		/* when waiting on budget/backoff began, or 0 */
	TimestampTz started;		/* start of the running attempt */
	int			retries;		/* retries used (429, 5xx, network) */
	int			token_gen;		/* token generation the attempt used */

	/* the running attempt */
	CURL	   *easy;
	bool		in_multi;		/* easy is in the multi handle */
	struct curl_slist *headers;
	long		status;
	int			retry_after_s;	/* Retry-After in seconds, or -1 */
	char		correlation_id[80];
	char		limit_info[GCA_LIMIT_INFO_LEN];
	int			rl_count;		/* inin-ratelimit-count, or -1 */
	int			rl_allowed;		/* inin-ratelimit-allowed, or -1 */
	int			rl_reset;		/* inin-ratelimit-reset, or -1 */
	size_t		bytes;
	bool		sink_failed;	/* the sink refused data */
	ErrorData  *sink_error;		/* the sink raised this error */
	size_t		errlen;
	char		errbody[GCA_ERRBODY_MAX];
	char		errbuf[CURL_ERROR_SIZE];

	/* the failure, when phase == GCA_PH_FAILED */
	int			fail_sqlstate;
	char	   *fail_msg;
	char	   *fail_detail;
	char	   *fail_hint;
} GcaCallPriv;

struct GcaEngine
{
	GcaClient  *client;
	/* called before an API request starts, to get the client a token */
	void		(*ensure_token) (GcaClient *client);
	CURLM	   *multi;
	GcaCallPriv *head;			/* started calls, in start order */
	GcaCallPriv *tail;
	int			nrunning;		/* attempts in the multi handle */
	uint64		ndone;			/* calls that have become DONE */
	int			npool;
	CURL	   *pool[GCA_POOL_MAX];
};

struct GcaClient
{
	Oid			umid;
	Oid			serverid;
	uint32		server_hash;	/* syscache hash values, for invalidation */
	uint32		mapping_hash;
	bool		invalid;		/* server or user mapping changed */
	MemoryContext cxt;			/* holds the client and its strings */

	const GcaServiceDef *svc;
	char	   *servername;
	char	   *api_url;		/* configured API base */
	char	   *login_url;
	char	   *client_id;
	char	   *client_secret;
	char	   *refresh_token;
	char	   *base_url;		/* api_url, or Salesforce's instance_url */

	/* tunables, refreshed from the options on every gca_client_get() */
	int			timeout_ms;
	int			connect_timeout_ms;
	int			max_retries;
	int			max_concurrency;
	int			requests_per_minute;

	/* OAuth */
	char	   *access_token;	/* NULL until fetched */
	TimestampTz token_refresh_at;	/* refresh after this, 0 = only on 401 */
	int			token_gen;		/* bumped on every new token */
	int			good_gen;		/* latest token generation that got a 2xx */
	double		latency_ms;		/* moving average of successful requests */
	double		token_latency_ms;	/* the last token request's time, 0 if
									 * none */
	/* dataAvailabilityDate, and the start of the statement that asked */
	TimestampTz availability;
	TimestampTz availability_statement;
	int			refused_gen;	/* latest token generation refused (401) */
	int			refused_streak; /* tokens refused in a row, none of them
								 * ever accepted */

	GcaEngine	api;			/* API requests */
	GcaEngine	auth;			/* token requests, driven on their own */
	GcaBudget	budget;
};

/* in http/engine.c */
extern void gca_engine_init(GcaEngine *engine, GcaClient *client,
							void (*ensure_token) (GcaClient *client));
extern void gca_engine_destroy(GcaEngine *engine);
extern void gca_engine_release(GcaEngine *engine, GcaCallPriv *priv);
extern void gca_engine_pump(GcaEngine *engine);
extern void gca_engine_start(GcaEngine *engine, GcaCall *call,
							 GcaRequestKind kind);
extern void gca_engine_wait(GcaEngine *engine, GcaCall *call, bool any);
extern void gca_engine_cancel(GcaEngine *engine, GcaCall *call);

/* in http/attempt.c */
extern void gca_attempt_start(GcaEngine *engine, GcaCallPriv *priv);
extern void gca_attempt_detach(GcaEngine *engine, GcaCallPriv *priv);
extern bool gca_attempt_finish(GcaEngine *engine, GcaCallPriv *priv,
							   CURLcode code);

/* in http/sink.c: curl's callbacks of every attempt (arg: its GcaCallPriv) */
extern size_t gca_curl_write_cb(char *data, size_t size, size_t nmemb,
								void *arg);
extern size_t gca_curl_header_cb(char *buffer, size_t size, size_t nitems,
								 void *arg);
extern int	gca_curl_xferinfo_cb(void *arg, curl_off_t dltotal,
								 curl_off_t dlnow, curl_off_t ultotal,
								 curl_off_t ulnow);
extern void gca_response_headers_reset(GcaCallPriv *priv);

/* in http/secrets.c */
extern void gca_scrub_secrets(GcaClient *client, char *text);
extern void gca_forget_token(GcaClient *client);

/* ---------------------------------------------------------------------
 * OAuth (oauth.c)
 * ---------------------------------------------------------------------
 */
/*
 * Makes sure the client has a token that is not about to expire; the API
 * engine's ensure_token hook.  Throws when none can be obtained.
 */
extern void gca_oauth_ensure_token(GcaClient *client);

#endif							/* GCA_HTTP_INTERNAL_H */
