/*-------------------------------------------------------------------------
 *
 * engine.c
 *		The curl multi engine: the calls started on a client, queued until
 *		their time, a concurrency slot and the rate budget allow an
 *		attempt, and driven to their end.
 *
 * A client owns two engines, each a curl multi handle with the calls
 * started on it: one for API requests, one for token requests (so that
 * fetching a token in the middle of driving API transfers never re-enters
 * the API engine).  The multi handle keeps the connections alive between
 * requests.  The API engine gets its tokens through the ensure_token hook
 * its client gives it, so the engine knows nothing of OAuth.
 *
 * curl_multi_poll() drives the transfers with a short timeout and
 * CHECK_FOR_INTERRUPTS() between polls, so Ctrl-C and statement_timeout
 * raise their own error.  Waits without transfers use WaitLatch().
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/engine.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "http_internal.h"
#include "url.h"

/* longest sleep between two CHECK_FOR_INTERRUPTS() while transfers run */
#define POLL_MS		100

/*
 * Sets engine up for client, with its multi handle; ensure_token (NULL for
 * none) is called before an API request starts, to get the client a
 * valid token.  Throws on OOM, leaving engine->multi NULL.
 */
void
gca_engine_init(GcaEngine *engine, GcaClient *client,
				void (*ensure_token) (GcaClient *client))
{
	memset(engine, 0, sizeof(*engine));
	engine->client = client;
	engine->ensure_token = ensure_token;
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
void
gca_engine_release(GcaEngine *engine, GcaCallPriv *priv)
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
	gca_attempt_detach(engine, priv);
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

/* Releases every call of engine and frees its handles.  Never throws. */
void
gca_engine_destroy(GcaEngine *engine)
{
	while (engine->head)
		gca_engine_release(engine, engine->head);
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
			int64		wait_us;

			if (engine->ensure_token)
				engine->ensure_token(client);
			now = GetCurrentTimestamp();
			wait_us = gca_budget_take(&client->budget, client->requests_per_minute);
			if (wait_us > 0)
			{
				if (priv->wait_since == 0)
					priv->wait_since = now;
				priv->not_before = now + wait_us;
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
		gca_attempt_start(engine, priv);
	}
}

/*
 * One non-blocking round: starts what may start, lets curl move data,
 * and handles finished attempts.  Can throw (see engine_start_ready).
 */
void
gca_engine_pump(GcaEngine *engine)
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
		if (gca_attempt_finish(engine, priv, msg->data.result))
		{
			engine->ndone++;
			gca_engine_release(engine, priv);
		}
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
		/* rounded up: a wake is never early */
		ms = priv->not_before <= now ? 0 :
			TimestampDifferenceMilliseconds(now, priv->not_before);
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

	if (kind == GCA_REQ_DOWNLOAD)
	{
		/* a pre-signed URL: shown and checked without its query string */
		size_t		ulen = strcspn(path, "?");
		char	   *bare = pnstrdup(path, ulen);
		const char *why = NULL;

		if (!gca_url_is_allowed(bare, &why))
		{
			pfree(priv);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("%s answered a download URL that is not allowed: %s",
							client->svc->name, bare),
					 errdetail_internal("%s", why)));
		}
		priv->url = MemoryContextStrdup(client->cxt, path);
		priv->display_path = MemoryContextStrdup(client->cxt, bare);
		pfree(bare);
		goto queued;
	}
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

queued:

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

	gca_engine_pump(engine);
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
			gca_engine_release(engine, priv);
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg_internal("%s", msg),
					 detail ? errdetail_internal("%s", detail) : 0,
					 hint ? errhint("%s", hint) : 0));
		}

		gca_engine_pump(engine);
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

/*
 * Abandons a started call of engine: its transfer stops and its
 * connection is closed.  No-op for idle, done or already cleaned-up
 * calls.  Never throws.
 */
void
gca_engine_cancel(GcaEngine *engine, GcaCall *call)
{
	GcaCallPriv *priv;

	if (call->state != GCA_CALL_RUNNING)
		return;
	priv = engine_find(engine, call);
	if (priv)
		gca_engine_release(engine, priv);
	call->priv = NULL;
	call->state = GCA_CALL_IDLE;
}
