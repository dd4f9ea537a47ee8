/*-------------------------------------------------------------------------
 *
 * client.c
 *		The client cache, and the HTTP core's interface (http.h).
 *
 * A GcaClient is cached per user mapping in a hash table in
 * TopMemoryContext, invalidated when its server or user mapping changes.
 * It owns two engines (engine.c): one for API requests, given the OAuth
 * token hook, and one for token requests.  Its token is fetched on first
 * use (oauth.c).
 *
 * Calls' bookkeeping lives in the client's memory context; transaction
 * and subtransaction end remove whatever is still started (curl handles
 * out of the multi handle, header lists freed), without looking at the
 * caller's GcaCall, whose memory may already be gone.
 *
 * The files of the core, each calling only those after it:
 *	client.c	this: the cache and http.h's calls
 *	oauth.c		tokens, fetched through the token engine
 *	engine.c	the curl multi engine: queue, concurrency, budget, waits
 *	attempt.c	one attempt's curl handle, its outcome and the retry policy
 *	sink.c		the in-memory sink and curl's response callbacks
 *	service.c	what differs between the APIs
 *	errbody.c	the APIs' JSON error bodies
 *	secrets.c	scrubbing secrets, forgetting a token
 *	ratelimit.c the rate budget shared between backends
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/client.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "access/xact.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "http_internal.h"
#include "url.h"

typedef struct ClientEntry
{
	Oid			umid;			/* hash key */
	GcaClient  *client;
} ClientEntry;

static HTAB *client_hash = NULL;
static bool curl_ready = false;

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
 * The cache
 * ---------------------------------------------------------------------
 */

static void
client_destroy(GcaClient *client)
{
	gca_engine_destroy(&client->api);
	gca_engine_destroy(&client->auth);
	gca_forget_token(client);
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
						gca_engine_release(engines[i], priv);
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
					  opts->client_id, opts->api_url);

	PG_TRY();
	{
		/* the API engine gets its tokens from OAuth, the token engine none */
		gca_engine_init(&client->api, client, gca_oauth_ensure_token);
		gca_engine_init(&client->auth, client, NULL);
	}
	PG_CATCH();
	{
		gca_engine_destroy(&client->api);
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

/*
 * The observed time of a successful request (ms): this session's, or, in
 * a session that has sent none yet, the latency every session of the
 * (server, OAuth client) pair observed (the rate budget's slot), or, when
 * no session has, the time of this session's token request (the login
 * server is as far as the API, as a first guess); 0 if none.
 */
double
gca_client_latency_ms(GcaClient *client)
{
	double		latency_ms;
	TimestampTz available;

	if (client->latency_ms > 0)
		return client->latency_ms;
	(void) gca_budget_known(&client->budget, &latency_ms, &available, NULL);
	return latency_ms > 0 ? latency_ms : client->token_latency_ms;
}

/*
 * The Genesys dataAvailabilityDate (details jobs), remembered for the
 * statement that asked: a CALL gcanalytics.run() is one statement, so its
 * steps and scans ask once; a later statement asks again.
 */
bool
gca_client_availability(GcaClient *client, TimestampTz *available)
{
	if (client == NULL || client->availability_statement == 0 ||
		client->availability_statement != GetCurrentStatementStartTimestamp())
		return false;
	*available = client->availability;
	return true;
}

/*
 * Whether a read up to until needs no availability request: the statement
 * asked already (*available is its answer), or the newest date any session
 * of the pair has seen is at or after until (the date only moves forward,
 * so data up to until is there; *available is that date).
 */
bool
gca_client_availability_covers(GcaClient *client, TimestampTz until,
							   TimestampTz *available)
{
	double		latency_ms;

	if (client == NULL)
		return false;
	if (gca_client_availability(client, available))
		return true;
	return gca_budget_known(&client->budget, &latency_ms, available, NULL) &&
		*available >= until;
}

/*
 * Remembers a dataAvailabilityDate the server answered (its availability
 * endpoint, or a details job's results page) for the statement and for
 * every session of the pair; a statement keeps the newest it was told.
 */
void
gca_client_remember_availability(GcaClient *client, TimestampTz available)
{
	TimestampTz known;

	if (client == NULL)
		return;
	if (gca_client_availability(client, &known) && known > available)
		available = known;
	client->availability = available;
	client->availability_statement = GetCurrentStatementStartTimestamp();
	gca_budget_remember_availability(&client->budget, available);
}

/*
 * Remembers the time a Genesys details job took to be ready (ms, from its
 * creation's answer), for every session of the pair.
 */
void
gca_client_remember_job_ready(GcaClient *client, double ms)
{
	if (client != NULL && ms > 0)
		gca_budget_remember_job_ready(&client->budget, ms);
}

/*
 * What the sessions of config's (server, OAuth client) pair have learnt,
 * without a client (EXPLAIN makes none): the observed latency (0 if none),
 * the newest dataAvailabilityDate seen (0 if none) and the time a details
 * job took to be ready (0 if none).  Never throws.
 */
void
gca_client_config_known(const GcaClientConfig *config, double *latency_ms,
						TimestampTz *available, double *job_ready_ms)
{
	GcaBudget	budget;

	gca_budget_attach(&budget, config->serverid,
					  config->servername ? config->servername : "",
					  config->client_id, config->api_url);
	(void) gca_budget_known(&budget, latency_ms, available, job_ready_ms);
}

const char *
gca_client_base_url(GcaClient *client)
{
	return client->base_url;
}

void
gca_call_start(GcaClient *client, GcaCall *call)
{
	gca_engine_start(&client->api, call, call->presigned ? GCA_REQ_DOWNLOAD : GCA_REQ_API);
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
	gca_engine_pump(&client->api);
}

void
gca_call_perform(GcaClient *client, GcaCall *call)
{
	gca_engine_start(&client->api, call, call->presigned ? GCA_REQ_DOWNLOAD : GCA_REQ_API);
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
