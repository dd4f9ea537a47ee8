/*-------------------------------------------------------------------------
 *
 * main.c
 *		gcsim: the command line, the HTTP server (libmicrohttpd, a thread
 *		per connection), routing to the Genesys and Salesforce halves,
 *		latency, rate limiting, fault injection and /sim/stats.
 *
 *	gcsim [--seed N] [--port 0] [knobs...]		serve
 *	gcsim truth --from D1 --to D2 --out DIR [...]	write the ground truth
 *
 * The first line on stdout is "gcsim listening on http://127.0.0.1:PORT"
 * once the server accepts connections.  See README.md for every knob.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gc.h"

#define MAX_BODY_BYTES	(16 * 1024 * 1024)
#define MAX_LABELS		64
#define MAX_CLIENTS		256

SimConfig	sim_config;
GcConfig	gc_config;
__thread char sim_correlation_id[40];

static char base_url_buf[64];
static int64_t start_mono_ms;
static int64_t start_now_ms;	/* sim_config.now_ms when the server started */
/* POST /sim/clock?advance_s=N: seconds added to the simulated clock */
static _Atomic int64_t clock_advance_ms;
static volatile sig_atomic_t stop_requested;

/* kinds of injected faults, in the order the shares are cumulated */
typedef enum FaultKind
{
	FAULT_NONE = 0,
	FAULT_429,
	FAULT_500,
	FAULT_503,
	FAULT_DROP,
	FAULT_TRUNCATE,
	FAULT_401,
	FAULT_RATE_LIMITED,			/* a real rate-limit 429, not injected */
	FAULT_WINDOW_STATUS,		/* --fault-window-status */
	NUM_FAULT_KINDS
} FaultKind;

static const char *const fault_names[NUM_FAULT_KINDS] = {
	"none", "429", "500", "503", "drop", "truncate", "401", "rate_limited",
	"window_status"
};

/* the error bodies of injected statuses, both services */
static const struct
{
	int			status;
	const char *gc_code;
	const char *sf_code;
	const char *message;
}			status_errors[] = {
	{400, "bad.request", "MALFORMED_QUERY", "The request could not be understood by the server."},
	{404, "not.found", "NOT_FOUND", "The requested resource was not found."},
	{500, "internal.server.error", "UNKNOWN_EXCEPTION",
	"The server encountered an unexpected condition."},
	{503, "service.unavailable", "SERVER_UNAVAILABLE", "Service temporarily unavailable."},
};

/* /sim/stats counters per endpoint label */
typedef struct EndpointStats
{
	const char *label;
	int64_t		requests;
	int64_t		faults[NUM_FAULT_KINDS];
} EndpointStats;

/* a client's fixed 60 s rate-limit window */
typedef struct ClientWindow
{
	uint64_t	key;			/* 0 = free slot */
	int64_t		window_start_ms;	/* monotonic */
	int			count;
} ClientWindow;

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static EndpointStats stats[MAX_LABELS];
static int	nstats;
static ClientWindow clients[MAX_CLIENTS];
static atomic_uint_fast64_t request_seq;
static atomic_uint_fast64_t fault_seq;

/* per-connection state, created by the URI log callback */
typedef struct ConnState
{
	char	   *raw_uri;
	char	   *body;
	size_t		body_len;
	size_t		body_cap;
	bool		too_large;
	bool		started;		/* the access handler saw the headers */
} ConnState;

/* a truncated body served by a content-reader callback */
typedef struct TruncBody
{
	char	   *data;
	size_t		send;			/* bytes sent before the error */
} TruncBody;

/* ----------------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------------
 */
/* the real time, in whole minutes (the world's "now" with --now wall) */
static int64_t
wall_minute_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec / 60 * MS_PER_MIN;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/*
 * With --now wall, the world's "now" follows the clock minute by minute:
 * moved forward (never back) before a request is answered.  Handlers read
 * sim_config.now_ms as before; the day cache regenerates the days whose
 * contents depend on it (gc_day_get).
 */
static void
follow_clock(void)
{
	int64_t		now = wall_minute_ms();

	if (now > __atomic_load_n(&sim_config.now_ms, __ATOMIC_RELAXED))
		__atomic_store_n(&sim_config.now_ms, now, __ATOMIC_RELAXED);
}

/* sleeps ms, in steps, so that a shutdown does not wait for the latency */
static void
sleep_ms(int ms)
{
	int64_t		until = sim_mono_ms() + ms;

	while (!stop_requested)
	{
		int64_t		left = until - sim_mono_ms();
		struct timespec ts;

		if (left <= 0)
			break;
		if (left > 50)
			left = 50;
		ts.tv_sec = 0;
		ts.tv_nsec = (long) left * 1000000L;
		nanosleep(&ts, NULL);
	}
}


/* ----------------------------------------------------------------------
 * Statistics
 * ----------------------------------------------------------------------
 */
static void
stats_count(const char *label, FaultKind fault)
{
	EndpointStats *e = NULL;

	pthread_mutex_lock(&stats_lock);
	for (int i = 0; i < nstats; i++)
		if (strcmp(stats[i].label, label) == 0)
			e = &stats[i];
	if (!e && nstats < MAX_LABELS)
	{
		e = &stats[nstats++];
		memset(e, 0, sizeof(*e));
		e->label = label;
	}
	if (e)
	{
		e->requests++;
		e->faults[fault]++;
	}
	pthread_mutex_unlock(&stats_lock);
}

static void
stats_render(SimResponse *resp)
{
	StrBuf		sb;
	int64_t		total = 0,
				tf[NUM_FAULT_KINDS] = {0};

	sb_init(&sb, 1024);
	sb_puts(&sb, "{\"endpoints\":{");
	pthread_mutex_lock(&stats_lock);
	for (int i = 0; i < nstats; i++)
	{
		sb_printf(&sb, "%s\"%s\":{\"requests\":%lld,\"faults\":{", i ? "," : "",
				  stats[i].label, (long long) stats[i].requests);
		for (int k = 1; k < NUM_FAULT_KINDS; k++)
		{
			sb_printf(&sb, "%s\"%s\":%lld", k > 1 ? "," : "", fault_names[k],
					  (long long) stats[i].faults[k]);
			tf[k] += stats[i].faults[k];
		}
		sb_puts(&sb, "}}");
		total += stats[i].requests;
	}
	pthread_mutex_unlock(&stats_lock);
	sb_printf(&sb, "},\"total\":{\"requests\":%lld,\"faults\":{", (long long) total);
	for (int k = 1; k < NUM_FAULT_KINDS; k++)
		sb_printf(&sb, "%s\"%s\":%lld", k > 1 ? "," : "", fault_names[k],
				  (long long) tf[k]);
	sb_puts(&sb, "}}}");
	resp->status = 200;
	resp->endpoint = "sim.stats";
	sb_to_response(&sb, resp);
}

static void
sim_reset(SimResponse *resp)
{
	pthread_mutex_lock(&stats_lock);
	nstats = 0;
	memset(clients, 0, sizeof(clients));
	pthread_mutex_unlock(&stats_lock);
	atomic_store(&request_seq, 0);
	atomic_store(&fault_seq, 0);
	gc_reset();
	resp->status = 204;
	resp->endpoint = "sim.reset";
}

/*
 * POST /sim/clock?advance_s=N (0 <= N <= 10^8): moves the simulated clock
 * N seconds forward for every later request, so that a test sees tokens
 * and sessions expire without sleeping.  Answers 204, or 400 without a
 * valid N.
 */
static void
sim_clock_advance(const SimRequest *req, SimResponse *resp)
{
	char		v[32];
	char	   *end = v;
	long long	n = -1;

	if (sim_query_arg(req->query, "advance_s", v, sizeof(v)) && v[0] != '\0')
		n = strtoll(v, &end, 10);
	resp->endpoint = "sim.clock";
	if (*end != '\0' || n < 0 || n > 100000000)
	{
		gc_error(resp, 400, "bad.request", "advance_s must be a whole number of seconds from 0 to 100000000");
		return;
	}
	atomic_fetch_add(&clock_advance_ms, (int64_t) n * 1000);
	resp->status = 204;
}

/* ----------------------------------------------------------------------
 * Rate limiting: fixed 60 s windows per client
 * ----------------------------------------------------------------------
 */

/*
 * Counts one request of client key; returns true when it is over the
 * limit.  *count, *reset_s report the window for inin-ratelimit-*.
 */
static bool
rate_limit_hit(uint64_t key, int *count, int *reset_s)
{
	int64_t		now = sim_mono_ms();
	ClientWindow *w = NULL;
	bool		over;

	pthread_mutex_lock(&stats_lock);
	for (int i = 0; i < MAX_CLIENTS; i++)
	{
		ClientWindow *c = &clients[(key + (uint64_t) i) % MAX_CLIENTS];

		if (c->key == key || c->key == 0)
		{
			w = c;
			break;
		}
	}
	if (!w)						/* table full: share the slot of the hash */
		w = &clients[key % MAX_CLIENTS];
	if (w->key != key || now - w->window_start_ms >= 60000)
	{
		w->key = key;
		w->window_start_ms = now;
		w->count = 0;
	}
	over = w->count >= sim_config.rate_limit_per_minute;
	if (!over)
		w->count++;
	*count = w->count;
	*reset_s = (int) ((w->window_start_ms + 60000 - now + 999) / 1000);
	if (*reset_s < 1)
		*reset_s = 1;
	pthread_mutex_unlock(&stats_lock);
	return over;
}

/* ----------------------------------------------------------------------
 * Request processing
 * ----------------------------------------------------------------------
 */
static bool
is_salesforce(const char *path)
{
	return strncmp(path, "/services/", 10) == 0 || strcmp(path, "/services") == 0;
}

/* API requests get faults and rate limits; tokens and /sim do not */
static bool
is_api_request(const char *path)
{
	if (strncmp(path, "/sim/", 5) == 0 || strcmp(path, "/oauth/token") == 0)
		return false;
	if (strncmp(path, "/services/oauth2/", 17) == 0)
		return false;
	return true;
}

static FaultKind
choose_fault(void)
{
	uint64_t	n = atomic_fetch_add(&fault_seq, 1);
	SimRng		rng = sim_rng_derive(sim_config.seed, "fault", n);
	double		u = sim_rng_uniform(&rng);
	double		shares[] = {0, sim_config.fault_429, sim_config.fault_500,
		sim_config.fault_503, sim_config.fault_drop,
	sim_config.fault_truncate, sim_config.fault_401};
	double		acc = 0;

	for (int k = FAULT_429; k <= FAULT_401; k++)
	{
		acc += shares[k];
		if (u < acc)
			return (FaultKind) k;
	}
	return FAULT_NONE;
}

/* replaces resp with an error of the right service */
static void
service_error(SimResponse *resp, bool sf, int status, const char *gc_code,
			  const char *sf_code, const char *message)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->content_type = NULL;
	if (sf)
		sf_error(resp, status, sf_code, message);
	else
		gc_error(resp, status, gc_code, "%s", message);
	resp->status = status;
}

/* replaces resp with the error of an injected status of status_errors */
static void
status_error(SimResponse *resp, bool sf, int status)
{
	for (size_t i = 0; i < sizeof(status_errors) / sizeof(status_errors[0]); i++)
		if (status_errors[i].status == status)
			service_error(resp, sf, status, status_errors[i].gc_code,
						  status_errors[i].sf_code, status_errors[i].message);
}

/*
 * Runs one request through routing, rate limiting and fault injection.
 * Returns the fault applied (FAULT_DROP and FAULT_TRUNCATE are carried out
 * by the caller).
 */
static FaultKind
process(const SimRequest *req, SimResponse *resp)
{
	bool		sf = is_salesforce(req->path);
	bool		api = is_api_request(req->path);
	FaultKind	fault = FAULT_NONE;
	uint64_t	key;
	int			rl_count = 0,
				rl_reset = 0;
	bool		limited = false;
	int			window_status = 0;

	if (strcmp(req->path, "/sim/stats") == 0 && strcmp(req->method, "GET") == 0)
	{
		stats_render(resp);
		return FAULT_NONE;
	}
	if (strcmp(req->path, "/sim/reset") == 0 && strcmp(req->method, "POST") == 0)
	{
		sim_reset(resp);
		return FAULT_NONE;
	}
	if (strcmp(req->path, "/sim/clock") == 0 && strcmp(req->method, "POST") == 0)
	{
		sim_clock_advance(req, resp);
		return FAULT_NONE;
	}

	if (api && sim_config.rate_limit_per_minute > 0)
	{
		if (!gc_token_client(req->authorization, &key))
			key = req->authorization ? sim_hash_str(req->authorization) | 1 : 1;
		limited = rate_limit_hit(key, &rl_count, &rl_reset);
	}

	if (api && !limited)
		fault = choose_fault();
	/* no token to reject as expired: a pre-signed download carries none */
	if (fault == FAULT_401 && req->authorization == NULL)
		fault = FAULT_NONE;
	/* after choose_fault, so that the drawn sequence stays the same */
	if (!sf && api && !limited && fault == FAULT_NONE &&
		(window_status = gc_window_status(req)) != 0)
		fault = FAULT_WINDOW_STATUS;

	/*
	 * A Genesys request refused by the rate limit or an injected error
	 * never runs (no job is created); one that is dropped or truncated
	 * does.  Salesforce requests always run, for the sf_handle() label.
	 */
	if (!sf && (limited || fault == FAULT_429 || fault == FAULT_500 ||
				fault == FAULT_503 || fault == FAULT_401 ||
				fault == FAULT_WINDOW_STATUS))
		resp->endpoint = gc_endpoint_label(req);
	if (!resp->endpoint && !(sf ? sf_handle(req, resp) : gc_handle(req, resp)))
	{
		resp->endpoint = sf ? "sf.unknown" : "gc.unknown";
		if (sf)
			sf_error(resp, 404, "NOT_FOUND", "The requested resource does not exist");
		else
			gc_error(resp, 404, "not.found", "The requested resource was not found: %s %s",
					 req->method, req->path);
	}
	if (!resp->endpoint)
		resp->endpoint = sf ? "sf.other" : "gc.other";

	if (limited)
	{
		char		msg[128];

		snprintf(msg, sizeof(msg),
				 "Rate limit exceeded the maximum. Retry the request in [%d] seconds",
				 rl_reset);
		service_error(resp, sf, 429, "too.many.requests.retry.after",
					  "REQUEST_LIMIT_EXCEEDED", msg);
		sim_response_header(resp, "Retry-After", "%d", rl_reset);
		fault = FAULT_RATE_LIMITED;
	}
	else
	{
		switch (fault)
		{
			case FAULT_429:
				service_error(resp, sf, 429, "too.many.requests.retry.after",
							  "REQUEST_LIMIT_EXCEEDED",
							  "Rate limit exceeded the maximum. Retry the request in [1] seconds");
				sim_response_header(resp, "Retry-After", "1");
				break;
			case FAULT_500:
				status_error(resp, sf, 500);
				break;
			case FAULT_503:
				status_error(resp, sf, 503);
				break;
			case FAULT_WINDOW_STATUS:
				status_error(resp, sf, window_status);
				break;
			case FAULT_401:
				if (sf)
					service_error(resp, sf, 401, NULL, "INVALID_SESSION_ID",
								  "Session expired or invalid");
				else
					service_error(resp, sf, 401, "credentials.expired", NULL,
								  "The authentication token has expired.");
				break;
			default:
				break;
		}
	}
	if (!sf && sim_config.rate_limit_per_minute > 0 && api)
	{
		sim_response_header(resp, "inin-ratelimit-count", "%d", rl_count);
		sim_response_header(resp, "inin-ratelimit-allowed", "%d",
							sim_config.rate_limit_per_minute);
		sim_response_header(resp, "inin-ratelimit-reset", "%d", rl_reset);
	}
	stats_count(resp->endpoint, fault);
	return fault;
}

static ssize_t
trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	TruncBody  *t = cls;
	size_t		n;

	if (pos >= t->send)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = t->send - (size_t) pos;
	if (n > max)
		n = max;
	memcpy(buf, t->data + pos, n);
	return (ssize_t) n;
}

static void
trunc_free(void *cls)
{
	TruncBody  *t = cls;

	free(t->data);
	free(t);
}

static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	ConnState  *st = calloc(1, sizeof(ConnState));

	(void) cls;
	(void) conn;
	if (!st)
		abort();
	st->raw_uri = strdup(uri);
	return st;
}

static void
request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
				  enum MHD_RequestTerminationCode toe)
{
	ConnState  *st = *con_cls;

	(void) cls;
	(void) conn;
	(void) toe;
	if (st)
	{
		free(st->raw_uri);
		free(st->body);
		free(st);
		*con_cls = NULL;
	}
}

/* adds a header line's bytes ("Name: value" CRLF) to *cls */
static enum MHD_Result
add_header_len(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void) kind;
	*(size_t *) cls += strlen(key) + 2 + (value ? strlen(value) : 0) + 2;
	return MHD_YES;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	ConnState  *st = *con_cls;
	SimRequest	req;
	SimResponse resp;
	FaultKind	fault;
	struct MHD_Response *mr;
	const char *q;
	enum MHD_Result ret;
	SimRng		crng;

	(void) cls;
	(void) version;
	if (st == NULL)				/* no URI logger state: cannot happen */
		return MHD_NO;
	if (!st->started)			/* headers only; the body follows */
	{
		st->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		if (st->body_len + *upload_data_size > MAX_BODY_BYTES)
			st->too_large = true;
		else
		{
			if (st->body_len + *upload_data_size + 1 > st->body_cap)
			{
				st->body_cap = (st->body_len + *upload_data_size + 1) * 2;
				st->body = realloc(st->body, st->body_cap);
				if (!st->body)
					abort();
			}
			memcpy(st->body + st->body_len, upload_data, *upload_data_size);
			st->body_len += *upload_data_size;
			st->body[st->body_len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	q = strchr(st->raw_uri, '?');
	req.method = method;
	req.path = url;
	req.query = q ? q + 1 : "";
	req.body = st->body ? st->body : "";
	req.body_len = st->body_len;
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
													MHD_HTTP_HEADER_AUTHORIZATION);
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
												   MHD_HTTP_HEADER_CONTENT_TYPE);
	req.sforce_query_options = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
														   "Sforce-Query-Options");
	req.url_len = strlen(st->raw_uri);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_len, &req.header_len);
	if (sim_config.follow_clock)
		follow_clock();
	req.now_ms = start_now_ms + (sim_mono_ms() - start_mono_ms) +
		atomic_load(&clock_advance_ms);

	crng = sim_rng_derive(sim_config.seed, "correlation",
						  atomic_fetch_add(&request_seq, 1));
	gc_uuid(sim_correlation_id, &crng);

	if (st->too_large)
	{
		gc_error(&resp, 413, "request.entity.too.large",
				 "The request body exceeds %d bytes.", MAX_BODY_BYTES);
		resp.endpoint = "too.large";
		fault = FAULT_NONE;
	}
	else
		fault = process(&req, &resp);

	if (sim_config.latency_ms > 0 && strncmp(url, "/sim/", 5) != 0)
		sleep_ms(sim_config.latency_ms);

	if (fault == FAULT_DROP)
	{
		free(resp.body);
		return MHD_NO;			/* MHD closes the connection */
	}
	if (fault == FAULT_TRUNCATE && resp.body_len > 1)
	{
		TruncBody  *t = malloc(sizeof(TruncBody));

		if (!t)
			abort();
		t->data = resp.body;
		t->send = resp.body_len / 2;
		mr = MHD_create_response_from_callback(resp.body_len, 64 * 1024,
											   trunc_reader, t, trunc_free);
	}
	else if (resp.body_len > 0)
		mr = MHD_create_response_from_buffer(resp.body_len, resp.body,
											 MHD_RESPMEM_MUST_FREE);
	else
	{
		free(resp.body);
		mr = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
	}
	if (!mr)
		return MHD_NO;
	if (resp.body_len > 0 || resp.status != 204)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
								resp.content_type ? resp.content_type : "application/json");
	if (!is_salesforce(url))
		MHD_add_response_header(mr, "ININ-Correlation-Id", sim_correlation_id);
	for (int i = 0; i < resp.nheaders; i++)
		MHD_add_response_header(mr, resp.headers[i].name, resp.headers[i].value);
	ret = MHD_queue_response(conn, (unsigned) (resp.status ? resp.status : 500), mr);
	MHD_destroy_response(mr);
	return ret;
}

/* ----------------------------------------------------------------------
 * Command line
 * ----------------------------------------------------------------------
 */
static void
usage(FILE *f)
{
	fprintf(f,
			"usage: gcsim [options]                      serve on 127.0.0.1\n"
			"       gcsim truth --from D1 --to D2 --out DIR [--time-zone TZ] [options]\n"
			"       gcsim generate --from D1 --to D2 [options]   (benchmark)\n"
			"options (see test/simulator/README.md):\n"
			"  --seed N --now TS|wall --world-shift-weeks N\n"
			"  --conversations-per-day N --accounts N\n"
			"  --port N --latency-ms N --rate-limit-per-minute N\n"
			"  --details-page-max N --job-page-max N --listing-page-max N\n"
			"  --sf-batch-max N --gc-token-ttl S --sf-token-ttl S --job-delay-ms N\n"
			"  --client-id S --client-secret S --sf-daily-limit N --sf-api-version V\n"
			"  --fault-429 F --fault-500 F --fault-503 F --fault-drop F\n"
			"  --fault-truncate F --fault-401 F --cache-days N --wfm-download-users N\n"
			"  --details-max-results N --listing-page-cap N --job-availability-lag-s S\n"
			"  --job-results-no-availability\n"
			"  --fault-empty-page P --fault-missing-page P --fault-page-once\n"
			"  --fault-shift-pages K --fault-short-window FROM/TO:SHARE\n"
			"  --fault-eval-404 F --fault-window-status FROM/TO:STATUS\n"
			"  --sf-wide-account N --sf-tier-change ACCOUNT_ID=TIER\n");
}

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "gcsim: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static int64_t
parse_int(const char *opt, const char *v, int64_t lo, int64_t hi)
{
	char	   *end;
	long long	n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || end == v || n < lo || n > hi)
		die("invalid value for %s", opt);
	return n;
}

static double
parse_share(const char *opt, const char *v)
{
	char	   *end;
	double		d = strtod(v, &end);

	if (*end || end == v || d < 0 || d > 1)
		die("invalid share for %s (expected 0..1)", opt);
	return d;
}

static int64_t
parse_time_opt(const char *opt, const char *v)
{
	int64_t		ms;

	if (sim_parse_ts(v, strlen(v), &ms) != 0)
		die("invalid timestamp for %s", opt);
	return ms;
}

/*
 * A window option's FROM/TO:VALUE (the value after the last colon, as the
 * times hold colons): sets *from, *to and returns VALUE; usage names the
 * form in the error.
 */
static const char *
parse_window(const char *opt, const char *v, const char *usage,
			 int64_t *from, int64_t *to)
{
	const char *colon = strrchr(v, ':');
	char		interval[128];
	char		msg[160];

	snprintf(msg, sizeof(msg), "invalid value for %%s (expected %s)", usage);
	if (!colon || (size_t) (colon - v) >= sizeof(interval))
		die(msg, opt);
	memcpy(interval, v, (size_t) (colon - v));
	interval[colon - v] = '\0';
	if (gc_parse_interval(interval, from, to) != 0)
		die(msg, opt);
	return colon + 1;
}

/* --fault-window-status FROM/TO:STATUS, repeatable */
static void
parse_status_window(const char *opt, const char *v)
{
	GcConfig   *g = &gc_config;
	const char *status;
	int			n = g->nstatus_windows;

	if (n >= GC_MAX_STATUS_WINDOWS)
		die("too many %s (at most 16)", opt);
	status = parse_window(opt, v, "FROM/TO:STATUS", &g->status_windows[n].from_ms,
						  &g->status_windows[n].to_ms);
	g->status_windows[n].status = (int) parse_int(opt, status, 400, 503);
	if (g->status_windows[n].status != 400 && g->status_windows[n].status != 404 &&
		g->status_windows[n].status != 500 && g->status_windows[n].status != 503)
		die("invalid status for %s (400, 404, 500 or 503)", opt);
	g->nstatus_windows++;
}

/* the Genesys side's options beyond SimConfig; false if o is none of them */
static bool
parse_gc_option(const char *o, const char *v)
{
	GcConfig   *g = &gc_config;

	if (strcmp(o, "--cache-days") == 0)
		g->cache_days = (int) parse_int(o, v, 1, 10000);
	else if (strcmp(o, "--wfm-download-users") == 0)
		g->wfm_download_users = (int) parse_int(o, v, 1, 10000);
	else if (strcmp(o, "--details-max-results") == 0)
		g->max_results = (int) parse_int(o, v, 1, 100000000);
	else if (strcmp(o, "--listing-page-cap") == 0)
		g->listing_page_cap = (int) parse_int(o, v, 0, 100000);
	else if (strcmp(o, "--job-availability-lag-s") == 0)
		g->job_availability_lag_s = (int) parse_int(o, v, 0, 100000000);
	else if (strcmp(o, "--fault-empty-page") == 0)
		g->fault_empty_page = (int) parse_int(o, v, 0, 100000000);
	else if (strcmp(o, "--fault-missing-page") == 0)
		g->fault_missing_page = (int) parse_int(o, v, 0, 100000000);
	else if (strcmp(o, "--fault-shift-pages") == 0)
		g->fault_shift_pages = (int) parse_int(o, v, 0, 100000000);
	else if (strcmp(o, "--fault-short-window") == 0)
		g->short_share = parse_share(o, parse_window(o, v, "FROM/TO:SHARE",
													 &g->short_from_ms,
													 &g->short_to_ms));
	else if (strcmp(o, "--fault-window-status") == 0)
		parse_status_window(o, v);
	else if (strcmp(o, "--fault-eval-404") == 0)
		g->fault_eval_404 = parse_share(o, v);
	else
		return false;
	return true;
}

typedef struct TruthArgs
{
	int64_t		from_ms;
	int64_t		to_ms;
	const char *out;
} TruthArgs;

static void
parse_args(int argc, char **argv, int first, TruthArgs *truth)
{
	SimConfig  *c = &sim_config;
	bool		shift_given = false;

	for (int i = first; i < argc; i++)
	{
		const char *o = argv[i];
		const char *v;

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
		{
			usage(stdout);
			exit(0);
		}
		if (strcmp(o, "--fault-page-once") == 0)
		{
			gc_config.fault_page_once = true;	/* a switch, no value */
			continue;
		}
		if (strcmp(o, "--job-results-no-availability") == 0)
		{
			gc_config.job_results_no_availability = true;	/* a switch */
			continue;
		}
		if (i + 1 >= argc)
			die("missing value for %s", o);
		v = argv[++i];
		if (strcmp(o, "--seed") == 0)
			c->seed = (uint64_t) parse_int(o, v, 0, INT64_MAX);
		else if (strcmp(o, "--now") == 0)
		{
			c->follow_clock = strcmp(v, "wall") == 0;
			if (!c->follow_clock)
				c->now_ms = parse_time_opt(o, v);
		}
		else if (strcmp(o, "--world-shift-weeks") == 0)
		{
			c->shift_days = 7 * parse_int(o, v, -10000, 10000);
			shift_given = true;
		}
		else if (strcmp(o, "--conversations-per-day") == 0)
			c->conversations_per_day = (int) parse_int(o, v, 0, 1000000);
		else if (strcmp(o, "--accounts") == 0)
			c->accounts = (int) parse_int(o, v, 0, 10000000);
		else if (strcmp(o, "--port") == 0)
			c->port = (int) parse_int(o, v, 0, 65535);
		else if (strcmp(o, "--latency-ms") == 0)
			c->latency_ms = (int) parse_int(o, v, 0, 600000);
		else if (strcmp(o, "--rate-limit-per-minute") == 0)
			c->rate_limit_per_minute = (int) parse_int(o, v, 0, 100000000);
		else if (strcmp(o, "--details-page-max") == 0)
			c->details_page_max = (int) parse_int(o, v, 1, 100000);
		else if (strcmp(o, "--job-page-max") == 0)
			c->job_page_max = (int) parse_int(o, v, 1, 100000);
		else if (strcmp(o, "--listing-page-max") == 0)
			c->listing_page_max = (int) parse_int(o, v, 1, 100000);
		else if (strcmp(o, "--sf-batch-max") == 0)
			c->sf_batch_max = (int) parse_int(o, v, 1, 100000);
		else if (strcmp(o, "--gc-token-ttl") == 0)
			c->gc_token_ttl_s = (int) parse_int(o, v, 1, 100000000);
		else if (strcmp(o, "--sf-token-ttl") == 0)
			c->sf_token_ttl_s = (int) parse_int(o, v, 1, 100000000);
		else if (strcmp(o, "--job-delay-ms") == 0)
			c->job_delay_ms = (int) parse_int(o, v, 0, 100000000);
		else if (strcmp(o, "--client-id") == 0)
			c->client_id = v;
		else if (strcmp(o, "--client-secret") == 0)
			c->client_secret = v;
		else if (strcmp(o, "--fault-429") == 0)
			c->fault_429 = parse_share(o, v);
		else if (strcmp(o, "--fault-500") == 0)
			c->fault_500 = parse_share(o, v);
		else if (strcmp(o, "--fault-503") == 0)
			c->fault_503 = parse_share(o, v);
		else if (strcmp(o, "--fault-drop") == 0)
			c->fault_drop = parse_share(o, v);
		else if (strcmp(o, "--fault-truncate") == 0)
			c->fault_truncate = parse_share(o, v);
		else if (strcmp(o, "--fault-401") == 0)
			c->fault_401 = parse_share(o, v);
		else if (strcmp(o, "--sf-daily-limit") == 0)
			c->sf_daily_limit = (int) parse_int(o, v, 0, 2000000000);
		else if (strcmp(o, "--sf-api-version") == 0)
			c->sf_api_version = v;
		else if (strcmp(o, "--sf-wide-account") == 0)
			c->sf_wide_account = (int) parse_int(o, v, 0, 800);
		else if (strcmp(o, "--sf-tier-change") == 0)
		{
			if (c->sf_ntier_changes >= SIM_MAX_TIER_CHANGES)
				die("too many %s (at most 256)", o);
			c->sf_tier_changes[c->sf_ntier_changes++] = v;	/* sf_world_build
															 * checks them */
		}
		else if (parse_gc_option(o, v))
			;
		else if (truth && strcmp(o, "--from") == 0)
			truth->from_ms = parse_time_opt(o, v);
		else if (truth && strcmp(o, "--to") == 0)
			truth->to_ms = parse_time_opt(o, v);
		else if (truth && strcmp(o, "--out") == 0)
			truth->out = v;
		else if (truth && strcmp(o, "--time-zone") == 0)
		{
			if (strcmp(v, "UTC") != 0 && !gc_tz_known(v))
				die("--time-zone \"%s\" is not a zone of the IANA database", v);
			gc_truth_time_zone = v;
		}
		else
		{
			usage(stderr);
			die("unrecognized option \"%s\"", o);
		}
	}
	if (c->fault_429 + c->fault_500 + c->fault_503 + c->fault_drop +
		c->fault_truncate + c->fault_401 > 1.0 + 1e-9)
		die("%s", "fault shares add up to more than 1");
	if (gc_config.fault_empty_page > 0 &&
		gc_config.fault_empty_page == gc_config.fault_missing_page)
		die("%s", "--fault-empty-page and --fault-missing-page name the same page");
	if (c->follow_clock)
	{
		c->now_ms = wall_minute_ms();
		/* whole weeks: the story keeps its weekdays (floor, also before) */
		if (!shift_given)
			c->shift_days = 7 * floor_div(c->now_ms / MS_PER_DAY - SIM_BASE_WEEK_DAY, 7);
	}
}

static void
set_defaults(void)
{
	SimConfig  *c = &sim_config;

	memset(c, 0, sizeof(*c));
	c->seed = 42;
	/* two weeks of traffic around the 5.0 release; see README.md */
	c->now_ms = SIM_BASE_NOW_MS;
	c->conversations_per_day = 2000;
	c->accounts = 2000;
	c->details_page_max = 100;
	c->job_page_max = 1000;
	c->listing_page_max = 100;
	c->sf_batch_max = 2000;
	c->gc_token_ttl_s = 86400;
	c->sf_token_ttl_s = 7200;
	c->job_delay_ms = 200;
	c->sf_daily_limit = 100000;
	c->sf_api_version = "62.0";
	gc_config.cache_days = 8;
	gc_config.wfm_download_users = 25;
	gc_config.max_results = 100000;
}

/*
 * `gcsim generate --from D1 --to D2`: generates and renders every day of
 * the range once (as the server does on a cache miss) and reports the
 * cost, for the benchmark.
 */
static int
generate_days(int64_t from_ms, int64_t to_ms)
{
	int64_t		t0 = sim_mono_ms();
	int64_t		nconv = 0,
				bytes = 0,
				max_day_bytes = 0,
				ndays = 0;

	for (int64_t day = from_ms / MS_PER_DAY; day * MS_PER_DAY < to_ms; day++)
	{
		GcDay	   *d = gc_day_generate(day);

		nconv += d->nconv;
		bytes += (int64_t) d->json_len;
		if ((int64_t) d->bytes > max_day_bytes)
			max_day_bytes = (int64_t) d->bytes;
		ndays++;
		gc_day_free(d);
	}
	printf("days %lld conversations %lld json_bytes %lld max_day_bytes %lld seconds %.2f\n",
		   (long long) ndays, (long long) nconv, (long long) bytes,
		   (long long) max_day_bytes, (sim_mono_ms() - t0) / 1000.0);
	return 0;
}

/* the second line of a server following the clock or shifted */
static void
print_world_calendar(void)
{
	char		now[32],
				story[32];
	const GcRelease *r = &gc_world.releases[gc_world.story_release];

	sim_format_ts(now, sim_config.now_ms);
	sim_format_date(story, r->ms);
	printf("gcsim world: now %s%s, calendar shifted by %lld weeks, release %s on %s\n",
		   now, sim_config.follow_clock ? " (following the wall clock)" : "",
		   (long long) (sim_config.shift_days / 7), r->version, story);
}

static void
on_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

static int
serve(void)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	int			port;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t) sim_config.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	start_mono_ms = sim_mono_ms();
	start_now_ms = sim_config.now_ms;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
						 MHD_USE_ERROR_LOG,
						 (uint16_t) sim_config.port, NULL, NULL, answer, NULL,
						 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
						 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (64 * 1024),
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 300,
						 MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
						 MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
						 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int) 256,
						 MHD_OPTION_END);
	if (!d)
	{
		fprintf(stderr, "gcsim: could not start the HTTP server on port %d\n",
				sim_config.port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : sim_config.port;
	snprintf(base_url_buf, sizeof(base_url_buf), "http://127.0.0.1:%d", port);
	sim_config.base_url = base_url_buf;

	printf("gcsim listening on %s\n", base_url_buf);
	if (sim_config.follow_clock || sim_config.shift_days != 0)
		print_world_calendar();
	fflush(stdout);

	while (!stop_requested)
		pause();
	MHD_stop_daemon(d);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	TruthArgs	truth = {0, 0, NULL};
	bool		truth_mode = argc > 1 && strcmp(argv[1], "truth") == 0;
	bool		generate_mode = argc > 1 && strcmp(argv[1], "generate") == 0;

	/*
	 * Response bodies of a few hundred KB come and go with every page: keep
	 * them on the heap instead of fresh mmap'd (zero-filled) pages.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);

	set_defaults();
	parse_args(argc, argv, truth_mode || generate_mode ? 2 : 1,
			   truth_mode || generate_mode ? &truth : NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the CRM world first: the Genesys world draws accounts from it */
	sf_world_build();
	gc_world_build();

	if (generate_mode)
		return generate_days(truth.from_ms, truth.to_ms);
	if (truth_mode)
	{
		if (!truth.out || truth.to_ms <= truth.from_ms)
			die("%s", "truth needs --from, --to (after --from) and --out");
		mkdir(truth.out, 0755);
		if (gc_write_truth(truth.out, truth.from_ms, truth.to_ms) != 0 ||
			sf_write_truth(truth.out) != 0)
		{
			fprintf(stderr, "gcsim: could not write the truth files to %s\n", truth.out);
			return 1;
		}
		return 0;
	}
	return serve();
}
