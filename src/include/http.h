/*-------------------------------------------------------------------------
 *
 * http.h
 *		The HTTP core: libcurl requests, OAuth tokens, the rate budget.
 *
 * Only src/http/ includes curl; everything else sees this interface.
 *
 * A GcaClient is cached per user mapping (keyed by its OID): it holds the
 * OAuth token, the curl handles (keep-alive) and the service's base URLs.
 * A GcaCall is one logical API request; the client sends it, retries it
 * (429, 5xx, timeouts, resets; a 401 refreshes the token once), waits on
 * the shared rate budget before every attempt, and streams a successful
 * response body into the call's sink as it arrives.  Up to
 * max_concurrency calls of one client are in flight at once.
 *
 * Every wait (network, backoff, Retry-After, budget) is interruptible:
 * Ctrl-C and statement_timeout raise their own error within a second.
 * Any failure after the retries raises an ERROR naming the service,
 * method, path, HTTP status, the API's message and the correlation id;
 * secrets and tokens never appear in errors or logs.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/http.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_HTTP_H
#define GCA_HTTP_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

/* The APIs the client speaks; what differs between them is http/service.c. */
typedef enum GcaService
{
	GCA_SERVICE_GENESYS = 1,
	GCA_SERVICE_SALESFORCE = 2
} GcaService;

/*
 * Where and how to call one API with one OAuth client: what a client is
 * created from.  Plain data, filled by the caller (the FDW from its
 * server and user mapping options); strings are copied by the client.
 */
typedef struct GcaClientConfig
{
	Oid			serverid;		/* key of the rate budget, with client_id */
	Oid			umid;			/* user mapping OID, key of the client cache */
	const char *servername;		/* for messages */
	GcaService	service;
	const char *api_url;		/* API base, no trailing slash */
	const char *login_url;		/* token endpoint host */
	const char *client_id;
	const char *client_secret;	/* never shown anywhere */
	const char *refresh_token;	/* never shown anywhere */
	int			requests_per_minute;
	int			max_concurrency;
	int			timeout_ms;
	int			connect_timeout_ms;
	int			max_retries;
} GcaClientConfig;

/*
 * Where the body of a successful (2xx) response goes.  reset() is called
 * before every attempt (so a retried request starts a fresh parse);
 * write() gets the bytes as they arrive and returns false to abort the
 * transfer (for instance on a parse error: the call then fails, not
 * retried, with the text of the optional error() as the error's detail).
 * If write() raises an ERROR instead, the transfer is stopped and the
 * error is raised again by gca_call_wait().  Non-2xx bodies never reach
 * the sink; the client keeps them (bounded) for the error message.
 */
typedef struct GcaSink
{
	void		(*reset) (void *arg);
	bool		(*write) (void *arg, const char *data, size_t len);
	void	   *arg;
	/* optional (NULL): why write() returned false, for the error detail */
	const char *(*error) (void *arg);
} GcaSink;

/* Counters of one scan, shown by EXPLAIN ANALYZE. */
typedef struct GcaHttpCounters
{
	int64		requests;		/* attempts sent, including retries */
	int64		retries;
	int64		n429;
	int64		bytes;			/* response body bytes received */
	double		wait_ms;		/* time waiting on budget, backoff and
								 * Retry-After */
} GcaHttpCounters;

typedef enum GcaCallState
{
	GCA_CALL_IDLE = 0,
	GCA_CALL_RUNNING,			/* started, not yet finished */
	GCA_CALL_DONE				/* finished successfully */
} GcaCallState;

/*
 * One logical request.  The caller fills the request fields and keeps the
 * struct (and the strings it points to) alive until the call is DONE or
 * cancelled; the client fills the result fields.
 */
typedef struct GcaCall
{
	/* request */
	const char *method;			/* "GET", "POST", "DELETE" */
	const char *path;			/* "/api/v2/..." relative to the API base,
								 * or an absolute URL of the same host */
	bool		presigned;		/* path is a pre-signed download URL (an
								 * API answered it): absolute, any https
								 * host (http only where loopback is
								 * allowed), sent without the bearer token
								 * and outside the rate budget; messages
								 * show it without its query string */
	const char *body;			/* JSON body for POST, or NULL */
	const char *const *headers; /* extra "Name: value" lines, NULL-ended,
								 * or NULL */
	int			delay_ms;		/* send no earlier than this after start */
	const int  *accept_statuses;	/* non-2xx statuses the caller handles
									 * itself, 0-terminated, or NULL: such a
									 * response ends the call DONE (status
									 * set, body not sent to the sink), never
									 * retried nor raised */
	GcaSink		sink;
	GcaHttpCounters *counters;	/* may be NULL */

	/* result */
	GcaCallState state;
	int			status;			/* HTTP status of the last attempt */
	int			attempts;
	char		correlation_id[80];

	void	   *priv;			/* the client's bookkeeping */
} GcaCall;

typedef struct GcaClient GcaClient;

/* in http/client.c */
extern void gca_http_init(void);

/* in http/service.c */
extern const char *gca_service_name(GcaService service);

/* in http/client.c */

/*
 * Returns the client of the user mapping in config, creating it (and
 * fetching a token) on first use; cached for the session and invalidated
 * when the server or user mapping changes.
 */
extern GcaClient *gca_client_get(const GcaClientConfig *config);

/*
 * Observed time of a successful request (ms, moving average): the
 * session's, else the pair's in the rate budget's slot; 0 if none.
 */
extern double gca_client_latency_ms(GcaClient *client);
extern bool gca_client_availability(GcaClient *client, TimestampTz *available);
extern bool gca_client_availability_covers(GcaClient *client, TimestampTz until,
										   TimestampTz *available);
extern void gca_client_config_known(const GcaClientConfig *config,
									double *latency_ms, TimestampTz *available,
									double *job_ready_ms);
extern void gca_client_remember_job_ready(GcaClient *client, double ms);
extern void gca_client_remember_availability(GcaClient *client,
											 TimestampTz available);

/* Base URL the client sends relative paths to (Salesforce: instance_url). */
extern const char *gca_client_base_url(GcaClient *client);

/*
 * Queues a call; it is sent when the budget and max_concurrency allow.
 * Does not wait for it, but may send it and move other transfers along.
 * Can throw (for instance when a token must be fetched and cannot be);
 * the call then counts as started.  A started call must stay in memory
 * until it is DONE, has raised its error in gca_call_wait(), or is
 * cancelled; at the end of the (sub)transaction that started it the
 * client forgets it without touching its memory.
 */
extern void gca_call_start(GcaClient *client, GcaCall *call);

/*
 * Drives transfers until `call` is DONE (other started calls progress
 * meanwhile; their failures are kept until they are waited for).  Raises
 * an ERROR if the call fails after its retries, and the query-cancel or
 * timeout error when interrupted.
 */
extern void gca_call_wait(GcaClient *client, GcaCall *call);
/* The same, but returns as soon as any started call has become DONE. */
extern void gca_call_wait_any(GcaClient *client, GcaCall *call);

/*
 * Moves started calls along without waiting (sends what may be sent,
 * receives what has arrived), so that responses fetched ahead keep
 * arriving while the caller works.  Never waits; can throw like
 * gca_call_start.
 */
extern void gca_client_progress(GcaClient *client);

/* start + wait */
extern void gca_call_perform(GcaClient *client, GcaCall *call);

/*
 * Abandons a started call (for example when LIMIT stops a scan early);
 * no-op for idle or done calls.  Never raises an error.
 */
extern void gca_call_cancel(GcaClient *client, GcaCall *call);

/*
 * A sink that keeps the whole body in memory (palloc'd in the current
 * context at init), refusing bodies longer than max bytes.
 */
typedef struct GcaBufferSink
{
	char	   *data;			/* NUL-terminated */
	size_t		len;
	size_t		cap;
	size_t		max;
	MemoryContext cxt;
} GcaBufferSink;

/* in http/sink.c */
extern void gca_buffer_sink_init(GcaSink *sink, GcaBufferSink *buf,
								 size_t max);

/* in http/ratelimit.c */
extern void gca_ratelimit_shmem_init(void); /* from _PG_init */

/* One row of http_stats(), summed over the budgets of a server. */
#define GCA_STATUS_KINDS	12
#define GCA_LIMIT_INFO_LEN	80
typedef struct GcaBudgetStats
{
	Oid			serverid;
	char		servername[NAMEDATALEN];
	int64		requests;
	int64		retries;
	int64		token_requests;
	int64		bytes;
	int64		network_errors;
	double		wait_ms;
	int			nstatus;
	int			statuses[GCA_STATUS_KINDS];
	int64		status_counts[GCA_STATUS_KINDS];
	int64		other_errors;	/* statuses beyond GCA_STATUS_KINDS kinds */
	char		limit_info[GCA_LIMIT_INFO_LEN];	/* last usage the API reported */
	TimestampTz limit_info_at;
} GcaBudgetStats;

extern bool gca_budget_is_shared(void);
/* Copies up to max rows of this database's budgets into out. */
extern int	gca_budget_snapshot(GcaBudgetStats *out, int max);
extern void gca_budget_reset_stats(void);

#endif							/* GCA_HTTP_H */
