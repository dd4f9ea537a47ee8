/*-------------------------------------------------------------------------
 *
 * progress.c
 *		What each backend's foreign scan is doing, readable from any
 *		session: gcanalytics.scan_progress().
 *
 * When gcanalytics is preloaded, one slot per backend lives in shared
 * memory (indexed by backend id); each backend writes only its own slot,
 * with a change counter around every write, and readers copy a slot until
 * they see it unchanged (the protocol of pg_stat_activity).  Without the
 * preload a backend sees only its own scan.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/progress.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "fdw_internal.h"

PG_FUNCTION_INFO_V1(gcanalytics_scan_progress);

typedef struct ProgressSlot
{
	uint32		changecount;	/* odd while being written */
	int			pid;			/* 0: no scan */
	Oid			relid;
	char		resource[NAMEDATALEN];
	TimestampTz started;
	GcaProgress progress;
} ProgressSlot;

static ProgressSlot *shared_slots = NULL;	/* MaxBackends of them */
static ProgressSlot local_slot;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
progress_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(mul_size(MaxBackends, sizeof(ProgressSlot))));
}

static void
progress_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared_slots = ShmemInitStruct("gcanalytics scan progress",
								   mul_size(MaxBackends, sizeof(ProgressSlot)), &found);
	if (!found)
		memset(shared_slots, 0, mul_size(MaxBackends, sizeof(ProgressSlot)));
	LWLockRelease(AddinShmemInitLock);
}

/* From _PG_init: shared slots when preloaded. */
void
gca_progress_shmem_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = progress_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = progress_shmem_startup;
}

static ProgressSlot *
my_slot(void)
{
	if (shared_slots && MyBackendId != InvalidBackendId && MyBackendId <= MaxBackends)
		return &shared_slots[MyBackendId - 1];
	return &local_slot;
}

static void
clear_slot(int code, Datum arg)
{
	ProgressSlot *slot = my_slot();

	slot->changecount++;
	pg_write_barrier();
	slot->pid = 0;
	pg_write_barrier();
	slot->changecount++;
}

/* A scan cannot outlive its transaction: an error ends it too. */
static void
progress_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		if (my_slot()->pid != 0)
			clear_slot(0, (Datum) 0);
	}
}

/*
 * Publishes this backend's scan of relid (resource) with its figures; an
 * invalid relid ends it.  Never throws.
 */
void
gca_progress_report(Oid relid, const char *resource, TimestampTz started,
					const GcaProgress *progress)
{
	static bool exit_hook = false;
	ProgressSlot *slot = my_slot();

	if (!exit_hook)
	{
		before_shmem_exit(clear_slot, (Datum) 0);
		RegisterXactCallback(progress_xact_callback, NULL);
		exit_hook = true;
	}
	slot->changecount++;
	pg_write_barrier();
	slot->pid = OidIsValid(relid) ? MyProcPid : 0;
	slot->relid = relid;
	strlcpy(slot->resource, resource ? resource : "", NAMEDATALEN);
	slot->started = started;
	if (progress)
		slot->progress = *progress;
	pg_write_barrier();
	slot->changecount++;
}

/* Copies a slot that is not being written. */
static void
read_slot(volatile ProgressSlot *slot, ProgressSlot *copy)
{
	for (;;)
	{
		uint32		before = slot->changecount;

		pg_read_barrier();
		memcpy(copy, (const void *) slot, sizeof(ProgressSlot));
		pg_read_barrier();
		if (before == slot->changecount && (before & 1) == 0)
			return;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * gcanalytics.scan_progress() returns one row per backend running a
 * gcanalytics foreign scan: pid, relid, resource, started, windows_done,
 * windows_total, requests, pages, rows, wait_ms, throttled_ms.  Like
 * pg_stat_progress_*, another role's scans are shown only to a caller
 * with the privileges of that role or of pg_read_all_stats.
 */
Datum
gcanalytics_scan_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n = shared_slots ? MaxBackends : 1;
	bool		all_stats = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		ProgressSlot copy;
		Datum		values[11];
		bool		nulls[11] = {0};

		read_slot(shared_slots ? &shared_slots[i] : &local_slot, &copy);
		if (copy.pid == 0)
			continue;
		if (!all_stats && copy.pid != MyProcPid)
		{
			PGPROC	   *proc = BackendPidGetProc(copy.pid);

			if (proc == NULL || !has_privs_of_role(GetUserId(), proc->roleId))
				continue;
		}
		values[0] = Int32GetDatum(copy.pid);
		values[1] = ObjectIdGetDatum(copy.relid);
		values[2] = CStringGetTextDatum(copy.resource);
		values[3] = TimestampTzGetDatum(copy.started);
		values[4] = Int32GetDatum(copy.progress.windows_done);
		values[5] = Int32GetDatum(copy.progress.windows_total);
		values[6] = Int64GetDatum(copy.progress.requests);
		values[7] = Int64GetDatum(copy.progress.pages);
		values[8] = Int64GetDatum(copy.progress.rows);
		values[9] = Int64GetDatum((int64) copy.progress.wait_ms);
		values[10] = Int64GetDatum((int64) copy.progress.throttled_ms);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
