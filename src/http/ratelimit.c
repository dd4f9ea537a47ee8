/*-------------------------------------------------------------------------
 *
 * ratelimit.c
 *		The rate budget: a token bucket per (server, OAuth client), and the
 *		request counters of http_stats().
 *
 * When gcanalytics is in shared_preload_libraries the budgets live in
 * shared memory (a fixed table of GCA_MAX_BUDGETS slots keyed by database,
 * server OID and a hash of the client_id, under one LWLock), so every
 * backend draws from the same bucket and honours the same Retry-After
 * pause, as the API counts them.  Otherwise each backend has its own
 * table: the limit then holds per session only, which DEBUG1 says once
 * and http_stats() shows in its "shared" column.
 *
 * The bucket refills at requests_per_minute / 60 tokens a second and
 * holds at most a small burst (one second's worth, between 1 and 10).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/ratelimit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http_internal.h"

#define GCA_MAX_BUDGETS		64
#define GCA_BURST_MAX		10.0

typedef struct BudgetSlot
{
	bool		used;
	Oid			dbid;
	Oid			serverid;
	uint32		client_hash;
	char		servername[NAMEDATALEN];
	double		tokens;
	TimestampTz refilled_at;
	TimestampTz paused_until;
	TimestampTz last_used;
	/* counters */
	int64		requests;
	int64		retries;
	int64		token_requests;
	int64		bytes;
	int64		network_errors;
	int64		other_errors;
	double		wait_ms;
	int			nstatus;
	int			statuses[GCA_STATUS_KINDS];
	int64		status_counts[GCA_STATUS_KINDS];
	char		limit_info[GCA_LIMIT_INFO_LEN];
	TimestampTz limit_info_at;
} BudgetSlot;

typedef struct BudgetTable
{
	BudgetSlot	slots[GCA_MAX_BUDGETS];
} BudgetTable;

static BudgetTable *shared_table = NULL;	/* in shared memory */
static LWLock *shared_lock = NULL;
static BudgetTable *local_table = NULL; /* per backend, when not preloaded */
static bool said_local = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
gca_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(BudgetTable)));
	RequestNamedLWLockTranche("gcanalytics", 1);
}

static void
gca_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared_table = ShmemInitStruct("gcanalytics rate budgets",
								   sizeof(BudgetTable), &found);
	if (!found)
		memset(shared_table, 0, sizeof(BudgetTable));
	shared_lock = &(GetNamedLWLockTranche("gcanalytics"))->lock;
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init: installs the shared-memory hooks when the library
 * is being preloaded; otherwise does nothing (per-backend budgets).
 */
void
gca_ratelimit_shmem_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = gca_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = gca_shmem_startup;
}

bool
gca_budget_is_shared(void)
{
	return shared_table != NULL;
}

/* The table in use, locked; pair with table_unlock().  Can throw (OOM). */
static BudgetTable *
table_lock(void)
{
	if (shared_table)
	{
		LWLockAcquire(shared_lock, LW_EXCLUSIVE);
		return shared_table;
	}
	if (local_table == NULL)
		local_table = MemoryContextAllocZero(TopMemoryContext, sizeof(BudgetTable));
	return local_table;
}

static void
table_unlock(void)
{
	if (shared_table)
		LWLockRelease(shared_lock);
}

static double
burst_of(int rpm)
{
	double		b = rpm / 60.0;

	return Max(1.0, Min(b, GCA_BURST_MAX));
}

/*
 * The slot of budget in table, created (evicting the least recently used
 * one when the table is full) if absent.  Called with the lock held;
 * never throws.
 */
static BudgetSlot *
find_slot(BudgetTable *table, GcaBudget *budget, TimestampTz now)
{
	BudgetSlot *s;
	int			i;
	int			victim = -1;
	int			free_slot = -1;

	if (budget->slot >= 0)
	{
		s = &table->slots[budget->slot];
		if (s->used && s->dbid == budget->dbid && s->serverid == budget->serverid &&
			s->client_hash == budget->client_hash)
			return s;
	}
	for (i = 0; i < GCA_MAX_BUDGETS; i++)
	{
		s = &table->slots[i];
		if (!s->used)
		{
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (s->dbid == budget->dbid && s->serverid == budget->serverid &&
			s->client_hash == budget->client_hash)
		{
			budget->slot = i;
			return s;
		}
		if (victim < 0 || s->last_used < table->slots[victim].last_used)
			victim = i;
	}
	/* a new slot: a free one, else the least recently used */
	if (free_slot >= 0)
		victim = free_slot;
	s = &table->slots[victim];
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->dbid = budget->dbid;
	s->serverid = budget->serverid;
	s->client_hash = budget->client_hash;
	strlcpy(s->servername, budget->servername, NAMEDATALEN);
	s->tokens = -1;				/* filled on first take */
	s->refilled_at = now;
	s->last_used = now;
	budget->slot = victim;
	return s;
}

/*
 * Fills budget, the client's handle on its slot.  The slot itself is
 * found (or made) on first use.  Never throws.
 */
void
gca_budget_attach(GcaBudget *budget, Oid serverid, const char *servername,
				  const char *client_id)
{
	budget->dbid = MyDatabaseId;
	budget->serverid = serverid;
	budget->client_hash = client_id ? hash_bytes((const unsigned char *) client_id,
												 strlen(client_id)) : 0;
	budget->slot = -1;
	strlcpy(budget->servername, servername, NAMEDATALEN);

	if (shared_table == NULL && !said_local)
	{
		said_local = true;
		elog(DEBUG1, "gcanalytics is not in shared_preload_libraries: each session keeps its own rate budget");
	}
}

/*
 * Takes one request's token from the budget.  Returns 0 when taken, else
 * the milliseconds to wait before asking again (the bucket is empty or a
 * Retry-After pause is on).  Never throws.
 */
int
gca_budget_take(GcaBudget *budget, int requests_per_minute)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table = table_lock();
	BudgetSlot *s = find_slot(table, budget, now);
	double		rate = requests_per_minute / 60000.0;	/* tokens per ms */
	double		burst = burst_of(requests_per_minute);
	int			wait;

	s->last_used = now;
	if (s->tokens < 0)
		s->tokens = burst;
	if (now > s->refilled_at)
		s->tokens = Min(burst, s->tokens + (now - s->refilled_at) / 1000.0 * rate);
	s->refilled_at = now;

	if (s->paused_until > now)
		wait = (int) Max(1, (s->paused_until - now + 999) / 1000);
	else if (s->tokens >= 1.0)
	{
		s->tokens -= 1.0;
		wait = 0;
	}
	else
		wait = (int) Max(1.0, ceil((1.0 - s->tokens) / rate));
	table_unlock();
	return wait;
}

/*
 * Pauses every user of the budget for ms (a 429's Retry-After).  Never
 * throws.
 */
void
gca_budget_pause(GcaBudget *budget, int ms)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz until = TimestampTzPlusMilliseconds(now, ms);
	BudgetTable *table = table_lock();
	BudgetSlot *s = find_slot(table, budget, now);

	if (s->paused_until < until)
		s->paused_until = until;
	/* the bucket starts empty after the pause */
	s->tokens = Min(s->tokens, 0.0);
	table_unlock();
}

/* Counts one finished attempt.  Never throws. */
void
gca_budget_record(GcaBudget *budget, const GcaAttemptStats *st)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table = table_lock();
	BudgetSlot *s = find_slot(table, budget, now);

	s->requests++;
	if (st->retry)
		s->retries++;
	if (st->token)
		s->token_requests++;
	s->bytes += st->bytes;
	if (st->limit_info && st->limit_info[0])
	{
		strlcpy(s->limit_info, st->limit_info, GCA_LIMIT_INFO_LEN);
		s->limit_info_at = now;
	}
	if (st->status == 0)
		s->network_errors++;
	else if (st->status < 200 || st->status >= 300)
	{
		int			i;

		for (i = 0; i < s->nstatus; i++)
			if (s->statuses[i] == st->status)
				break;
		if (i == s->nstatus && s->nstatus < GCA_STATUS_KINDS)
		{
			s->statuses[i] = st->status;
			s->status_counts[i] = 0;
			s->nstatus++;
		}
		if (i < s->nstatus)
			s->status_counts[i]++;
		else
			s->other_errors++;
	}
	table_unlock();
}

/* Counts time spent waiting on the budget or a backoff.  Never throws. */
void
gca_budget_record_wait(GcaBudget *budget, double ms)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table = table_lock();
	BudgetSlot *s = find_slot(table, budget, now);

	s->wait_ms += ms;
	table_unlock();
}

/*
 * Copies the counters of the current database's budgets, summed per
 * server, into out (at most max rows); returns the number of rows.
 */
int
gca_budget_snapshot(GcaBudgetStats *out, int max)
{
	BudgetTable *table = table_lock();
	int			n = 0;
	int			i;

	for (i = 0; i < GCA_MAX_BUDGETS; i++)
	{
		BudgetSlot *s = &table->slots[i];
		GcaBudgetStats *r = NULL;
		int			j;

		if (!s->used || s->dbid != MyDatabaseId)
			continue;
		for (j = 0; j < n; j++)
			if (out[j].serverid == s->serverid)
				r = &out[j];
		if (r == NULL)
		{
			if (n >= max)
				continue;
			r = &out[n++];
			memset(r, 0, sizeof(*r));
			r->serverid = s->serverid;
			strlcpy(r->servername, s->servername, NAMEDATALEN);
		}
		r->requests += s->requests;
		r->retries += s->retries;
		r->token_requests += s->token_requests;
		r->bytes += s->bytes;
		r->network_errors += s->network_errors;
		r->other_errors += s->other_errors;
		r->wait_ms += s->wait_ms;
		if (s->limit_info[0] && s->limit_info_at > r->limit_info_at)
		{
			strlcpy(r->limit_info, s->limit_info, GCA_LIMIT_INFO_LEN);
			r->limit_info_at = s->limit_info_at;
		}
		for (j = 0; j < s->nstatus; j++)
		{
			int			k;

			for (k = 0; k < r->nstatus; k++)
				if (r->statuses[k] == s->statuses[j])
					break;
			if (k == r->nstatus)
			{
				if (r->nstatus >= GCA_STATUS_KINDS)
				{
					r->other_errors += s->status_counts[j];
					continue;
				}
				r->statuses[k] = s->statuses[j];
				r->status_counts[k] = 0;
				r->nstatus++;
			}
			r->status_counts[k] += s->status_counts[j];
		}
	}
	table_unlock();
	return n;
}

/* Zeroes the counters of the current database's budgets. */
void
gca_budget_reset_stats(void)
{
	BudgetTable *table = table_lock();
	int			i;

	for (i = 0; i < GCA_MAX_BUDGETS; i++)
	{
		BudgetSlot *s = &table->slots[i];

		if (!s->used || s->dbid != MyDatabaseId)
			continue;
		s->requests = s->retries = s->token_requests = s->bytes = 0;
		s->network_errors = s->other_errors = 0;
		s->wait_ms = 0;
		s->nstatus = 0;
	}
	table_unlock();
}

/* the size of the shared table, for tests of the layout */
StaticAssertDecl(sizeof(BudgetTable) < 1024 * 1024, "budget table too large");
