/*-------------------------------------------------------------------------
 *
 * attempt.c
 *		One attempt of a call: its curl handle set up and added to the
 *		engine's multi handle, and, once curl is done with it, what it
 *		got: success, a retry (the retry policy), or the call's failure.
 *
 * Retry policy: transport errors that may pass (connect, timeouts, reset
 * connections) and the statuses 408, 429, 500, 502, 503 and 504 are
 * retried up to the server's max_retries, after the Retry-After the API
 * asks (429/503; a 429 also pauses the whole rate budget) or an
 * exponential, fully jittered backoff; a 401 fetches a new token and
 * tries again (a few refused new tokens in a row fail).  Anything else
 * fails the call with a message naming the service, method and path, the
 * API's error text as detail and a hint; secrets are scrubbed from all
 * of it.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/attempt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include <curl/curl.h>

#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "gcanalytics.h"
#include "http_internal.h"

/* ---------------------------------------------------------------------
 * Starting an attempt
 * ---------------------------------------------------------------------
 */

/* An easy handle from engine's pool, or a new one.  Throws on OOM. */
static CURL *
get_easy(GcaEngine *engine)
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
put_easy(GcaEngine *engine, CURL *easy)
{
	if (engine->npool < GCA_POOL_MAX)
	{
		curl_easy_reset(easy);
		engine->pool[engine->npool++] = easy;
	}
	else
		curl_easy_cleanup(easy);
}

/* list with header appended; frees list and throws on OOM. */
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

/*
 * The header list of an attempt of priv (malloc'd by curl; the caller
 * frees it): JSON, the bearer token of an API request (noting its
 * generation), the call's own headers.  Throws on OOM, having freed it.
 */
static struct curl_slist *
attempt_headers(GcaClient *client, GcaCallPriv *priv)
{
	GcaCall    *call = priv->call;
	struct curl_slist *headers = NULL;

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
	else if (priv->kind == GCA_REQ_TOKEN)
		headers = add_header(headers, "Content-Type: application/x-www-form-urlencoded");
	if (call->headers)
	{
		for (const char *const *h = call->headers; *h; h++)
			headers = add_header(headers, *h);
	}
	/* no "Expect: 100-continue" round trip */
	return add_header(headers, "Expect:");
}

#define SETOPT(easy, opt, val) \
	do { \
		if (curl_easy_setopt((easy), (opt), (val)) != CURLE_OK) \
			elog(ERROR, "gcanalytics: could not set libcurl option %d", (int) (opt)); \
	} while (0)

/*
 * Sets the options of easy for an attempt of priv: https (or http) only,
 * no redirects, no signals, TLS verified, the client's timeouts, the
 * callbacks of sink.c, Basic auth for a token request of a service that
 * wants it, and the method and body.  Throws (elog) if curl refuses one.
 */
static void
attempt_setopts(GcaClient *client, GcaCallPriv *priv, CURL *easy)
{
	GcaCall    *call = priv->call;

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
	SETOPT(easy, CURLOPT_WRITEFUNCTION, gca_curl_write_cb);
	SETOPT(easy, CURLOPT_WRITEDATA, priv);
	SETOPT(easy, CURLOPT_HEADERFUNCTION, gca_curl_header_cb);
	SETOPT(easy, CURLOPT_HEADERDATA, priv);
	SETOPT(easy, CURLOPT_NOPROGRESS, 0L);
	SETOPT(easy, CURLOPT_XFERINFOFUNCTION, gca_curl_xferinfo_cb);
	SETOPT(easy, CURLOPT_XFERINFODATA, priv);
	SETOPT(easy, CURLOPT_HTTPHEADER, priv->headers);

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
}

/*
 * Sets up and adds one attempt of priv to the multi handle.  Can throw
 * (out of memory, the sink's reset); priv stays queued-or-running in the
 * engine's list and is released at transaction end.
 */
void
gca_attempt_start(GcaEngine *engine, GcaCallPriv *priv)
{
	GcaClient  *client = engine->client;
	GcaCall    *call = priv->call;

	/* leftovers of an attempt whose set-up failed */
	gca_attempt_detach(engine, priv);

	if (call->sink.reset)
		call->sink.reset(call->sink.arg);

	priv->status = 0;
	gca_response_headers_reset(priv);
	priv->bytes = 0;
	priv->sink_failed = false;
	priv->errlen = 0;
	priv->errbody[0] = '\0';
	priv->errbuf[0] = '\0';

	priv->headers = attempt_headers(client, priv);
	priv->easy = get_easy(engine);
	attempt_setopts(client, priv, priv->easy);

	if (curl_multi_add_handle(engine->multi, priv->easy) != CURLM_OK)
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
void
gca_attempt_detach(GcaEngine *engine, GcaCallPriv *priv)
{
	if (priv->easy)
	{
		if (priv->in_multi)
		{
			curl_multi_remove_handle(engine->multi, priv->easy);
			engine->nrunning--;
			priv->in_multi = false;
		}
		put_easy(engine, priv->easy);
		priv->easy = NULL;
	}
	if (priv->headers)
	{
		curl_slist_free_all(priv->headers);
		priv->headers = NULL;
	}
}

/* ---------------------------------------------------------------------
 * The end of an attempt: the retry policy and failures
 * ---------------------------------------------------------------------
 */

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

/* Is an HTTP status worth another attempt? */
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
 * Records what a finished attempt of priv got (its status, headers and
 * bytes) in the call, its counters and the rate budget, and logs it at
 * DEBUG2 (no query string: it may carry ids).  Never throws but on OOM.
 */
static void
attempt_record(GcaClient *client, GcaCallPriv *priv, CURLcode code,
			   long elapsed)
{
	GcaCall    *call = priv->call;
	GcaAttemptStats st;

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
	st.latency_ms = code == CURLE_OK && priv->kind == GCA_REQ_API &&
		priv->status >= 200 && priv->status < 300 ? (double) Max(elapsed, 1) : 0;
	gca_budget_record(&client->budget, &st);

	elog(DEBUG2, "gcanalytics: %s %s %s%s: status %ld, %zu bytes, %ld ms, attempt %d%s%s%s%s",
		 client->svc->name, call->method, priv->display_path,
		 strchr(priv->url, '?') ? "?..." : "",
		 priv->status, priv->bytes, elapsed, call->attempts,
		 code != CURLE_OK ? ", " : "",
		 code != CURLE_OK ? curl_easy_strerror(code) : "",
		 priv->limit_info[0] ? ", " : "", priv->limit_info);
}

/*
 * Fails the call of an attempt that its sink could not take (raised or
 * refused: never retried) or that an interrupt aborted; returns false
 * when neither happened.
 */
static bool
attempt_fail_local(GcaClient *client, GcaCallPriv *priv, CURLcode code)
{
	GcaCall    *call = priv->call;

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
		return true;
	}
	if (code == CURLE_ABORTED_BY_CALLBACK)
	{
		/* an interrupt is pending; the caller's CHECK_FOR_INTERRUPTS raises it */
		char	   *msg = psprintf("%s request %s %s was interrupted",
								   client->svc->name, call->method,
								   priv->display_path);

		attempt_fail(priv, ERRCODE_QUERY_CANCELED, msg, NULL, NULL);
		return true;
	}
	return false;
}

/*
 * Whether a 401 of an API request means its token expired (every 401, or
 * only one carrying the service's expired-session code) and a new token
 * may be tried: then the token is forgotten (unless a newer one is
 * already there) and the call queued again at once.
 */
static bool
attempt_token_expired(GcaClient *client, GcaCallPriv *priv, TimestampTz now)
{
	if (priv->status != 401 || priv->kind != GCA_REQ_API ||
		!(client->svc->expired_session_code == NULL ||
		  gca_error_body_has_code(priv->errbody, priv->errlen,
								  client->svc->expired_session_code)) ||
		!token_may_be_refreshed(client, priv->token_gen))
		return false;
	if (priv->token_gen == client->token_gen)
		gca_forget_token(client);
	priv->phase = GCA_PH_QUEUED;
	priv->not_before = now;
	if (priv->call->counters)
		priv->call->counters->retries++;
	return true;
}

/*
 * Handles a finished attempt: success, retry or failure.  Returns true
 * when the call is done (a 2xx, or a status its caller accepts): the
 * engine then releases priv.  Can throw only on out-of-memory; the call's
 * own errors are kept in priv.
 */
bool
gca_attempt_finish(GcaEngine *engine, GcaCallPriv *priv, CURLcode code)
{
	GcaClient  *client = engine->client;
	GcaCall    *call = priv->call;
	TimestampTz now = GetCurrentTimestamp();
	long		elapsed = TimestampDifferenceMilliseconds(priv->started, now);

	curl_easy_getinfo(priv->easy, CURLINFO_RESPONSE_CODE, &priv->status);
	if (code != CURLE_OK && priv->status >= 200 && priv->status < 300)
		priv->status = 0;		/* an incomplete 2xx is a transport error */
	gca_attempt_detach(engine, priv);
	attempt_record(client, priv, code, elapsed);

	if (attempt_fail_local(client, priv, code))
		return false;
	if (code == CURLE_OK && priv->status >= 200 && priv->status < 300)
	{
		if (priv->kind == GCA_REQ_API)
		{
			client->good_gen = Max(client->good_gen, priv->token_gen);
			client->latency_ms = client->latency_ms == 0 ? (double) elapsed
				: 0.8 * client->latency_ms + 0.2 * (double) elapsed;
		}
		else if (priv->kind == GCA_REQ_TOKEN)
			client->token_latency_ms = (double) Max(elapsed, 1);
		call->state = GCA_CALL_DONE;
		return true;
	}
	if (code == CURLE_OK && status_is_accepted(call, priv->status))
	{
		call->state = GCA_CALL_DONE;
		return true;
	}
	/* the token expired or was revoked: a new one, and again */
	if (code == CURLE_OK && attempt_token_expired(client, priv, now))
		return false;
	if (code != CURLE_OK)
	{
		if (!(curl_code_is_transient(code) && schedule_retry(priv, now)))
			fail_transport(priv, code);
		return false;
	}
	if (!(status_is_transient(priv->status) && schedule_retry(priv, now)))
		fail_http(priv, NULL);
	return false;
}
