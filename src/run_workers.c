/*-------------------------------------------------------------------------
 *
 * run_workers.c
 *		Steps of run() in dynamic background workers (README "The
 *		warehouse", run_workers).
 *
 * run() starts a step it can overlap with another (the reference data,
 * the CRM, the evaluations, the adherence) in a background worker:
 * _run_worker_start(step, command) registers a worker that connects to
 * this database as this session's authenticated user, takes this
 * session's settings (role, TimeZone, DateStyle, ... as a parallel worker
 * does), and runs the one CALL command as a top-level statement, so that
 * the procedures it calls COMMIT window by window as in the session.
 * Every NOTICE, WARNING and the error of the worker come back through a
 * message queue in dynamic shared memory: _run_worker_wait(worker)
 * reports the notices and warnings in this session as if the step had
 * run here, and raises the worker's error as its own.  A worker that
 * cannot be registered (no free slot of max_worker_processes) makes
 * _run_worker_start() return NULL: run() then runs the step itself.
 *
 * The workers started live no longer than the transaction that waits for
 * them: when this session's transaction aborts (an error, a cancel) or the
 * session ends, every worker still running is terminated.  A COMMIT of
 * run() leaves them running.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/run_workers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "fmgr.h"
#include "libpq/libpq.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"

#define RUN_WORKERS_MAX 8
#define RUN_WORKER_QUEUE_SIZE 65536

/* What a worker finds at the start of its segment. */
typedef struct RunWorkerShared
{
	Oid			database;
	Oid			authenticated_user;
	Oid			current_role;	/* SET ROLE's, InvalidOid for none */
	Size		guc_offset;		/* the session's settings (SerializeGUCState) */
	Size		guc_size;
	Size		command_offset; /* the CALL, NUL-terminated */
	Size		queue_offset;	/* the shm_mq of the messages back */
} RunWorkerShared;

/* A worker started by this session and not waited for yet. */
typedef struct RunWorker
{
	bool		in_use;
	char		step[64];
	BackgroundWorkerHandle *handle;
	dsm_segment *seg;
	shm_mq_handle *queue;
} RunWorker;

static RunWorker run_workers[RUN_WORKERS_MAX];
static bool run_worker_callbacks = false;
static bool am_run_worker = false;

PGDLLEXPORT void gca_run_worker_main(Datum main_arg);

PG_FUNCTION_INFO_V1(gca_run_worker_start);
PG_FUNCTION_INFO_V1(gca_run_worker_wait);
PG_FUNCTION_INFO_V1(gca_in_run_worker);

/* Forgets a worker: detaches its queue and segment. */
static void
run_worker_release(RunWorker *w)
{
	dsm_segment *seg = w->seg;

	w->in_use = false;
	w->seg = NULL;
	w->queue = NULL;
	if (w->handle)
		pfree(w->handle);
	w->handle = NULL;
	if (seg)
		dsm_detach(seg);
}

/* Terminates every worker still running and forgets them. */
static void
run_workers_terminate_all(void)
{
	int			i;

	for (i = 0; i < RUN_WORKERS_MAX; i++)
	{
		if (!run_workers[i].in_use)
			continue;
		if (run_workers[i].handle)
			TerminateBackgroundWorker(run_workers[i].handle);
		run_worker_release(&run_workers[i]);
	}
}

static void
run_workers_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		run_workers_terminate_all();
}

static void
run_workers_exit_callback(int code, Datum arg)
{
	int			i;

	/* at exit the segments go by themselves: only stop the workers */
	for (i = 0; i < RUN_WORKERS_MAX; i++)
		if (run_workers[i].in_use && run_workers[i].handle)
			TerminateBackgroundWorker(run_workers[i].handle);
}

/*
 * _run_worker_start(step, command): a worker running command (one CALL)
 * for step; its number for _run_worker_wait(), NULL when no worker could
 * be registered.
 */
Datum
gca_run_worker_start(PG_FUNCTION_ARGS)
{
	text	   *step_t = PG_GETARG_TEXT_PP(0);
	text	   *command_t = PG_GETARG_TEXT_PP(1);
	char	   *step = text_to_cstring(step_t);
	char	   *command = text_to_cstring(command_t);
	Size		command_len = strlen(command) + 1;
	Size		guc_size;
	Size		guc_offset;
	Size		command_offset;
	Size		queue_offset;
	Size		total;
	RunWorker  *w = NULL;
	dsm_segment *seg;
	RunWorkerShared *shared;
	shm_mq	   *mq;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	MemoryContext old;
	int			i;

	if (am_run_worker)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a run() worker starts no worker of its own")));
	for (i = 0; i < RUN_WORKERS_MAX && w == NULL; i++)
		if (!run_workers[i].in_use)
			w = &run_workers[i];
	if (w == NULL)
		PG_RETURN_NULL();

	if (!run_worker_callbacks)
	{
		RegisterXactCallback(run_workers_xact_callback, NULL);
		before_shmem_exit(run_workers_exit_callback, (Datum) 0);
		run_worker_callbacks = true;
	}

	guc_size = EstimateGUCStateSpace();
	guc_offset = MAXALIGN(sizeof(RunWorkerShared));
	command_offset = MAXALIGN(guc_offset + guc_size);
	queue_offset = MAXALIGN(command_offset + command_len);
	total = queue_offset + RUN_WORKER_QUEUE_SIZE;

	seg = dsm_create(total, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (seg == NULL)
		PG_RETURN_NULL();
	/* kept across run()'s transactions, until _run_worker_wait() */
	dsm_pin_mapping(seg);
	shared = dsm_segment_address(seg);
	shared->database = MyDatabaseId;
	shared->authenticated_user = GetAuthenticatedUserId();
	shared->current_role = GetCurrentRoleId();
	shared->guc_offset = guc_offset;
	shared->guc_size = guc_size;
	shared->command_offset = command_offset;
	shared->queue_offset = queue_offset;
	SerializeGUCState(guc_size, (char *) shared + guc_offset);
	memcpy((char *) shared + command_offset, command, command_len);
	mq = shm_mq_create((char *) shared + queue_offset, RUN_WORKER_QUEUE_SIZE);
	shm_mq_set_receiver(mq, MyProc);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "gcanalytics");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "gca_run_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "gcanalytics run() worker: %s", step);
	snprintf(worker.bgw_type, BGW_MAXLEN, "gcanalytics run() worker");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	old = MemoryContextSwitchTo(TopMemoryContext);
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		MemoryContextSwitchTo(old);
		dsm_detach(seg);
		PG_RETURN_NULL();
	}
	w->queue = shm_mq_attach(mq, seg, handle);
	MemoryContextSwitchTo(old);
	w->in_use = true;
	w->handle = handle;
	w->seg = seg;
	strlcpy(w->step, step, sizeof(w->step));
	PG_RETURN_INT32((int32) (w - run_workers));
}

/*
 * _run_worker_wait(worker): waits until the worker ends; its notices and
 * warnings are reported here, its error is raised here.
 */
Datum
gca_run_worker_wait(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	RunWorker  *w;
	bool		finished = false;
	ErrorData  *failure = NULL;
	char		step[64];

	if (n < 0 || n >= RUN_WORKERS_MAX || !run_workers[n].in_use)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no run() worker %d is running in this session", n)));
	w = &run_workers[n];
	strlcpy(step, w->step, sizeof(step));

	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result res;
		StringInfoData msg;
		char		msgtype;

		res = shm_mq_receive(w->queue, &nbytes, &data, false);
		if (res != SHM_MQ_SUCCESS)
			break;				/* detached: the worker is gone */
		initStringInfo(&msg);
		appendBinaryStringInfo(&msg, data, nbytes);
		msgtype = pq_getmsgbyte(&msg);
		if (msgtype == 'N' || msgtype == 'E')
		{
			ErrorData	edata;

			pq_parse_errornotice(&msg, &edata);
			if (msgtype == 'E' || edata.elevel >= ERROR)
			{
				if (failure == NULL)
				{
					failure = palloc(sizeof(ErrorData));
					*failure = edata;
				}
			}
			else
			{
				edata.elevel = Min(edata.elevel, WARNING);
				ThrowErrorData(&edata);
			}
		}
		else if (msgtype == 'C')
			finished = true;
		pfree(msg.data);
	}
	/* the slot is free again once the worker has exited */
	if (w->handle)
		WaitForBackgroundWorkerShutdown(w->handle);
	run_worker_release(w);

	if (failure != NULL)
	{
		failure->elevel = ERROR;
		ThrowErrorData(failure);
	}
	if (!finished)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("the run() worker of step %s ended before it finished", step),
				 errhint("See the server log.")));
	PG_RETURN_VOID();
}

/* _in_run_worker(): whether this session is a run() worker. */
Datum
gca_in_run_worker(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(am_run_worker);
}

/*
 * Runs one statement as a top-level command, as the simple query protocol
 * does: a CALL may COMMIT.  Ends in a transaction state the caller
 * commits (its memory context, which the statement's commits may have
 * reset, is not switched back to).
 */
static void
run_worker_execute(const char *sql)
{
	List	   *parsetrees;
	RawStmt    *parsetree;
	CommandTag	tag;
	List	   *querytrees;
	List	   *plantrees;
	Portal		portal;
	DestReceiver *receiver;
	QueryCompletion qc;
	bool		snapshot_set = false;
	int16		format = 0;
	MemoryContext statement_context;

	/*
	 * The statement's parse and plan outlive the transactions the CALL
	 * commits: a context of their own, as MessageContext in a backend.
	 */
	statement_context = AllocSetContextCreate(TopMemoryContext, "gcanalytics run() worker statement",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(statement_context);
	parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a run() worker runs exactly one statement")));
	parsetree = linitial_node(RawStmt, parsetrees);
	tag = CreateCommandTag(parsetree->stmt);
	if (analyze_requires_snapshot(parsetree))
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		snapshot_set = true;
	}
	querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql, NULL, 0, NULL);
	plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);
	if (snapshot_set)
		PopActiveSnapshot();
	CHECK_FOR_INTERRUPTS();

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, tag, plantrees, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	PortalSetResultFormat(portal, 1, &format);
	receiver = CreateDestReceiver(DestNone);
	(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
	receiver->rDestroy(receiver);
	PortalDrop(portal, false);
}

/* The worker's entry point: bgw_main_arg is the segment's handle. */
void
gca_run_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	RunWorkerShared *shared;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	const char *command;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	am_run_worker = true;

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "gcanalytics run() worker");
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the session that started this run() worker is gone")));
	shared = dsm_segment_address(seg);
	mq = (shm_mq *) ((char *) shared + shared->queue_offset);
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	/* every message from here on goes to the session that waits */
	pq_redirect_to_shm_mq(seg, mqh);

	BackgroundWorkerInitializeConnectionByOid(shared->database, shared->authenticated_user, 0);
	SetClientEncoding(GetDatabaseEncoding());

	/* the session's settings (role, TimeZone, ...), as a parallel worker */
	StartTransactionCommand();
	/* checked when the session set them: restored in its order, unchecked */
	InitializingParallelWorker = true;
	RestoreGUCState((char *) shared + shared->guc_offset);
	InitializingParallelWorker = false;
	/* messages go back in the database's encoding; role is not restored */
	SetClientEncoding(GetDatabaseEncoding());
	if (OidIsValid(shared->current_role))
		SetCurrentRoleId(shared->current_role, superuser_arg(shared->current_role));
	SetConfigOption("application_name", "gcanalytics run() worker", PGC_USERSET, PGC_S_SESSION);
	CommitTransactionCommand();

	command = (char *) shared + shared->command_offset;
	SetCurrentStatementStartTimestamp();
	debug_query_string = command;
	pgstat_report_activity(STATE_RUNNING, command);
	set_ps_display("CALL");
	StartTransactionCommand();
	run_worker_execute(command);
	CommitTransactionCommand();
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);

	/* done: the session tells this from a worker that died */
	pq_putmessage('C', "CALL", 5);
	pq_flush();
	dsm_detach(seg);
	proc_exit(0);
}
