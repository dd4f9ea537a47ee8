/*-------------------------------------------------------------------------
 *
 * ratelimit.c
 *		The rate budget: a pace per (server, OAuth client), and the request
 *		counters of http_stats().
 *
 * When gcanalytics is in shared_preload_libraries the budgets live in
 * shared memory (a table of gcanalytics.rate_budget_slots slots keyed by
 * database, server OID and a hash of the client_id, under one LWLock), so
 * every backend draws from the same budget and honours the same
 * Retry-After pause, as the API counts them.  Otherwise each backend has
 * its own table: the limit then holds per session only, which DEBUG1 says
 * once and http_stats() shows in its "shared" column.
 *
 * The budget grants one request every 60 s / requests_per_minute (0.2 s at
 * 300/min), never sooner, however many sessions share it: any 60 s window
 * then holds at most requests_per_minute grants, the limit exactly.
 * There is no burst.  A grant is taken just before its request is sent
 * (after any token fetch), and the next one comes no sooner than a whole
 * spacing after it, so the time a grant takes to reach the server (a
 * fraction of a millisecond on a kept connection) is covered by the time
 * every grant comes after its due time; should the API count otherwise,
 * its 429 pauses the budget for its Retry-After.  A slot's whole state is
 * the time of its next grant and its pause, so a slot whose next grant
 * and pause are both past can be reused for another pair without losing
 * a limit; a slot still holding either is never evicted.  When every
 * shared slot holds one, the pair gets a budget in this backend only (a
 * WARNING says so once per backend).
 *
 * A slot also keeps what every session of the pair may plan with: the
 * observed latency of its successful requests, the newest Genesys
 * dataAvailabilityDate seen (it only moves forward, so a date at or after
 * a range's end answers for the range without a request), and the time a
 * details job took to be ready (so that EXPLAIN counts the status polls
 * a job will take).  They hold for
 * the API URL they were seen at: a server pointed elsewhere (another org,
 * a test double) starts afresh.  A reused slot forgets them too.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/ratelimit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http_internal.h"

/* the API's window: it holds at most requests_per_minute grants */
#define GCA_WINDOW_MS		60000
/* slots of a per-backend table at first (it grows; it is never full) */
#define GCA_LOCAL_SLOTS		64
/* GcaBudget.slot of a pair that fell back to a per-backend budget */
#define GCA_SLOT_LOCAL		(-2)

typedef struct BudgetSlot
{
	bool		used;
	Oid			dbid;
	Oid			serverid;
	uint32		client_hash;
	char		servername[NAMEDATALEN];
	TimestampTz next_at;		/* earliest time of the next grant */
	TimestampTz paused_until;	/* Retry-After: no grant before this */
	TimestampTz last_used;
	/* what a fresh session plans with (gca_budget_known()), of one API URL */
	uint32		api_hash;		/* hash of the API URL they were seen at */
	double		latency_ms;		/* moving average of successful requests */
	TimestampTz available;		/* newest dataAvailabilityDate seen, 0 if
								 * none */
	double		job_ready_ms;	/* moving average: a details job's creation
								 * to its status FULFILLED, 0 if none */
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
	int			nslots;
	BudgetSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} BudgetTable;

static int	rate_budget_slots = 64; /* gcanalytics.rate_budget_slots */

static BudgetTable *shared_table = NULL;	/* in shared memory */
static LWLock *shared_lock = NULL;
static BudgetTable *local_table = NULL; /* per backend: not preloaded, or
										 * pairs the shared table had no
										 * room for */
static bool said_local = false;
static bool said_full = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
table_size(int nslots)
{
	return add_size(offsetof(BudgetTable, slots),
					mul_size(nslots, sizeof(BudgetSlot)));
}

static void
gca_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(table_size(rate_budget_slots)));
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
								   table_size(rate_budget_slots), &found);
	if (!found)
	{
		memset(shared_table, 0, table_size(rate_budget_slots));
		shared_table->nslots = rate_budget_slots;
	}
	shared_lock = &(GetNamedLWLockTranche("gcanalytics"))->lock;
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init, before the "gcanalytics" prefix is reserved: when
 * the library is being preloaded, defines gcanalytics.rate_budget_slots
 * (PGC_POSTMASTER settings can only be made then) and installs the
 * shared-memory hooks; otherwise does nothing (per-backend budgets).
 */
void
gca_ratelimit_shmem_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("gcanalytics.rate_budget_slots",
							"Sets the number of (server, OAuth client) rate budgets in shared memory.",
							"A budget that still holds a pending limit is never reused for "
							"another pair; when all do, a new pair gets a budget in its session "
							"only. Takes effect at server start.",
							&rate_budget_slots,
							64, 8, 65536,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
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

/*
 * The per-backend table, made on first use or grown to hold one more
 * slot.  Can throw (out of memory); the shared lock must not be held.
 */
static BudgetTable *
local_table_with_room(bool grow)
{
	int			n;

	if (local_table == NULL)
	{
		local_table = MemoryContextAllocZero(TopMemoryContext,
											 table_size(GCA_LOCAL_SLOTS));
		local_table->nslots = GCA_LOCAL_SLOTS;
	}
	else if (grow)
	{
		n = local_table->nslots;
		local_table = repalloc(local_table, table_size(n * 2));
		memset(&local_table->slots[n], 0, sizeof(BudgetSlot) * n);
		local_table->nslots = n * 2;
	}
	return local_table;
}

/*
 * The table budget lives in, locked (shared) or made (per backend); pair
 * with table_unlock().  Can throw only when making the per-backend table
 * (out of memory), never with the lock held.
 */
static BudgetTable *
table_lock(GcaBudget *budget)
{
	if (shared_table && (budget == NULL || budget->slot != GCA_SLOT_LOCAL))
	{
		LWLockAcquire(shared_lock, LW_EXCLUSIVE);
		return shared_table;
	}
	return local_table_with_room(false);
}

static void
table_unlock(BudgetTable *table)
{
	if (table == shared_table)
		LWLockRelease(shared_lock);
}

static bool
slot_is(BudgetSlot *s, GcaBudget *budget)
{
	return s->used && s->dbid == budget->dbid &&
		s->serverid == budget->serverid && s->client_hash == budget->client_hash;
}

/*
 * Makes the slot's latency and availability date those of budget's API
 * URL: forgets what was seen at another one.
 */
static void
slot_use_api(BudgetSlot *s, GcaBudget *budget)
{
	if (s->api_hash == budget->api_hash)
		return;
	s->api_hash = budget->api_hash;
	s->latency_ms = 0;
	s->available = 0;
	s->job_ready_ms = 0;
}

/*
 * The slot of budget in table, created if absent in a free slot or, else,
 * in the least recently used slot whose next grant and pause are both
 * past (reusing it loses no limit).  NULL when every slot still holds one.
 * Called with the table locked; never throws.
 */
static BudgetSlot *
find_slot(BudgetTable *table, GcaBudget *budget, TimestampTz now)
{
	BudgetSlot *s;
	int			i;
	int			victim = -1;
	int			free_slot = -1;

	if (budget->slot >= 0 && budget->slot < table->nslots &&
		slot_is(&table->slots[budget->slot], budget))
		return &table->slots[budget->slot];
	for (i = 0; i < table->nslots; i++)
	{
		s = &table->slots[i];
		if (!s->used)
		{
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (slot_is(s, budget))
		{
			if (budget->slot != GCA_SLOT_LOCAL)
				budget->slot = i;
			return s;
		}
		if (s->next_at > now || s->paused_until > now)
			continue;			/* still holds a limit */
		if (victim < 0 || s->last_used < table->slots[victim].last_used)
			victim = i;
	}
	if (free_slot >= 0)
		victim = free_slot;
	if (victim < 0)
		return NULL;
	s = &table->slots[victim];
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->dbid = budget->dbid;
	s->serverid = budget->serverid;
	s->client_hash = budget->client_hash;
	strlcpy(s->servername, budget->servername, NAMEDATALEN);
	s->last_used = now;
	if (budget->slot != GCA_SLOT_LOCAL)
		budget->slot = victim;
	return s;
}

/*
 * Locks the table of budget and returns its slot (made if need be); pair
 * with table_unlock(*table).  When the shared table has no room, the pair
 * moves to a per-backend budget for good (budget->slot = GCA_SLOT_LOCAL),
 * with a WARNING once per backend.  Can throw only out of memory for the
 * per-backend table, and never with the lock held.
 */
static BudgetSlot *
slot_lock(GcaBudget *budget, TimestampTz now, BudgetTable **table)
{
	BudgetSlot *s;
	int			nslots;

	*table = table_lock(budget);
	s = find_slot(*table, budget, now);
	if (s != NULL)
		return s;
	nslots = (*table)->nslots;
	table_unlock(*table);
	if (*table == shared_table)
	{
		budget->slot = GCA_SLOT_LOCAL;
		if (!said_full)
		{
			said_full = true;
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("shared rate budget table is full"),
					 errdetail("All %d slots hold a pending limit; server \"%s\" now has a rate budget in this session only, so sessions together may exceed its requests_per_minute.",
							   nslots, budget->servername),
					 errhint("Raise gcanalytics.rate_budget_slots (takes effect at server start).")));
		}
		*table = local_table_with_room(false);
	}
	else
		*table = local_table_with_room(true);
	s = find_slot(*table, budget, now);
	if (s == NULL)				/* the per-backend table was full: grow it */
		s = find_slot(*table = local_table_with_room(true), budget, now);
	Assert(s != NULL);
	return s;
}

/*
 * Fills budget, the client's handle on its slot.  The slot itself is
 * found (or made) on first use.  Never throws.
 */
void
gca_budget_attach(GcaBudget *budget, Oid serverid, const char *servername,
				  const char *client_id, const char *api_url)
{
	budget->dbid = MyDatabaseId;
	budget->serverid = serverid;
	budget->client_hash = client_id ? hash_bytes((const unsigned char *) client_id,
												 strlen(client_id)) : 0;
	budget->api_hash = api_url ? hash_bytes((const unsigned char *) api_url,
											strlen(api_url)) : 0;
	budget->slot = -1;
	strlcpy(budget->servername, servername, NAMEDATALEN);

	if (shared_table == NULL && !said_local)
	{
		said_local = true;
		elog(DEBUG1, "gcanalytics is not in shared_preload_libraries: each session keeps its own rate budget");
	}
}

/*
 * The time between two grants at requests_per_minute, in microseconds:
 * GCA_WINDOW_MS / rpm rounded up, so that a window of GCA_WINDOW_MS holds
 * at most rpm grants, and never fewer than the limit allows by more than
 * the rounding.
 */
static int64
grant_interval_us(int requests_per_minute)
{
	int64		window_us = (int64) GCA_WINDOW_MS * 1000;
	int64		rpm = Max(requests_per_minute, 1);

	return (window_us + rpm - 1) / rpm;
}

/*
 * Takes one request's grant from the budget.  Returns 0 when granted,
 * else the microseconds to wait before asking again (the next grant is
 * not due yet, or a Retry-After pause is on): waking at that time exactly
 * loses none of the budget's pace.  Can throw only out of memory when the
 * pair needs a per-backend budget (see slot_lock); may emit the WARNING
 * of a full table.
 */
int64
gca_budget_take(GcaBudget *budget, int requests_per_minute)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table;
	BudgetSlot *s = slot_lock(budget, now, &table);
	TimestampTz due = Max(s->next_at, s->paused_until);
	int64		wait;

	s->last_used = now;
	if (due <= now)
	{
		s->next_at = now + grant_interval_us(requests_per_minute);
		wait = 0;
	}
	else
		wait = due - now;
	table_unlock(table);
	return wait;
}

/*
 * Raises the time at offset field of budget's slot to at least t (it only
 * moves forward).  Can throw only as gca_budget_take.
 */
static void
slot_raise_time(GcaBudget *budget, size_t field, TimestampTz t)
{
	BudgetTable *table;
	BudgetSlot *s = slot_lock(budget, GetCurrentTimestamp(), &table);
	TimestampTz *at = (TimestampTz *) ((char *) s + field);

	if (field == offsetof(BudgetSlot, available))
		slot_use_api(s, budget);

	if (*at < t)
		*at = t;
	table_unlock(table);
}

/*
 * Pauses every user of the budget for ms (a 429's Retry-After); the next
 * grant comes no earlier than the pause's end.  Can throw only as
 * gca_budget_take.
 */
void
gca_budget_pause(GcaBudget *budget, int ms)
{
	slot_raise_time(budget, offsetof(BudgetSlot, paused_until),
					TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms));
}

/* Counts one finished attempt.  Can throw only as gca_budget_take. */
void
gca_budget_record(GcaBudget *budget, const GcaAttemptStats *st)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table;
	BudgetSlot *s = slot_lock(budget, now, &table);

	s->requests++;
	slot_use_api(s, budget);
	if (st->latency_ms > 0)
		s->latency_ms = s->latency_ms == 0 ? st->latency_ms
			: 0.8 * s->latency_ms + 0.2 * st->latency_ms;
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
	table_unlock(table);
}

/*
 * Remembers a dataAvailabilityDate of the pair's API: the slot keeps the
 * newest one seen (the date only moves forward).  Can throw only as
 * gca_budget_take.
 */
void
gca_budget_remember_availability(GcaBudget *budget, TimestampTz available)
{
	slot_raise_time(budget, offsetof(BudgetSlot, available), available);
}

/*
 * Remembers the time a details job of the pair's API took from its
 * creation's answer to the status answer that said it was ready (ms), in
 * a moving average.  Can throw only as gca_budget_take.
 */
void
gca_budget_remember_job_ready(GcaBudget *budget, double ms)
{
	BudgetTable *table;
	BudgetSlot *s = slot_lock(budget, GetCurrentTimestamp(), &table);

	slot_use_api(s, budget);
	s->job_ready_ms = s->job_ready_ms == 0 ? ms
		: 0.8 * s->job_ready_ms + 0.2 * ms;
	table_unlock(table);
}

/*
 * What the slot of budget knows, without making one: the observed latency
 * (0 if none), the newest dataAvailabilityDate (0 if none) and a job's
 * time to be ready (0 if none; job_ready_ms may be NULL).  False when the
 * pair has no slot yet.  Never throws.
 */
bool
gca_budget_known(GcaBudget *budget, double *latency_ms, TimestampTz *available,
				 double *job_ready_ms)
{
	BudgetTable *table = shared_table && budget->slot != GCA_SLOT_LOCAL
		? shared_table : local_table;
	bool		found = false;

	*latency_ms = 0;
	*available = 0;
	if (job_ready_ms)
		*job_ready_ms = 0;
	if (table == NULL)
		return false;
	if (table == shared_table)
		LWLockAcquire(shared_lock, LW_SHARED);
	for (int i = 0; i < table->nslots; i++)
	{
		BudgetSlot *s = &table->slots[i];

		if (slot_is(s, budget))
		{
			if (s->api_hash == budget->api_hash)
			{
				*latency_ms = s->latency_ms;
				*available = s->available;
				if (job_ready_ms)
					*job_ready_ms = s->job_ready_ms;
			}
			found = true;
			break;
		}
	}
	table_unlock(table);
	return found;
}

/*
 * Counts time spent waiting on the budget or a backoff.  Can throw only
 * as gca_budget_take.
 */
void
gca_budget_record_wait(GcaBudget *budget, double ms)
{
	TimestampTz now = GetCurrentTimestamp();
	BudgetTable *table;
	BudgetSlot *s = slot_lock(budget, now, &table);

	s->wait_ms += ms;
	table_unlock(table);
}

/*
 * Adds the counters of table's slots of the current database, summed per
 * server, to out[0..*n) (at most max rows).  Called with table locked.
 */
static void
snapshot_table(BudgetTable *table, GcaBudgetStats *out, int *n, int max)
{
	for (int i = 0; i < table->nslots; i++)
	{
		BudgetSlot *s = &table->slots[i];
		GcaBudgetStats *r = NULL;
		int			j;

		if (!s->used || s->dbid != MyDatabaseId)
			continue;
		for (j = 0; j < *n; j++)
			if (out[j].serverid == s->serverid)
				r = &out[j];
		if (r == NULL)
		{
			if (*n >= max)
				continue;
			r = &out[(*n)++];
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
}

/*
 * Copies the counters of the current database's budgets, summed per
 * server, into out (at most max rows); returns the number of rows.  Reads
 * the shared table and this backend's own budgets (pairs the shared table
 * had no room for).  Can throw only out of memory.
 */
int
gca_budget_snapshot(GcaBudgetStats *out, int max)
{
	BudgetTable *table = table_lock(NULL);
	int			n = 0;

	snapshot_table(table, out, &n, max);
	table_unlock(table);
	if (table != local_table && local_table != NULL)
		snapshot_table(local_table, out, &n, max);
	return n;
}

/* Zeroes the counters of table's slots of the current database. */
static void
reset_table(BudgetTable *table)
{
	for (int i = 0; i < table->nslots; i++)
	{
		BudgetSlot *s = &table->slots[i];

		if (!s->used || s->dbid != MyDatabaseId)
			continue;
		s->requests = s->retries = s->token_requests = s->bytes = 0;
		s->network_errors = s->other_errors = 0;
		s->wait_ms = 0;
		s->nstatus = 0;
	}
}

/*
 * Zeroes the counters of the current database's budgets (shared, and this
 * backend's own).  Can throw only out of memory.
 */
void
gca_budget_reset_stats(void)
{
	BudgetTable *table = table_lock(NULL);

	reset_table(table);
	table_unlock(table);
	if (table != local_table && local_table != NULL)
		reset_table(local_table);
}
