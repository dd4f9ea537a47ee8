/*-------------------------------------------------------------------------
 *
 * client.c
 *		libcurl requests for the foreign data wrapper.
 *
 * A GcaClient is cached per user mapping in a hash table in
 * TopMemoryContext.  It owns two "engines", each a curl multi handle with
 * the calls started on it: one for API requests, one for token requests
 * (so that fetching a token in the middle of driving API transfers never
 * re-enters the API engine).  The multi handle keeps the connections
 * alive between requests.
 *
 * A started call is queued; the engine starts an attempt when its retry
 * time has come, max_concurrency allows and the rate budget gives a
 * token; curl_multi_poll() drives the transfers with a short timeout and
 * CHECK_FOR_INTERRUPTS() between polls, so Ctrl-C and statement_timeout
 * raise their own error.  Waits without transfers use WaitLatch().
 *
 * Calls' bookkeeping lives in the client's memory context; transaction
 * and subtransaction end remove whatever is still started (curl handles
 * out of the multi handle, header lists freed), without looking at the
 * caller's GcaCall, whose memory may already be gone.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/client.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include <curl/curl.h>

#include "access/xact.h"
#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "gcanalytics.h"
#include "http_internal.h"
#include "url.h"

/* longest sleep between two CHECK_FOR_INTERRUPTS() while transfers run */
#define POLL_MS		100

typedef struct ClientEntry
{
	Oid			umid;			/* hash key */
	GcaClient  *client;
} ClientEntry;

static HTAB *client_hash = NULL;
static bool curl_ready = false;

static void engine_pump(GcaEngine *engine);
static void engine_release(GcaEngine *engine, GcaCallPriv *priv);
static void release_calls(int min_nestlevel, bool drop_invalid);
static void attempt_detach(GcaEngine *engine, GcaCallPriv *priv);

/*
 * Initialises libcurl once per process.  Called from _PG_init; a failure
 * leaves the library loaded, and the first request reports it.
 */
void
gca_http_init(void)
{
	if (curl_ready)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		curl_ready = true;
}

/* ---------------------------------------------------------------------
 * Secrets
 * ---------------------------------------------------------------------
 */

static void
scrub_one(char *text, const char *secret)
{
	size_t		slen;
	char	   *p;

	if (secret == NULL || (slen = strlen(secret)) < 4)
		return;
	while ((p = strstr(text, secret)) != NULL)
		memset(p, '*', slen);
}

/*
 * Overwrites, in place, every occurrence of the client's secret, refresh
 * token or access token in text.  Used on every string that may carry
 * remote text into an error or a log line.  Never throws.
 */
void
gca_scrub_secrets(GcaClient *client, char *text)
{
	if (text == NULL)
		return;
	scrub_one(text, client->client_secret);
	scrub_one(text, client->refresh_token);
	scrub_one(text, client->access_token);
}

/* ---------------------------------------------------------------------
 * The in-memory sink
 * ---------------------------------------------------------------------
 */

static void
buffer_reset(void *arg)
{
	GcaBufferSink *buf = (GcaBufferSink *) arg;

	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

static bool
buffer_write(void *arg, const char *data, size_t len)
{
	GcaBufferSink *buf = (GcaBufferSink *) arg;

	if (buf->len + len > buf->max)
		return false;
	if (buf->len + len + 1 > buf->cap)
	{
		size_t		cap = Max(buf->cap * 2, buf->len + len + 1);

		cap = Max(cap, 1024);
		if (buf->data)
			buf->data = repalloc(buf->data, cap);
		else
			buf->data = MemoryContextAlloc(buf->cxt, cap);
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

/*
 * Sets sink to collect a whole body into buf, palloc'd in the current
 * memory context, refusing bodies over max bytes.
 */
void
gca_buffer_sink_init(GcaSink *sink, GcaBufferSink *buf, size_t max)
{
	memset(buf, 0, sizeof(*buf));
	buf->max = max;
	buf->cxt = CurrentMemoryContext;
	sink->reset = buffer_reset;
	sink->write = buffer_write;
	sink->arg = buf;
}

/* ---------------------------------------------------------------------
 * curl callbacks.  They run inside curl_multi_perform() and must never
 * throw: an error raised by a sink is caught, kept and raised again once
 * curl has returned.
 * ---------------------------------------------------------------------
 */

/*
 * Hands data to the call's sink; false if the sink refused it or raised
 * an error (kept in priv->sink_error, raised again after the transfer).
 */
static bool
sink_write(GcaCallPriv *priv, const char *data, size_t len)
{
	GcaSink    *sink = &priv->call->sink;
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = false;

	if (sink->write == NULL)
		return true;
	PG_TRY();
	{
		ok = sink->write(sink->arg, data, len);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(priv->engine->client->cxt);
		priv->sink_error = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(oldcxt);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	GcaCallPriv *priv = (GcaCallPriv *) arg;
	size_t		len = size * nmemb;
	long		status = 0;

	curl_easy_getinfo(priv->easy, CURLINFO_RESPONSE_CODE, &status);
	priv->bytes += len;

	if (status >= 200 && status < 300)
	{
		if (!sink_write(priv, data, len))
		{
			priv->sink_failed = true;
			return 0;			/* CURLE_WRITE_ERROR */
		}
		return len;
	}

	/* a non-2xx body: keep its beginning for the error message */
	if (priv->errlen < GCA_ERRBODY_MAX - 1)
	{
		size_t		n = Min(len, GCA_ERRBODY_MAX - 1 - priv->errlen);

		memcpy(priv->errbody + priv->errlen, data, n);
		priv->errlen += n;
		priv->errbody[priv->errlen] = '\0';
	}
	return len;
}

/* true if the header line starts with name (case-insensitive) and ':' */
static const char *
header_value(const char *line, size_t len, const char *name)
{
	size_t		nlen = strlen(name);

	if (len <= nlen || line[nlen] != ':' ||
		pg_strncasecmp(line, name, nlen) != 0)
		return NULL;
	line += nlen + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Forgets what the headers of a response said.  Never throws. */
static void
response_headers_reset(GcaCallPriv *priv)
{
	priv->retry_after_s = -1;
	priv->correlation_id[0] = '\0';
	priv->limit_info[0] = '\0';
	priv->rl_count = priv->rl_allowed = priv->rl_reset = -1;
}

static size_t
header_cb(char *buffer, size_t size, size_t nitems, void *arg)
{
	GcaCallPriv *priv = (GcaCallPriv *) arg;
	size_t		len = size * nitems;
	const char *v;
	size_t		vlen;

	/* a new response (e.g. after "100 Continue"): forget earlier headers */
	if (len >= 5 && strncmp(buffer, "HTTP/", 5) == 0)
	{
		response_headers_reset(priv);
		return len;
	}

	if ((v = header_value(buffer, len, "ININ-Correlation-Id")) != NULL)
	{
		vlen = strcspn(v, "\r\n");
		vlen = Min(vlen, sizeof(priv->correlation_id) - 1);
		memcpy(priv->correlation_id, v, vlen);
		priv->correlation_id[vlen] = '\0';
	}
	else if ((v = header_value(buffer, len, "Retry-After")) != NULL)
	{
		/* seconds; the HTTP-date form is not used by these APIs */
		if (*v >= '0' && *v <= '9')
			priv->retry_after_s = (int) Min(strtol(v, NULL, 10), 86400 * 7);
	}
	else if ((v = header_value(buffer, len, "inin-ratelimit-count")) != NULL)
		priv->rl_count = atoi(v);
	else if ((v = header_value(buffer, len, "inin-ratelimit-allowed")) != NULL)
		priv->rl_allowed = atoi(v);
	else if ((v = header_value(buffer, len, "inin-ratelimit-reset")) != NULL)
		priv->rl_reset = atoi(v);
	else if ((v = header_value(buffer, len, "Sforce-Limit-Info")) != NULL)
	{
		/* "api-usage=18/15000", perhaps with more parts */
		vlen = strcspn(v, "\r\n");
		vlen = Min(vlen, sizeof(priv->limit_info) - 1);
		memcpy(priv->limit_info, v, vlen);
		priv->limit_info[vlen] = '\0';
	}
	return len;
}

static int
xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
			curl_off_t ultotal, curl_off_t ulnow)
{
	/* abort the transfer; CHECK_FOR_INTERRUPTS() raises the real error */
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}

/* ---------------------------------------------------------------------
 * Attempts
 * ---------------------------------------------------------------------
 */

static CURL *
engine_get_easy(GcaEngine *engine)
{
	CURL	   *easy;

	if (engine->npool > 0)
		return engine->pool[--engine->npool];
	easy = curl_easy_init();
	if (easy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle")));
	return easy;
}

/* Gives an easy handle back (reset) or frees it.  Never throws. */
static void
engine_put_easy(GcaEngine *engine, CURL *easy)
{
	if (engine->npool < GCA_POOL_MAX)
	{
		curl_easy_reset(easy);
		engine->pool[engine->npool++] = easy;
	}
	else
		curl_easy_cleanup(easy);
}

static struct curl_slist *
add_header(struct curl_slist *list, const char *header)
{
	struct curl_slist *l = curl_slist_append(list, header);

	if (l == NULL)
	{
		curl_slist_free_all(list);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	return l;
}

#define SETOPT(easy, opt, val) \
	do { \
		if (curl_easy_setopt((easy), (opt), (val)) != CURLE_OK) \
			elog(ERROR, "gcanalytics: could not set libcurl option %d", (int) (opt)); \
	} while (0)

/*
 * Sets up and adds one attempt of priv to the multi handle.  Can throw
 * (out of memory, the sink's reset); priv stays queued-or-running in the
 * engine's list and is released at transaction end.
 */
static void
attempt_start(GcaEngine *engine, GcaCallPriv *priv)
{
	GcaClient  *client = engine->client;
	GcaCall    *call = priv->call;
	struct curl_slist *headers = NULL;
	CURL	   *easy;

	/* leftovers of an attempt whose set-up failed */
	attempt_detach(engine, priv);

	if (call->sink.reset)
		call->sink.reset(call->sink.arg);

	priv->status = 0;
	response_headers_reset(priv);
	priv->bytes = 0;
	priv->sink_failed = false;
	priv->errlen = 0;
	priv->errbody[0] = '\0';
	priv->errbuf[0] = '\0';

	headers = add_header(headers, "Accept: application/json");
	if (priv->kind == GCA_REQ_API)
	{
		char	   *auth = psprintf("Authorization: Bearer %s", client->access_token);

		headers = add_header(headers, auth);
		explicit_bzero(auth, strlen(auth));
		pfree(auth);
		priv->token_gen = client->token_gen;
		if (call->body)
			headers = add_header(headers, "Content-Type: application/json");
	}
	else
		headers = add_header(headers, "Content-Type: application/x-www-form-urlencoded");
	if (call->headers)
	{
		for (const char *const *h = call->headers; *h; h++)
			headers = add_header(headers, *h);
	}
	/* no "Expect: 100-continue" round trip */
	headers = add_header(headers, "Expect:");
	priv->headers = headers;

	easy = engine_get_easy(engine);
	priv->easy = easy;
	SETOPT(easy, CURLOPT_PRIVATE, priv);
	SETOPT(easy, CURLOPT_URL, priv->url);
	SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(easy, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(easy, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) client->connect_timeout_ms);
	SETOPT(easy, CURLOPT_TIMEOUT_MS, (long) client->timeout_ms);
	SETOPT(easy, CURLOPT_USERAGENT, "gcanalytics/" GCA_VERSION);
	SETOPT(easy, CURLOPT_ERRORBUFFER, priv->errbuf);
	SETOPT(easy, CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(easy, CURLOPT_WRITEDATA, priv);
	SETOPT(easy, CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(easy, CURLOPT_HEADERDATA, priv);
	SETOPT(easy, CURLOPT_NOPROGRESS, 0L);
	SETOPT(easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	SETOPT(easy, CURLOPT_XFERINFODATA, priv);
	SETOPT(easy, CURLOPT_HTTPHEADER, headers);

	if (priv->kind == GCA_REQ_TOKEN && client->svc->token_basic_auth)
	{
		/* Basic base64(client_id:client_secret) */
		SETOPT(easy, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
		SETOPT(easy, CURLOPT_USERNAME, client->client_id);
		SETOPT(easy, CURLOPT_PASSWORD, client->client_secret ? client->client_secret : "");
	}

	if (strcmp(call->method, "GET") == 0)
		SETOPT(easy, CURLOPT_HTTPGET, 1L);
	else if (strcmp(call->method, "POST") == 0)
	{
		SETOPT(easy, CURLOPT_POST, 1L);
		SETOPT(easy, CURLOPT_POSTFIELDS, call->body ? call->body : "");
		SETOPT(easy, CURLOPT_POSTFIELDSIZE, (long) (call->body ? strlen(call->body) : 0));
	}
	else
	{
		SETOPT(easy, CURLOPT_CUSTOMREQUEST, call->method);
		if (call->body)
		{
			SETOPT(easy, CURLOPT_POSTFIELDS, call->body);
			SETOPT(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(call->body));
		}
	}

	if (curl_multi_add_handle(engine->multi, easy) != CURLM_OK)
		elog(ERROR, "gcanalytics: could not add a transfer to the libcurl multi handle");
	priv->in_multi = true;
	priv->phase = GCA_PH_RUNNING;
	priv->started = GetCurrentTimestamp();
	engine->nrunning++;
	call->attempts++;
	if (call->counters)
		call->counters->requests++;
}

/*
 * Takes the running attempt of priv out of the multi handle and frees its
 * header list.  Never throws; does not look at priv->call.
 */
static void
attempt_detach(GcaEngine *engine, GcaCallPriv *priv)
{
	if (priv->easy)
	{
		if (priv->in_multi)
		{
			curl_multi_remove_handle(engine->multi, priv->easy);
			engine->nrunning--;
			priv->in_multi = false;
		}
		engine_put_easy(engine, priv->easy);
		priv->easy = NULL;
	}
	if (priv->headers)
	{
		curl_slist_free_all(priv->headers);
		priv->headers = NULL;
	}
}

/* Is a transport error worth another attempt? */
static bool
curl_code_is_transient(CURLcode code)
{
	switch (code)
	{
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_BAD_CONTENT_ENCODING:
			return true;
		default:
			return false;
	}
}

static bool
status_is_transient(long status)
{
	return status == 408 || status == 429 || status == 500 ||
		status == 502 || status == 503 || status == 504;
}

/* "once", "twice", "N times"; palloc'd */
static char *
times_text(int n)
{
	if (n == 1)
		return pstrdup("once");
	if (n == 2)
		return pstrdup("twice");
	return psprintf("%d times", n);
}

/* Records the failure of priv; the strings go to the client's context. */
static void
attempt_fail(GcaCallPriv *priv, int sqlstate, const char *msg,
			 const char *detail, const char *hint)
{
	GcaClient  *client = priv->engine->client;

	priv->phase = GCA_PH_FAILED;
	priv->fail_sqlstate = sqlstate;
	priv->fail_msg = MemoryContextStrdup(client->cxt, msg);
	priv->fail_detail = detail ? MemoryContextStrdup(client->cxt, detail) : NULL;
	priv->fail_hint = hint ? MemoryContextStrdup(client->cxt, hint) : NULL;
	gca_scrub_secrets(client, priv->fail_msg);
	gca_scrub_secrets(client, priv->fail_detail);
	gca_scrub_secrets(client, priv->fail_hint);
}

/* Whether the caller of call handles a response of this status itself. */
static bool
status_is_accepted(const GcaCall *call, long status)
{
	if (call->accept_statuses == NULL)
		return false;
	for (const int *s = call->accept_statuses; *s; s++)
		if (*s == status)
			return true;
	return false;
}

/* The error of a request that got a non-2xx status. */
static void
fail_http(GcaCallPriv *priv, const char *extra_hint)
{
	GcaClient  *client = priv->engine->client;
	const char *service = client->svc->name;
	char	   *msg;
	char	   *text;
	StringInfoData detail;
	char	   *hint = NULL;

	msg = psprintf("%s request %s %s failed with HTTP status %ld",
				   service, priv->call->method, priv->display_path,
				   priv->status);

	initStringInfo(&detail);
	text = gca_error_body_text(priv->errbody, priv->errlen);
	/*
	 * Only the service's own error shape is quoted, cut short: any other
	 * body (what a server that is no API answers) never reaches the caller.
	 */
	if (text)
		appendStringInfo(&detail, "%.*s%s", pg_mbcliplen(text, strlen(text), 300),
						 text, strlen(text) > 300 ? "..." : "");
	else if (priv->errlen > 0)
		appendStringInfo(&detail, "The response body (%zu bytes) is not an error of the %s API.",
						 priv->errlen, service);
	else
		appendStringInfoString(&detail, "The response had no body.");
	if (priv->correlation_id[0])
		appendStringInfo(&detail, " (correlation id %s)", priv->correlation_id);

	if (extra_hint)
		hint = pstrdup(extra_hint);
	else if (gca_service_error_hint(client->svc, priv->errbody, priv->errlen))
		hint = pstrdup(gca_service_error_hint(client->svc, priv->errbody, priv->errlen));
	else if (priv->kind == GCA_REQ_TOKEN && priv->status >= 400 && priv->status < 500)
		hint = psprintf("Check the OAuth client options (%s) of the user mapping for server \"%s\".",
						client->svc->credential_options, client->servername);
	else if (priv->status == 401)
		hint = psprintf("The API refused a freshly fetched token; check the OAuth client of the user mapping for server \"%s\".",
						client->servername);
	else if (priv->status == 403)
		hint = pstrdup("The OAuth client lacks a permission (role or division) this request needs.");
	else if (status_is_transient(priv->status))
		hint = psprintf("The request was sent %s; try again later, or raise the server option max_retries.",
						times_text(priv->call->attempts));

	attempt_fail(priv, ERRCODE_FDW_ERROR, msg, detail.data, hint);
}

/* The error of a request that got no complete response. */
static void
fail_transport(GcaCallPriv *priv, CURLcode code)
{
	GcaClient  *client = priv->engine->client;
	char	   *msg;
	char	   *detail;
	char	   *hint = NULL;

	msg = psprintf("%s request %s %s failed: %s",
				   client->svc->name, priv->call->method,
				   priv->display_path, curl_easy_strerror(code));
	detail = psprintf("%s", priv->errbuf[0] ? priv->errbuf : curl_easy_strerror(code));
	if (code == CURLE_COULDNT_RESOLVE_HOST)
		hint = pstrdup(client->svc->host_hint);
	else if (code == CURLE_OPERATION_TIMEDOUT)
		hint = psprintf("The limits are the server options timeout_ms (%d ms) and connect_timeout_ms (%d ms); the request was sent %s.",
						client->timeout_ms, client->connect_timeout_ms,
						times_text(priv->call->attempts));
	else if (curl_code_is_transient(code))
		hint = psprintf("The request was sent %s; check that the API of server \"%s\" is reachable.",
						times_text(priv->call->attempts), client->servername);
	attempt_fail(priv, ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION, msg, detail, hint);
}

/*
 * Schedules the next attempt after a transient failure, or fails the call
 * when the retries are used up or the server asks for too long a wait.
 * Returns true if a retry was scheduled.
 */
static bool
schedule_retry(GcaCallPriv *priv, TimestampTz now)
{
	GcaEngine  *engine = priv->engine;
	GcaClient  *client = engine->client;
	double		delay_ms;

	/* every user of the budget waits, even if this call gives up */
	if (priv->status == 429 && priv->retry_after_s >= 0 && priv->kind == GCA_REQ_API)
		gca_budget_pause(&client->budget, priv->retry_after_s * 1000);

	if (priv->retries >= client->max_retries)
		return false;

	if ((priv->status == 429 || priv->status == 503) && priv->retry_after_s >= 0)
	{
		int64		ra_ms = (int64) priv->retry_after_s * 1000;

		if (ra_ms > gca_retry_max_wait_ms)
		{
			char	   *hint = psprintf("The API asked to wait %d s before retrying, longer than gcanalytics.retry_max_wait_ms (%d ms).",
										priv->retry_after_s, gca_retry_max_wait_ms);

			fail_http(priv, hint);
			return true;		/* handled (failed) */
		}
		/* a little jitter so that waiting backends do not all wake at once */
		delay_ms = ra_ms + pg_prng_double(&pg_global_prng_state) * 250.0;
	}
	else
	{
		double		ceiling = GCA_BACKOFF_BASE_MS * pow(2.0, priv->retries);

		ceiling = Min(ceiling, GCA_BACKOFF_CAP_MS);
		ceiling = Min(ceiling, (double) gca_retry_max_wait_ms);
		delay_ms = pg_prng_double(&pg_global_prng_state) * ceiling;
	}

	priv->retries++;
	if (priv->call->counters)
		priv->call->counters->retries++;
	priv->phase = GCA_PH_QUEUED;
	priv->not_before = TimestampTzPlusMilliseconds(now, (int64) delay_ms);
	priv->wait_since = now;
	return true;
}

/*
 * Whether a 401 on a request sent with token generation gen may fetch a
 * new token and retry: always after the token had been accepted (it
 * expired), and after a refused new token only a few times in a row, so
 * that a real credential failure still fails fast.
 */
static bool
token_may_be_refreshed(GcaClient *client, int gen)
{
	if (gen > client->refused_gen)
	{
		client->refused_streak = client->good_gen >= gen ? 1 : client->refused_streak + 1;
		client->refused_gen = gen;
	}
	return client->refused_streak <= GCA_MAX_REFUSED_TOKENS;
}

/*
 * Handles a finished attempt: success, retry or failure.  Can throw only
 * on out-of-memory; the call's own errors are kept in priv.
 */
static void
attempt_finish(GcaEngine *engine, GcaCallPriv *priv, CURLcode code)
{
	GcaClient  *client = engine->client;
	GcaCall    *call = priv->call;
	TimestampTz now = GetCurrentTimestamp();
	long		elapsed = TimestampDifferenceMilliseconds(priv->started, now);
	GcaAttemptStats st;

	curl_easy_getinfo(priv->easy, CURLINFO_RESPONSE_CODE, &priv->status);
	if (code != CURLE_OK && priv->status >= 200 && priv->status < 300)
		priv->status = 0;		/* an incomplete 2xx is a transport error */
	attempt_detach(engine, priv);

	call->status = (int) priv->status;
	strlcpy(call->correlation_id, priv->correlation_id, sizeof(call->correlation_id));
	if (call->counters)
	{
		call->counters->bytes += priv->bytes;
		if (priv->status == 429)
			call->counters->n429++;
	}

	st.status = (int) priv->status;
	st.bytes = priv->bytes;
	st.retry = call->attempts > 1;
	st.token = priv->kind == GCA_REQ_TOKEN;
	if (priv->rl_allowed >= 0)
		snprintf(priv->limit_info, sizeof(priv->limit_info),
				 "inin-ratelimit count=%d allowed=%d reset=%d",
				 priv->rl_count, priv->rl_allowed, priv->rl_reset);
	st.limit_info = priv->limit_info;
	gca_budget_record(&client->budget, &st);

	elog(DEBUG2, "gcanalytics: %s %s %s%s: status %ld, %zu bytes, %ld ms, attempt %d%s%s%s%s",
		 client->svc->name, call->method, priv->display_path,
		 strchr(priv->url, '?') ? "?..." : "",
		 priv->status, priv->bytes, elapsed, call->attempts,
		 code != CURLE_OK ? ", " : "",
		 code != CURLE_OK ? curl_easy_strerror(code) : "",
		 priv->limit_info[0] ? ", " : "", priv->limit_info);

	/* the sink raised or refused: never retried */
	if (priv->sink_error || priv->sink_failed)
	{
		char	   *msg = psprintf("%s request %s %s: the response could not be processed",
								   client->svc->name, call->method,
								   priv->display_path);
		const char *detail = NULL;

		if (!priv->sink_error)
		{
			if (call->sink.error)
				detail = call->sink.error(call->sink.arg);
			if (detail == NULL)
				detail = "The consumer of the response body refused it (too large or malformed).";
		}
		attempt_fail(priv, ERRCODE_FDW_ERROR, msg, detail, NULL);
		return;
	}

	if (code == CURLE_ABORTED_BY_CALLBACK)
	{
		/* an interrupt is pending; the caller's CHECK_FOR_INTERRUPTS raises it */
		char	   *msg = psprintf("%s request %s %s was interrupted",
								   client->svc->name, call->method,
								   priv->display_path);

		attempt_fail(priv, ERRCODE_QUERY_CANCELED, msg, NULL, NULL);
		return;
	}

	if (code == CURLE_OK && priv->status >= 200 && priv->status < 300)
	{
		if (priv->kind == GCA_REQ_API)
		{
			client->good_gen = Max(client->good_gen, priv->token_gen);
			client->latency_ms = client->latency_ms == 0 ? (double) elapsed
				: 0.8 * client->latency_ms + 0.2 * (double) elapsed;
		}
		call->state = GCA_CALL_DONE;
		engine->ndone++;
		engine_release(engine, priv);
		return;
	}

	if (code == CURLE_OK && status_is_accepted(call, priv->status))
	{
		call->state = GCA_CALL_DONE;
		engine->ndone++;
		engine_release(engine, priv);
		return;
	}

	if (code == CURLE_OK && priv->status == 401 && priv->kind == GCA_REQ_API &&
		(client->svc->expired_session_code == NULL ||
		 gca_error_body_has_code(priv->errbody, priv->errlen,
								 client->svc->expired_session_code)) &&
		token_may_be_refreshed(client, priv->token_gen))
	{
		/* the token expired or was revoked: a new one, and again */
		if (priv->token_gen == client->token_gen)
			gca_oauth_forget_token(client);
		priv->phase = GCA_PH_QUEUED;
		priv->not_before = now;
		if (call->counters)
			call->counters->retries++;
		return;
	}

	if (code != CURLE_OK)
	{
		if (curl_code_is_transient(code) && schedule_retry(priv, now))
			return;
		fail_transport(priv, code);
		return;
	}

	if (status_is_transient(priv->status) && schedule_retry(priv, now))
		return;
	fail_http(priv, NULL);
}

/* ---------------------------------------------------------------------
 * Engines
 * ---------------------------------------------------------------------
 */

static void
engine_init(GcaEngine *engine, GcaClient *client)
{
	memset(engine, 0, sizeof(*engine));
	engine->client = client;
	engine->multi = curl_multi_init();
	if (engine->multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl multi handle")));
	curl_multi_setopt(engine->multi, CURLMOPT_MAXCONNECTS, (long) 16);
}

/*
 * Unlinks priv from the engine, stops its transfer and frees it.  Never
 * throws; does not look at priv->call.
 */
static void
engine_release(GcaEngine *engine, GcaCallPriv *priv)
{
	GcaCallPriv **pp;
	GcaCallPriv *prev = NULL;

	for (pp = &engine->head; *pp; prev = *pp, pp = &(*pp)->next)
	{
		if (*pp == priv)
		{
			*pp = priv->next;
			if (engine->tail == priv)
				engine->tail = prev;
			break;
		}
	}
	attempt_detach(engine, priv);
	if (priv->sink_error)
		FreeErrorData(priv->sink_error);
	if (priv->url)
		pfree(priv->url);
	if (priv->display_path)
		pfree(priv->display_path);
	if (priv->fail_msg)
		pfree(priv->fail_msg);
	if (priv->fail_detail)
		pfree(priv->fail_detail);
	if (priv->fail_hint)
		pfree(priv->fail_hint);
	pfree(priv);
}

static void
engine_destroy(GcaEngine *engine)
{
	while (engine->head)
		engine_release(engine, engine->head);
	while (engine->npool > 0)
		curl_easy_cleanup(engine->pool[--engine->npool]);
	if (engine->multi)
		curl_multi_cleanup(engine->multi);
	engine->multi = NULL;
}

/*
 * Starts the queued calls whose time has come, as far as max_concurrency
 * and the rate budget allow.  Can throw (token fetch, sink reset).
 */
static void
engine_start_ready(GcaEngine *engine)
{
	GcaClient  *client = engine->client;
	GcaCallPriv *priv;
	int			limit = engine == &client->auth ? 1 : client->max_concurrency;

	for (priv = engine->head; priv && engine->nrunning < limit; priv = priv->next)
	{
		TimestampTz now;

		if (priv->phase != GCA_PH_QUEUED)
			continue;
		now = GetCurrentTimestamp();
		if (priv->not_before > now)
			continue;

		if (priv->kind == GCA_REQ_API)
		{
			int			wait;

			gca_oauth_ensure_token(client);
			now = GetCurrentTimestamp();
			wait = gca_budget_take(&client->budget, client->requests_per_minute);
			if (wait > 0)
			{
				if (priv->wait_since == 0)
					priv->wait_since = now;
				priv->not_before = TimestampTzPlusMilliseconds(now, wait);
				continue;
			}
		}
		if (priv->wait_since != 0)
		{
			double		ms = (double) (now - priv->wait_since) / 1000.0;

			if (priv->call->counters)
				priv->call->counters->wait_ms += ms;
			gca_budget_record_wait(&client->budget, ms);
			priv->wait_since = 0;
		}
		attempt_start(engine, priv);
	}
}

/*
 * One non-blocking round: starts what may start, lets curl move data,
 * and handles finished attempts.  Can throw (see engine_start_ready).
 */
static void
engine_pump(GcaEngine *engine)
{
	int			still_running;
	CURLMsg    *msg;
	int			nmsgs;

	engine_start_ready(engine);
	if (engine->nrunning == 0)
		return;
	curl_multi_perform(engine->multi, &still_running);
	while ((msg = curl_multi_info_read(engine->multi, &nmsgs)) != NULL)
	{
		GcaCallPriv *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &priv);
		if (priv == NULL || priv->easy != msg->easy_handle)
			continue;
		attempt_finish(engine, priv, msg->data.result);
	}
	/* retries due at once (a 401) start in this round */
	engine_start_ready(engine);
}

/* Milliseconds until the earliest queued call may start, or -1. */
static long
engine_next_wake_ms(GcaEngine *engine)
{
	GcaCallPriv *priv;
	TimestampTz now = GetCurrentTimestamp();
	long		best = -1;

	for (priv = engine->head; priv; priv = priv->next)
	{
		long		ms;

		if (priv->phase != GCA_PH_QUEUED)
			continue;
		ms = priv->not_before <= now ? 0 :
			TimestampDifferenceMilliseconds(now, priv->not_before) + 1;
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}

/*
 * Creates the bookkeeping of a call and queues it on engine; sends it at
 * once if it may.  Throws on misuse, out of memory, or a failed token
 * fetch (the call then stays queued until transaction end).
 */
void
gca_engine_start(GcaEngine *engine, GcaCall *call, GcaRequestKind kind)
{
	GcaClient  *client = engine->client;
	GcaCallPriv *priv;
	const char *path = call->path;
	size_t		plen;

	if (call->state == GCA_CALL_RUNNING)
		elog(ERROR, "gcanalytics: call %s %s is already started", call->method, call->path);
	if (call->method == NULL || path == NULL)
		elog(ERROR, "gcanalytics: call without method or path");

	priv = MemoryContextAllocZero(client->cxt, sizeof(GcaCallPriv));
	priv->call = call;
	priv->engine = engine;
	priv->kind = kind;
	priv->nestlevel = GetCurrentTransactionNestLevel();
	priv->phase = GCA_PH_QUEUED;
	priv->retry_after_s = -1;
	if (call->delay_ms > 0)
		priv->not_before = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   call->delay_ms);

	if (kind == GCA_REQ_TOKEN || path[0] == '/')
	{
		/* built in the client's context: nothing per call is left in the caller's */
		MemoryContext old = MemoryContextSwitchTo(client->cxt);

		priv->url = psprintf("%s%s", kind == GCA_REQ_TOKEN ? client->login_url : client->base_url,
							 path);
		MemoryContextSwitchTo(old);
	}
	else
	{
		/* an absolute URL, only towards the API's own origin */
		size_t		blen = strlen(client->base_url);

		if (strncmp(path, client->base_url, blen) != 0 ||
			(path[blen] != '/' && path[blen] != '\0'))
		{
			pfree(priv);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("%s request path must start with \"/\" or with the API base URL",
							client->svc->name),
					 errdetail_internal("The base URL of server \"%s\" is %s.",
										client->servername, client->base_url)));
		}
		priv->url = MemoryContextStrdup(client->cxt, path);
		path += blen;
	}
	plen = strcspn(path, "?");
	priv->display_path = MemoryContextAlloc(client->cxt, plen + 1);
	memcpy(priv->display_path, path, plen);
	priv->display_path[plen] = '\0';

	if (engine->tail)
		engine->tail->next = priv;
	else
		engine->head = priv;
	engine->tail = priv;

	call->priv = priv;
	call->state = GCA_CALL_RUNNING;
	call->status = 0;
	call->attempts = 0;
	call->correlation_id[0] = '\0';

	engine_pump(engine);
}

/* Finds the bookkeeping of call in engine, or NULL (done or cleaned up). */
static GcaCallPriv *
engine_find(GcaEngine *engine, GcaCall *call)
{
	GcaCallPriv *priv;

	for (priv = engine->head; priv; priv = priv->next)
		if (priv == call->priv && priv->call == call)
			return priv;
	return NULL;
}

/*
 * Drives the engine until call is done (any: or another call is); raises
 * its error if it failed.  Interruptible: CHECK_FOR_INTERRUPTS() at least
 * every POLL_MS.
 */
void
gca_engine_wait(GcaEngine *engine, GcaCall *call, bool any)
{
	uint64		ndone = engine->ndone;

	for (;;)
	{
		GcaCallPriv *priv;
		long		wake;

		if (call->state == GCA_CALL_DONE)
			return;
		priv = engine_find(engine, call);
		if (priv == NULL)
			elog(ERROR, "gcanalytics: waiting for a call that was not started");

		if (priv->phase == GCA_PH_FAILED)
		{
			int			sqlstate = priv->fail_sqlstate;
			char	   *msg;
			char	   *detail;
			char	   *hint;

			/* a pending cancel or timeout takes precedence */
			CHECK_FOR_INTERRUPTS();
			call->state = GCA_CALL_IDLE;
			call->priv = NULL;
			if (priv->sink_error)
			{
				/*
				 * The sink's own error.  ReThrowError copies it; priv stays
				 * in the list, detached from the call, and is freed at the
				 * end of the (sub)transaction that the error aborts.
				 */
				priv->call = NULL;
				ReThrowError(priv->sink_error);
			}
			msg = pstrdup(priv->fail_msg);
			detail = priv->fail_detail ? pstrdup(priv->fail_detail) : NULL;
			hint = priv->fail_hint ? pstrdup(priv->fail_hint) : NULL;
			engine_release(engine, priv);
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg_internal("%s", msg),
					 detail ? errdetail_internal("%s", detail) : 0,
					 hint ? errhint("%s", hint) : 0));
		}

		engine_pump(engine);
		if (call->state == GCA_CALL_DONE || (any && engine->ndone != ndone))
			return;
		if (engine_find(engine, call) && ((GcaCallPriv *) call->priv)->phase == GCA_PH_FAILED)
			continue;

		wake = engine_next_wake_ms(engine);
		if (engine->nrunning > 0)
		{
			int			timeout = POLL_MS;

			if (wake >= 0 && wake < timeout)
				timeout = (int) wake;
			pgstat_report_wait_start(PG_WAIT_EXTENSION);
			curl_multi_poll(engine->multi, NULL, 0, timeout, NULL);
			pgstat_report_wait_end();
		}
		else if (wake > 0)
		{
			int			rc;

			rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   Min(wake, 1000L), PG_WAIT_EXTENSION);
			if (rc & WL_LATCH_SET)
				ResetLatch(MyLatch);
		}
		CHECK_FOR_INTERRUPTS();
	}
}

/* ---------------------------------------------------------------------
 * Clients
 * ---------------------------------------------------------------------
 */

static void
client_destroy(GcaClient *client)
{
	engine_destroy(&client->api);
	engine_destroy(&client->auth);
	gca_oauth_forget_token(client);
	if (client->client_secret)
		explicit_bzero(client->client_secret, strlen(client->client_secret));
	if (client->refresh_token)
		explicit_bzero(client->refresh_token, strlen(client->refresh_token));
	MemoryContextDelete(client->cxt);
}

static void
inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	ClientEntry *entry;

	hash_seq_init(&scan, client_hash);
	while ((entry = (ClientEntry *) hash_seq_search(&scan)) != NULL)
	{
		GcaClient  *client = entry->client;

		if (client == NULL)
			continue;
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID && client->server_hash == hashvalue) ||
			(cacheid == USERMAPPINGOID && client->mapping_hash == hashvalue))
			client->invalid = true;
	}
}

/*
 * Releases the calls started at transaction nesting level min_nestlevel
 * or deeper, in every client; at the end of the top transaction
 * (drop_invalid) also frees the clients whose server or user mapping
 * changed or was dropped.  Never throws.
 */
static void
release_calls(int min_nestlevel, bool drop_invalid)
{
	HASH_SEQ_STATUS scan;
	ClientEntry *entry;

	if (client_hash == NULL)
		return;
	hash_seq_init(&scan, client_hash);
	while ((entry = (ClientEntry *) hash_seq_search(&scan)) != NULL)
	{
		GcaClient  *client = entry->client;
		GcaEngine  *engines[2];
		int			i;

		if (client != NULL)
		{
			engines[0] = &client->api;
			engines[1] = &client->auth;
			for (i = 0; i < 2; i++)
			{
				GcaCallPriv *priv = engines[i]->head;

				while (priv)
				{
					GcaCallPriv *next = priv->next;

					if (priv->nestlevel >= min_nestlevel)
						engine_release(engines[i], priv);
					priv = next;
				}
			}
			if (drop_invalid && client->invalid &&
				client->api.head == NULL && client->auth.head == NULL)
			{
				entry->client = NULL;
				client_destroy(client);
			}
		}
		if (drop_invalid && entry->client == NULL)
			hash_search(client_hash, &entry->umid, HASH_REMOVE, NULL);
	}
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			release_calls(0, true);
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		release_calls(GetCurrentTransactionNestLevel(), false);
}

static char *
client_strdup(GcaClient *client, const char *s)
{
	return s ? MemoryContextStrdup(client->cxt, s) : NULL;
}

/* Creates a client from config, without a token yet.  Can throw. */
static GcaClient *
client_create(const GcaClientConfig *opts)
{
	MemoryContext cxt;
	GcaClient  *client;
	const char *why = NULL;

	if (!curl_ready)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("libcurl could not be initialised")));
	if (!gca_url_is_allowed(opts->api_url, &why) ||
		!gca_url_is_allowed(opts->login_url, &why))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("server \"%s\" has an invalid API URL", opts->servername),
				 errdetail("%s", why)));
	if (opts->client_id == NULL ||
		(opts->client_secret == NULL && opts->refresh_token == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no OAuth client credentials",
						opts->servername),
				 errhint("Give OPTIONS (client_id '...', client_secret '...').")));

	cxt = AllocSetContextCreate(TopMemoryContext, "gcanalytics client",
								ALLOCSET_SMALL_SIZES);
	client = MemoryContextAllocZero(cxt, sizeof(GcaClient));
	client->cxt = cxt;
	client->umid = opts->umid;
	client->serverid = opts->serverid;
	client->server_hash = GetSysCacheHashValue1(FOREIGNSERVEROID,
												ObjectIdGetDatum(opts->serverid));
	client->mapping_hash = GetSysCacheHashValue1(USERMAPPINGOID,
												 ObjectIdGetDatum(opts->umid));
	client->svc = gca_service_def(opts->service);
	client->servername = client_strdup(client, opts->servername);
	client->api_url = client_strdup(client, opts->api_url);
	client->login_url = client_strdup(client, opts->login_url);
	client->base_url = client->api_url;
	client->client_id = client_strdup(client, opts->client_id);
	client->client_secret = client_strdup(client, opts->client_secret);
	client->refresh_token = client_strdup(client, opts->refresh_token);
	gca_budget_attach(&client->budget, opts->serverid, opts->servername,
					  opts->client_id);

	PG_TRY();
	{
		engine_init(&client->api, client);
		engine_init(&client->auth, client);
	}
	PG_CATCH();
	{
		if (client->api.multi)
			curl_multi_cleanup(client->api.multi);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return client;
}

/*
 * Returns the client of the user mapping in config, creating it and
 * fetching a token on first use.  The client lives in TopMemoryContext
 * until its server or user mapping changes.  Throws if the token cannot
 * be obtained (the client stays cached, without a token).
 */
GcaClient *
gca_client_get(const GcaClientConfig *opts)
{
	ClientEntry *entry;
	bool		found;
	GcaClient  *client;

	if (client_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ClientEntry);
		client_hash = hash_create("gcanalytics clients", 8, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, inval_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(USERMAPPINGOID, inval_callback, (Datum) 0);
		RegisterXactCallback(xact_callback, NULL);
		RegisterSubXactCallback(subxact_callback, NULL);
	}

	entry = hash_search(client_hash, &opts->umid, HASH_ENTER, &found);
	if (!found)
		entry->client = NULL;

	client = entry->client;
	if (client && client->invalid &&
		client->api.head == NULL && client->auth.head == NULL)
	{
		entry->client = NULL;
		client_destroy(client);
		client = NULL;
	}
	if (client == NULL)
		entry->client = client = client_create(opts);

	client->timeout_ms = opts->timeout_ms;
	client->connect_timeout_ms = opts->connect_timeout_ms;
	client->max_retries = opts->max_retries;
	client->max_concurrency = Max(opts->max_concurrency, 1);
	client->requests_per_minute = Max(opts->requests_per_minute, 1);

	gca_oauth_ensure_token(client);
	return client;
}

double
gca_client_latency_ms(GcaClient *client)
{
	return client->latency_ms;
}

const char *
gca_client_base_url(GcaClient *client)
{
	return client->base_url;
}

void
gca_call_start(GcaClient *client, GcaCall *call)
{
	gca_engine_start(&client->api, call, GCA_REQ_API);
}

void
gca_call_wait(GcaClient *client, GcaCall *call)
{
	gca_engine_wait(&client->api, call, false);
}

void
gca_call_wait_any(GcaClient *client, GcaCall *call)
{
	gca_engine_wait(&client->api, call, true);
}

void
gca_client_progress(GcaClient *client)
{
	engine_pump(&client->api);
}

void
gca_call_perform(GcaClient *client, GcaCall *call)
{
	gca_engine_start(&client->api, call, GCA_REQ_API);
	gca_engine_wait(&client->api, call, false);
}

/*
 * Abandons a started call: its transfer stops and its connection is
 * closed.  No-op for idle, done or already cleaned-up calls.  Never
 * throws.
 */
void
gca_call_cancel(GcaClient *client, GcaCall *call)
{
	gca_engine_cancel(&client->api, call);
}

/* gca_call_cancel() on any engine.  Never throws. */
void
gca_engine_cancel(GcaEngine *engine, GcaCall *call)
{
	GcaCallPriv *priv;

	if (call->state != GCA_CALL_RUNNING)
		return;
	priv = engine_find(engine, call);
	if (priv)
		engine_release(engine, priv);
	call->priv = NULL;
	call->state = GCA_CALL_IDLE;
}
