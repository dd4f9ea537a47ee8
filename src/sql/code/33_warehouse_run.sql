-- The load procedures (README "The warehouse").  They COMMIT after each
-- window, so they must be CALLed outside an explicit transaction block;
-- for the same reason they carry no SET clause and no SECURITY DEFINER:
-- they name every object, type and operator with its schema and leave
-- the work to functions whose search_path is pinned (README "Security").
-- One load at a time per database: the load lock below.

-- The load lock: one row of gcanalytics.load_lock names the session that
-- loads.  Claiming it locks that table in SHARE ROW EXCLUSIVE mode, which
-- needs UPDATE (or DELETE, TRUNCATE) on it: only the roles allowed to load
-- can take or hold the lock (an advisory lock, which any role can take,
-- let any role stop every load).  The claim outlives the load's COMMITs;
-- it is free when its session is gone, is idle (a load that stopped with
-- an error), or is this very session.

COMMENT ON TABLE gcanalytics.load_lock IS
    'the load lock: the session loading (pid, role, since when); the loads that found it held are in load_refusals';
COMMENT ON TABLE gcanalytics.load_refusals IS
    'the loads of the last 30 days that found the load lock held and did not load: who (pid, role, application_name, scheduled: run by pg_cron), and who held it (holder_pid, holder_role; held: by a load, or by a lock on the table load_lock)';

-- _load_lock_holder(): the live session other than this one that holds
-- the claim: pid and role, NULL when the lock is free.  A session whose
-- state the caller may not see (another role's, without
-- pg_read_all_stats) counts as live while it exists.
CREATE OR REPLACE FUNCTION gcanalytics._load_lock_holder(OUT pid integer, OUT role name)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT l.pid, l.role
      FROM gcanalytics.load_lock l
      JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.pid <> pg_catalog.pg_backend_pid()
       AND (a.backend_start IS NULL OR a.backend_start = l.backend_start)
       AND (a.state IS NULL OR a.state NOT IN ('idle', 'idle in transaction', 'idle in transaction (aborted)'))
$$;

-- _load_scheduled(): whether this session is a pg_cron job's (its
-- connection's application_name, or its background worker's type).
CREATE OR REPLACE FUNCTION gcanalytics._load_scheduled()
    RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT coalesce(bool_or(a.application_name = 'pg_cron' OR a.backend_type = 'pg_cron'), false)
      FROM pg_catalog.pg_stat_activity a
     WHERE a.pid = pg_catalog.pg_backend_pid()
$$;

-- _load_refusal(holder_pid, holder_role, held): records that this load
-- found the lock held (held: 'load' or 'lock table') in load_refusals,
-- which no session's lock on load_lock blocks, and forgets refusals older
-- than 30 days; says it with a WARNING naming the holder.  A lock on
-- load_refusals itself (its owner's, or a role's granted UPDATE on it) is
-- waited for 2 s at most: then the refusal is only in the WARNING (and in
-- the server's log).
CREATE OR REPLACE FUNCTION gcanalytics._load_refusal(holder_pid integer, holder_role name, held text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '2s'
    AS $$
DECLARE
    recorded text := 'The refusal is recorded in gcanalytics.load_refusals.';
BEGIN
    BEGIN
        INSERT INTO gcanalytics.load_refusals (pid, role, application_name, scheduled, holder_pid, holder_role, held)
        VALUES (pg_backend_pid(), current_user, current_setting('application_name'), gcanalytics._load_scheduled(),
                holder_pid, holder_role, held);
        DELETE FROM gcanalytics.load_refusals r WHERE r.refused_at < clock_timestamp() - interval '30 days';
    EXCEPTION WHEN lock_not_available THEN
        recorded := 'The refusal could not be recorded: another session holds a lock on gcanalytics.load_refusals.';
    END;
    RAISE WARNING 'another gcanalytics load is running (process %, role "%"); this one returns without loading',
        holder_pid, holder_role
        USING DETAIL = CASE held WHEN 'lock table' THEN 'That process holds a lock on gcanalytics.load_lock. ' ELSE '' END || recorded,
              HINT = 'The running load covers the same ground; a load run by pg_cron fails so that its run shows as failed.';
END
$$;

-- _load_lock(): claims the load lock for this session; false, with a
-- WARNING naming the process and role that hold it and the refusal
-- recorded in load_refusals, when another live session holds it.  The
-- caller COMMITs right after, which makes the claim (or the refusal)
-- visible and releases the table lock, and on false calls
-- _load_refused().  A session that holds the table lock itself (another
-- load claiming at this very moment, or a role granted UPDATE on
-- load_lock that locked it) is named the same way, without waiting for
-- it.
CREATE OR REPLACE FUNCTION gcanalytics._load_lock()
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    holder record;
BEGIN
    BEGIN
        LOCK TABLE gcanalytics.load_lock IN SHARE ROW EXCLUSIVE MODE NOWAIT;
    EXCEPTION WHEN lock_not_available THEN
        SELECT l.pid, a.usename AS role INTO holder
          FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'relation' AND l.relation = 'gcanalytics.load_lock'::regclass AND l.granted
           AND l.mode IN ('ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock', 'ShareLock',
                          'ShareUpdateExclusiveLock', 'RowExclusiveLock')
         LIMIT 1;
        PERFORM gcanalytics._load_refusal(holder.pid, holder.role, 'lock table');
        RETURN false;
    END;
    SELECT * INTO holder FROM gcanalytics._load_lock_holder() h WHERE h.pid IS NOT NULL;
    IF FOUND THEN
        PERFORM gcanalytics._load_refusal(holder.pid, holder.role, 'load');
        RETURN false;
    END IF;
    UPDATE gcanalytics.load_lock
       SET pid = pg_backend_pid(), role = current_user, held_since = clock_timestamp(),
           backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_backend_pid());
    RETURN true;
END
$$;

-- _load_refused(): called by a load that _load_lock() refused, after it
-- COMMITted the refusal: a load run by pg_cron fails (so that pg_cron
-- records the run as failed); an interactive one returns after the
-- WARNING, like a load that had nothing to do.
CREATE OR REPLACE FUNCTION gcanalytics._load_refused()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r record;
BEGIN
    IF NOT gcanalytics._load_scheduled() THEN
        RETURN;
    END IF;
    SELECT f.holder_pid, f.holder_role INTO r FROM gcanalytics.load_refusals f
     WHERE f.pid = pg_backend_pid() ORDER BY f.refused_at DESC LIMIT 1;
    RAISE EXCEPTION 'another gcanalytics load is running (process %, role "%"); this scheduled load did not run',
        r.holder_pid, r.holder_role
        USING ERRCODE = 'lock_not_available',
              DETAIL = 'The refusal is recorded in gcanalytics.load_refusals.',
              HINT = 'Runs overlap when a load takes longer than the schedule''s interval: the next run catches up.';
END
$$;

-- _load_unlock(): releases this session's claim.
CREATE OR REPLACE FUNCTION gcanalytics._load_unlock()
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE gcanalytics.load_lock
       SET pid = NULL, role = NULL, backend_start = NULL, held_since = NULL
     WHERE pid = pg_catalog.pg_backend_pid()
$$;

-- _seconds_since(t): seconds from t to now, rounded to a tenth.
CREATE OR REPLACE FUNCTION gcanalytics._seconds_since(t timestamptz)
    RETURNS numeric
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT round(extract(epoch FROM clock_timestamp() - t), 1) $$;

-- _window_failure_is_fatal(sqlstate): errors that every other window
-- would meet as well (credentials, privileges, configuration) stop the
-- load instead of filling the dead-letter list.
CREATE OR REPLACE FUNCTION gcanalytics._window_failure_is_fatal(state text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT left(state, 2) IN ('28', '42', '3F', '0A') OR state IN ('HV00D', 'HV00N', '55000', '57P01', '57P02', '57P03') $$;

-- _window_begin(resource, from, to): records the window as running (one
-- more attempt) and returns when it started.
CREATE OR REPLACE FUNCTION gcanalytics._window_begin(resource text, range_from timestamptz, range_to timestamptz)
    RETURNS timestamptz
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO gcanalytics.sync_windows AS w (resource, window_start, window_end, status, attempts, started_at)
    VALUES (resource, range_from, range_to, 'running', 1, clock_timestamp())
    ON CONFLICT ON CONSTRAINT sync_windows_pkey DO UPDATE
       SET window_end = EXCLUDED.window_end, status = 'running', attempts = w.attempts + 1,
           started_at = EXCLUDED.started_at, error = NULL, error_sqlstate = NULL
    RETURNING w.started_at
$$;

-- _window_load(resource, from, to, started): loads the window and records
-- it done with its rows, or failed with the error (loaded NULL).
CREATE OR REPLACE FUNCTION gcanalytics._window_load(resource text, range_from timestamptz, range_to timestamptz,
                                                    started timestamptz,
                                                    OUT loaded bigint, OUT message text, OUT state text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    loaded := gcanalytics._load_window(resource, range_from, range_to);
    UPDATE gcanalytics.sync_windows w
       SET status = 'done', rows = loaded, finished_at = clock_timestamp(),
           seconds = extract(epoch FROM clock_timestamp() - started), recheck = false
     WHERE w.resource = _window_load.resource AND w.window_start = range_from;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
    UPDATE gcanalytics.sync_windows w
       SET status = 'failed', error = message, error_sqlstate = state, finished_at = clock_timestamp(),
           seconds = extract(epoch FROM clock_timestamp() - started)
     WHERE w.resource = _window_load.resource AND w.window_start = range_from;
    loaded := NULL;
END
$$;

-- _window_report(...): says how the window went: a NOTICE with its rows,
-- a WARNING when it failed, an error when its failure would stop every
-- window (credentials, privileges, configuration).
CREATE OR REPLACE FUNCTION gcanalytics._window_report(resource text, range_from timestamptz, range_to timestamptz,
                                                      started timestamptz, loaded bigint, message text, state text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF loaded IS NOT NULL THEN
        RAISE NOTICE '% [%, %): % rows in % s', resource, range_from, range_to, loaded,
            gcanalytics._seconds_since(started);
    ELSIF gcanalytics._window_failure_is_fatal(state) THEN
        RAISE EXCEPTION 'loading % [%, %) failed: %', resource, range_from, range_to, message
            USING ERRCODE = state,
                  HINT = 'This error would stop every window, so the load stops; the window is in gcanalytics.failed_windows.';
    ELSE
        RAISE WARNING 'loading % [%, %) failed (%: %); recorded in gcanalytics.failed_windows, the load goes on',
            resource, range_from, range_to, state, message;
    END IF;
END
$$;

-- _sync_window(resource, from, to): loads one window in a transaction of
-- its own and records it in sync_windows: running (committed first, so
-- progress is visible), then done with its rows, or failed with the error
-- and the attempt count while the load goes on.  Returns the rows, NULL
-- when the window failed.
--
-- The procedures below COMMIT, so they can carry no SET clause: they
-- only call schema-qualified routines (which pin search_path), name
-- operators and types with their schema, and compute nothing themselves.
CREATE OR REPLACE PROCEDURE gcanalytics._sync_window(resource text, range_from timestamptz, range_to timestamptz,
                                          INOUT loaded bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    started pg_catalog.timestamptz;
    message pg_catalog.text;
    state pg_catalog.text;
BEGIN
    started := gcanalytics._window_begin(resource, range_from, range_to);
    COMMIT;
    SELECT w.loaded, w.message, w.state INTO loaded, message, state
      FROM gcanalytics._window_load(resource, range_from, range_to, started) w;
    COMMIT;
    PERFORM gcanalytics._window_report(resource, range_from, range_to, started, loaded, message, state);
END
$$;

-- _range_windows(resource, from, to, window): the windows of [from, to):
-- fixed windows when window is given, else conversation windows planned
-- from the aggregates count (other resources: one day).
CREATE OR REPLACE FUNCTION gcanalytics._range_windows(resource text, range_from timestamptz, range_to timestamptz,
                                                      window_length interval)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz)
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT p.window_start, p.window_end FROM gcanalytics._plan_windows(range_from, range_to) p
     WHERE window_length IS NULL AND resource = 'conversations' AND range_from < range_to
    UNION ALL
    -- fixed windows step in UTC: a day added to a timestamptz follows
    -- the session's TimeZone across a DST change
    SELECT g AT TIME ZONE 'UTC', least((g + coalesce(window_length, interval '1 day')) AT TIME ZONE 'UTC', range_to)
      FROM generate_series(range_from AT TIME ZONE 'UTC', (range_to AT TIME ZONE 'UTC') - interval '1 microsecond',
                           coalesce(window_length, interval '1 day')) g
     WHERE (window_length IS NOT NULL OR resource <> 'conversations') AND range_from < range_to
    ORDER BY 1
$$;

-- _failures_in_a_row(resource, window_start, n): the error that stops a
-- load after n windows failed in a row: the API is down or refuses us;
-- stop before the high-water mark moves, the next run starts here again.
CREATE OR REPLACE FUNCTION gcanalytics._failures_in_a_row(resource text, last_window timestamptz, n integer)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION '% windows of % failed in a row; the load stops', n, resource
        USING ERRCODE = 'fdw_error',
              DETAIL = (SELECT format('Last error: %s', sw.error) FROM gcanalytics.sync_windows sw
                         WHERE sw.resource = _failures_in_a_row.resource AND sw.window_start = last_window),
              HINT = 'See gcanalytics.failed_windows; the next run() starts from the same high-water mark.';
END
$$;

-- _sync_range(resource, from, to, window): [from, to) window by window
-- (_range_windows); total rows and failed windows.  Three failures in a
-- row stop the load.
CREATE OR REPLACE PROCEDURE gcanalytics._sync_range(resource text, range_from timestamptz, range_to timestamptz,
                                         window_length interval, INOUT total bigint DEFAULT 0,
                                         INOUT failed int DEFAULT 0)
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    n pg_catalog.int8;
    in_a_row pg_catalog.int4 := 0;
BEGIN
    total := 0;
    failed := 0;
    FOR w IN SELECT r.window_start, r.window_end
               FROM gcanalytics._range_windows(resource, range_from, range_to, window_length) r LOOP
        CALL gcanalytics._sync_window(resource, w.window_start, w.window_end, n);
        IF n IS NULL THEN
            failed := failed OPERATOR(pg_catalog.+) 1;
            in_a_row := in_a_row OPERATOR(pg_catalog.+) 1;
            IF in_a_row OPERATOR(pg_catalog.>=) 3 THEN
                PERFORM gcanalytics._failures_in_a_row(resource, w.window_start, in_a_row);
            END IF;
        ELSE
            total := total OPERATOR(pg_catalog.+) n;
            in_a_row := 0;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._advance_high_water_mark(state_resource text, mark timestamptz)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO gcanalytics.sync_state AS s (resource, high_water_mark, updated_at)
    VALUES (state_resource, mark, clock_timestamp())
    ON CONFLICT (resource) DO UPDATE
       SET high_water_mark = greatest(s.high_water_mark, EXCLUDED.high_water_mark), updated_at = EXCLUDED.updated_at
$$;

-- _check_range(resource, since, until): an error unless since < until.
CREATE OR REPLACE FUNCTION gcanalytics._check_range(resource text, since timestamptz, until timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF since IS NULL OR until IS NULL OR since >= until THEN
        RAISE EXCEPTION 'sync of % needs since < until', resource
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('since %s, until %s', since, until);
    END IF;
END
$$;

-- The public sync procedures: one resource over [since, until).
CREATE OR REPLACE PROCEDURE gcanalytics._sync_public(resource text, since timestamptz, until timestamptz, window_length interval)
    LANGUAGE plpgsql
    AS $$
DECLARE
    total pg_catalog.int8;
    failed pg_catalog.int4;
    started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
BEGIN
    PERFORM gcanalytics._check_range(resource, since, until);
    PERFORM gcanalytics._check_ready();
    PERFORM gcanalytics._aggregates_forget();
    IF NOT gcanalytics._load_lock() THEN
        COMMIT;
        PERFORM gcanalytics._load_refused();
        RETURN;
    END IF;
    COMMIT;
    CALL gcanalytics._sync_range(resource, since, until, window_length, total, failed);
    PERFORM gcanalytics._advance_high_water_mark(resource, until);
    PERFORM gcanalytics._load_unlock();
    RAISE NOTICE 'sync %: % rows, % failed window(s) in % s', resource, total, failed,
        gcanalytics._seconds_since(started);
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.sync_conversations(since timestamptz, until timestamptz, "window" interval DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('conversations'::pg_catalog.text, since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_conversations(timestamptz, timestamptz, interval) IS
    'load the conversations started in [since, until) into interactions, window by window (NULL window: sized from the aggregates count)';

CREATE OR REPLACE PROCEDURE gcanalytics.sync_evaluations(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('evaluations'::pg_catalog.text, since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_evaluations(timestamptz, timestamptz, interval) IS
    'load the evaluations of the conversations started in [since, until), window by window';

CREATE OR REPLACE PROCEDURE gcanalytics.sync_queue_metrics(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('queue_metrics'::pg_catalog.text, since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_queue_metrics(timestamptz, timestamptz, interval) IS
    'load 15-minute and daily aggregates per queue and media type for [since, until), window by window';

-- _reference_due(): whether the reference data is to be read again: the
-- Genesys listings have no modified-since filter nor a count cheaper than
-- their one page, so they are read when reference_refresh has passed
-- since the last read (sync_state 'reference'), or when the conversations
-- or evaluations loaded since then name a queue, user or wrap-up code the
-- tables lack (those that start after the conversations' mark less the
-- longer of lag_window and evaluation_lookback and a day, what a run
-- reads; older ones wait for the refresh).
CREATE OR REPLACE FUNCTION gcanalytics._reference_due()
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    last_read timestamptz := (SELECT s.updated_at FROM gcanalytics.sync_state s WHERE s.resource = 'reference');
    since timestamptz;
    known_queues text[];
    known_users text[];
    known_wrapups text[];
BEGIN
    IF last_read IS NULL OR last_read <= now() - gcanalytics.setting('reference_refresh')::interval THEN
        RETURN true;
    END IF;
    -- in the data's time (a simulator's may be far from the clock): what
    -- a run re-reads reaches back from the conversations' mark
    since := (SELECT s.high_water_mark FROM gcanalytics.sync_state s WHERE s.resource = 'conversations')
             - greatest(gcanalytics.setting('lag_window')::interval, gcanalytics.setting('evaluation_lookback')::interval)
             - interval '1 day';
    IF since IS NULL THEN
        RETURN true;
    END IF;
    -- the known ids read first (plain arrays: Citus joins no local
    -- parameters into a distributed table's subqueries)
    known_queues := ARRAY(SELECT q.queue_id FROM gcanalytics.queues q);
    known_users := ARRAY(SELECT u.user_id FROM gcanalytics.users u);
    known_wrapups := ARRAY(SELECT w.wrapup_code FROM gcanalytics.wrapup_codes w);
    RETURN EXISTS (SELECT 1 FROM gcanalytics.interactions i
                    WHERE i.conversation_start >= since AND i.loaded_at >= last_read
                      AND (i.queue_id <> ALL (known_queues) OR i.agent_id <> ALL (known_users)
                           -- (the system's codes, ININ-WRAP-UP-TIMEOUT and
                           -- the like, are in no listing)
                           OR (i.wrapup_code <> ALL (known_wrapups) AND i.wrapup_code NOT LIKE 'ININ-%')))
        OR EXISTS (SELECT 1 FROM gcanalytics.evaluations e
                    WHERE e.conversation_start >= since AND e.loaded_at >= last_read
                      AND e.evaluator_id <> ALL (known_users));
END
$$;

-- _sync_reference(): queues, users and wrap-up codes replaced whole, when
-- _reference_due(); returns whether they were read.
CREATE OR REPLACE FUNCTION gcanalytics._sync_reference()
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ids text[];
BEGIN
    IF NOT gcanalytics._reference_due() THEN
        RETURN false;
    END IF;
    CREATE TEMP TABLE gca_ref_queues ON COMMIT DROP AS SELECT id, name, division_id FROM gcanalytics_source.queues;
    CREATE TEMP TABLE gca_ref_users ON COMMIT DROP AS
        SELECT id, name, email, state, department, title, division_id FROM gcanalytics_source.users;
    CREATE TEMP TABLE gca_ref_wrapups ON COMMIT DROP AS SELECT id, name FROM gcanalytics_source.wrapup_codes;
    PERFORM gcanalytics._upsert('gcanalytics.queues', ARRAY['queue_id'],
        'SELECT id AS queue_id, name, division_id FROM gca_ref_queues');
    PERFORM gcanalytics._upsert('gcanalytics.users', ARRAY['user_id'],
        'SELECT id AS user_id, name, email, state, department, title, division_id FROM gca_ref_users');
    PERFORM gcanalytics._upsert('gcanalytics.wrapup_codes', ARRAY['wrapup_code'],
        'SELECT id AS wrapup_code, name FROM gca_ref_wrapups');
    -- the ids kept are read first: Citus runs no DELETE on a reference
    -- table whose subquery reads a temporary table
    ids := ARRAY(SELECT r.id FROM gca_ref_queues r);
    DELETE FROM gcanalytics.queues q WHERE q.queue_id OPERATOR(pg_catalog.<>) ALL (ids);
    ids := ARRAY(SELECT r.id FROM gca_ref_users r);
    DELETE FROM gcanalytics.users u WHERE u.user_id OPERATOR(pg_catalog.<>) ALL (ids);
    ids := ARRAY(SELECT r.id FROM gca_ref_wrapups r);
    DELETE FROM gcanalytics.wrapup_codes w WHERE w.wrapup_code OPERATOR(pg_catalog.<>) ALL (ids);
    PERFORM gcanalytics._advance_high_water_mark('reference', NULL);
    RETURN true;
END
$$;
COMMENT ON TABLE gcanalytics.queues IS 'Genesys routing queues (id, name), replaced whole by each run()';
COMMENT ON TABLE gcanalytics.users IS 'Genesys users (agents, evaluators), replaced whole by each run()';
COMMENT ON TABLE gcanalytics.wrapup_codes IS 'Genesys wrap-up codes (id, name), replaced whole by each run()';

-- _sync_crm(): Accounts modified since the CRM high-water mark (>=, as
-- several may share its millisecond; the upsert makes the overlap
-- harmless), their history (crm_account_history), every account's open
-- cases and opportunities, then the interactions of the last
-- crm_relink_days (before the newest loaded) whose account changed or that
-- were not linked through the attribute are enriched again, with the
-- values valid at their start: a change reaches only the conversations
-- after it; first the Cases and Opportunities (whole or their changes:
-- _sync_crm_pipeline()).  Returns the accounts read.
CREATE OR REPLACE FUNCTION gcanalytics._sync_crm()
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    mark timestamptz := (SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'crm');
    cc text := gcanalytics.setting('default_country_code');
    cutoff timestamptz;
    n bigint;
    newest timestamptz;
    changed text[];
    retiered text[];
    moved gcanalytics._contact_place[];
    open_ids text[];
    open_cases int[];
    open_opportunities int[];
    new_ids text[];
    new_starts timestamptz[];
    -- one timestamp for every row changed (Citus runs no UPDATE of a
    -- distributed table calling a volatile function such as clock_timestamp())
    stamp timestamptz := clock_timestamp();
    tz text := gcanalytics.reporting_time_zone();
    kpi_days date[];
    escalation_days date[];
    bot_days date[];
    join_days date[];
BEGIN
    PERFORM gcanalytics._sync_crm_pipeline();
    CREATE TEMP TABLE gca_crm_read ON COMMIT DROP AS
    SELECT a.account_id, a.name, a.tier, a.industry, a.owner, a.ltv, a.phone, a.system_modstamp
      FROM gcanalytics_source.crm_account a
     WHERE mark IS NULL OR a.system_modstamp >= mark;
    -- the open cases and opportunities per account from the Cases and
    -- Opportunities just read (no query of their own)
    CREATE TEMP TABLE gca_crm_open ON COMMIT DROP AS
    SELECT account_id, sum(cases)::int AS cases, sum(opportunities)::int AS opportunities
      FROM (SELECT c.account_id, 1 AS cases, 0 AS opportunities
              FROM gcanalytics.crm_cases c WHERE c.is_closed = false AND c.account_id IS NOT NULL
            UNION ALL
            SELECT o.account_id, 0, 1
              FROM gcanalytics.crm_opportunities o WHERE o.is_closed = false AND o.account_id IS NOT NULL) x
     GROUP BY account_id;
    SELECT count(*), max(system_modstamp) INTO n, newest FROM gca_crm_read;
    -- the history: an account read for the first time holds its values
    -- since ever; new values of a known one hold from the SystemModstamp
    -- that carried them (never before the values they follow: a row with
    -- the same start is replaced), and end the values before them there
    CREATE TEMP TABLE gca_crm_new ON COMMIT DROP AS
    SELECT r.*, gcanalytics.normalize_phone(r.phone, cc) AS phone_e164,
           CASE WHEN o.account_id IS NULL THEN '-infinity'::timestamptz
                ELSE greatest(coalesce(r.system_modstamp, now()), o.valid_from) END AS valid_from
      FROM gca_crm_read r
      LEFT JOIN gcanalytics.crm_account_history o ON o.account_id = r.account_id AND o.valid_to = 'infinity'
     WHERE (o.name, o.tier, o.industry, o.owner, o.ltv, o.phone) IS DISTINCT FROM (r.name, r.tier, r.industry, r.owner, r.ltv, r.phone);
    -- the new starts are read first: Citus runs no UPDATE of a reference
    -- table whose subquery reads a temporary table
    SELECT coalesce(array_agg(c.account_id), '{}'), coalesce(array_agg(c.valid_from), '{}')
      INTO new_ids, new_starts
      FROM gca_crm_new c;
    UPDATE gcanalytics.crm_account_history h SET valid_to = c.valid_from
      FROM unnest(new_ids, new_starts) c (account_id, valid_from)
     WHERE h.account_id = c.account_id AND h.valid_to = 'infinity' AND h.valid_from < c.valid_from;
    INSERT INTO gcanalytics.crm_account_history AS h
           (account_id, valid_from, name, tier, industry, owner, ltv, phone, phone_e164, loaded_at)
    SELECT c.account_id, c.valid_from, c.name, c.tier, c.industry, c.owner, c.ltv, c.phone, c.phone_e164, stamp
      FROM gca_crm_new c
    ON CONFLICT (account_id, valid_from) DO UPDATE
       SET name = excluded.name, tier = excluded.tier, industry = excluded.industry, owner = excluded.owner,
           ltv = excluded.ltv, phone = excluded.phone, phone_e164 = excluded.phone_e164, loaded_at = excluded.loaded_at;
    -- join_quality compares each conversation's tier and industry with its
    -- account's values at its start: those of the conversations from the
    -- new values' start on change (the index on crm_account_id)
    IF cardinality(new_ids) > 0 THEN
        PERFORM gcanalytics._dashboard_changed(ARRAY(
            SELECT DISTINCT (i.conversation_start AT TIME ZONE tz)::date
              FROM unnest(new_ids, new_starts) c (account_id, valid_from)
              JOIN gcanalytics.interactions i
                ON i.crm_account_id OPERATOR(pg_catalog.=) c.account_id
               AND i.conversation_start OPERATOR(pg_catalog.>=) c.valid_from), ARRAY['join_quality']);
    END IF;
    SELECT coalesce(array_agg(r.account_id), '{}') INTO changed
      FROM gca_crm_read r LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = r.account_id
     WHERE (a.name, a.tier, a.industry, a.owner, a.ltv, a.phone) IS DISTINCT FROM (r.name, r.tier, r.industry, r.owner, r.ltv, r.phone);
    -- with tier_reporting current, cx_insights' rollup counts an account's
    -- conversations under its tier today: those of an account whose tier
    -- changed (or that is new) move, on every day it called
    IF gcanalytics.current_tier_reporting() THEN
        SELECT coalesce(array_agg(r.account_id), '{}') INTO retiered
          FROM gca_crm_read r LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = r.account_id
         WHERE a.account_id IS NULL OR a.tier IS DISTINCT FROM r.tier;
        PERFORM gcanalytics._dashboard_changed(ARRAY(
            SELECT DISTINCT (i.conversation_start AT TIME ZONE tz)::date
              FROM gcanalytics.interactions i
             WHERE i.crm_account_id OPERATOR(pg_catalog.=) ANY (retiered)), ARRAY['cx_insights']);
    END IF;
    PERFORM gcanalytics._upsert('gcanalytics.crm_accounts', ARRAY['account_id'], format($q$
        SELECT r.account_id, r.name, r.tier, r.industry, r.owner, r.ltv, r.phone,
               gcanalytics.normalize_phone(r.phone, %L) AS phone_e164,
               coalesce(a.open_case_count, 0) AS open_case_count,
               coalesce(a.open_opportunity_count, 0) AS open_opportunity_count,
               r.system_modstamp
          FROM gca_crm_read r LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = r.account_id $q$, cc));
    -- the open counts are read first: Citus runs no UPDATE of a reference
    -- table whose subquery reads a temporary table
    SELECT coalesce(array_agg(o.account_id), '{}'), coalesce(array_agg(o.cases), '{}'), coalesce(array_agg(o.opportunities), '{}')
      INTO open_ids, open_cases, open_opportunities
      FROM gca_crm_open o;
    WITH counts AS (
        SELECT a.account_id, coalesce(o.cases, 0) AS cases, coalesce(o.opportunities, 0) AS opportunities
          FROM gcanalytics.crm_accounts a
          LEFT JOIN unnest(open_ids, open_cases, open_opportunities) o (account_id, cases, opportunities)
            ON o.account_id OPERATOR(pg_catalog.=) a.account_id),
    upd AS (
        UPDATE gcanalytics.crm_accounts a
           SET open_case_count = c.cases, open_opportunity_count = c.opportunities, loaded_at = stamp
          FROM counts c
         WHERE a.account_id = c.account_id
           AND (a.open_case_count, a.open_opportunity_count) IS DISTINCT FROM (c.cases, c.opportunities)
        RETURNING a.account_id)
    SELECT changed || coalesce(array_agg(account_id), '{}') INTO changed FROM upd;
    -- updated_at says when the CRM was last read, even when nothing changed
    PERFORM gcanalytics._advance_high_water_mark('crm', coalesce(newest, mark));

    -- days of 24 hours (UTC), whatever the session's TimeZone
    cutoff := (SELECT max(conversation_start) FROM gcanalytics.interactions)
              - make_interval(hours => 24 * gcanalytics.setting('crm_relink_days')::int);
    IF cutoff IS NULL THEN
        -- no interaction yet: nothing to enrich again
        RETURN n;
    END IF;
    WITH upd AS (
    UPDATE gcanalytics.interactions i
       SET crm_account_id = n.crm_account_id, crm_link = n.crm_link, customer_tier = n.tier, industry = n.industry,
           account_name = n.name, account_owner = n.owner, ltv = n.ltv, open_case_count = n.open_case_count,
           open_opportunity_count = n.open_opportunity_count, customer_key = n.customer_key, loaded_at = stamp
      FROM (SELECT i2.conversation_id, i2.conversation_start, i2.customer_key AS old_customer_key,
                   i2.crm_account_id AS old_account, i2.customer_tier AS old_tier, i2.industry AS old_industry,
                   i2.ltv AS old_ltv, i2.crm_link AS old_link,
                   coalesce(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END, a.account_id) AS crm_account_id,
                   CASE WHEN i2.crm_link = 'attribute' THEN 'attribute' WHEN a.account_id IS NOT NULL THEN 'phone' END AS crm_link,
                   a.tier, a.industry, a.name, a.owner, a.ltv, oc.open_case_count, oc.open_opportunity_count,
                   coalesce(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END, a.account_id,
                            CASE WHEN i2.originating_direction = 'inbound' THEN gcanalytics.normalize_phone(i2.ani, cc) END) AS customer_key
              FROM gcanalytics.interactions i2
              -- the account of the ANI then (the lowest id when several
              -- shared it) when no attribute names one, and the account's
              -- values when the conversation started (crm_account_history);
              -- the open cases and opportunities are today's: joins, not a
              -- function with parameters, which Citus would not plan
              LEFT JOIN LATERAL (SELECT min(y.account_id) AS account_id FROM gcanalytics.crm_account_history y
                                  WHERE y.phone_e164 OPERATOR(pg_catalog.=) gcanalytics.normalize_phone(i2.ani, cc)
                                    AND y.valid_from OPERATOR(pg_catalog.<=) i2.conversation_start
                                    AND i2.conversation_start OPERATOR(pg_catalog.<) y.valid_to) p
                ON CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END IS NULL
              LEFT JOIN gcanalytics.crm_account_history a
                ON a.account_id OPERATOR(pg_catalog.=) coalesce(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END, p.account_id)
               AND a.valid_from OPERATOR(pg_catalog.<=) i2.conversation_start
               AND i2.conversation_start OPERATOR(pg_catalog.<) a.valid_to
              LEFT JOIN gcanalytics.crm_accounts oc ON oc.account_id OPERATOR(pg_catalog.=) a.account_id
             WHERE i2.conversation_start >= cutoff
               AND (i2.crm_account_id = ANY (changed) OR i2.crm_link IS DISTINCT FROM 'attribute')) n
     WHERE i.conversation_id = n.conversation_id AND i.conversation_start = n.conversation_start
       AND (i.crm_account_id, i.crm_link, i.customer_tier, i.industry, i.account_name, i.account_owner, i.ltv,
            i.open_case_count, i.open_opportunity_count, i.customer_key)
           IS DISTINCT FROM (n.crm_account_id, n.crm_link, n.tier, n.industry, n.name, n.owner, n.ltv,
                             n.open_case_count, n.open_opportunity_count, n.customer_key)
    RETURNING n.old_customer_key, i.customer_key, i.conversation_start, i.conversation_id,
              (n.old_account, n.old_tier, n.old_ltv) IS DISTINCT FROM (i.crm_account_id, i.customer_tier, i.ltv) AS escalation,
              (n.old_account, n.old_industry, n.old_ltv, n.old_customer_key)
                  IS DISTINCT FROM (i.crm_account_id, i.industry, i.ltv, i.customer_key) AS bot_containment,
              (n.old_account, n.old_link, n.old_tier, n.old_industry)
                  IS DISTINCT FROM (i.crm_account_id, i.crm_link, i.customer_tier, i.industry) AS join_quality)
    -- a conversation that changed customer left one place and took another
    SELECT (SELECT coalesce(array_agg(ROW(v.k, u.conversation_start, u.conversation_id)::gcanalytics._contact_place), '{}')
              FROM upd u, LATERAL (VALUES (u.old_customer_key), (u.customer_key)) v(k)
             WHERE u.old_customer_key IS DISTINCT FROM u.customer_key),
           -- the start days of the conversations changed, per rollup that
           -- reads a column changed (README "Incremental refresh")
           (SELECT array_agg(DISTINCT (u.conversation_start AT TIME ZONE tz)::date)
              FROM upd u WHERE u.old_customer_key IS DISTINCT FROM u.customer_key),
           (SELECT array_agg(DISTINCT (u.conversation_start AT TIME ZONE tz)::date) FROM upd u WHERE u.escalation),
           (SELECT array_agg(DISTINCT (u.conversation_start AT TIME ZONE tz)::date) FROM upd u WHERE u.bot_containment),
           (SELECT array_agg(DISTINCT (u.conversation_start AT TIME ZONE tz)::date) FROM upd u WHERE u.join_quality)
      INTO moved, kpi_days, escalation_days, bot_days, join_days;
    PERFORM gcanalytics._dashboard_changed(kpi_days, ARRAY['kpi_daily']);
    -- cx_overview's tier is the escalation views' (account and tier at the
    -- call); cx_insights' the tier reported (at the call, or today's)
    PERFORM gcanalytics._dashboard_changed(escalation_days, ARRAY['escalation', 'cx_overview', 'cx_insights']);
    PERFORM gcanalytics._dashboard_changed(join_days, ARRAY['join_quality']);
    PERFORM gcanalytics._dashboard_changed(bot_days, ARRAY['bot_containment']);
    PERFORM gcanalytics._link_next_contacts(moved);
    RETURN n;
END
$$;

-- A step of run() outside the windows (reference data, CRM, in-progress
-- conversations): its own transaction; a failure is a WARNING and the run
-- goes on (the next run does it again).
CREATE OR REPLACE FUNCTION gcanalytics._run_step_do(step text, reread_from timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    started timestamptz := clock_timestamp();
    n bigint;
    message text;
    state text;
BEGIN
    CASE step
        WHEN 'reference' THEN
            IF NOT gcanalytics._sync_reference() THEN
                RAISE NOTICE 'reference: % queues kept (read % s ago; nothing loaded since names an id they lack)',
                    (SELECT count(*) FROM gcanalytics.queues),
                    (SELECT round(extract(epoch FROM now() - s.updated_at)) FROM gcanalytics.sync_state s
                      WHERE s.resource = 'reference');
                RETURN;
            END IF;
            n := (SELECT count(*) FROM gcanalytics.queues);
        WHEN 'crm' THEN n := gcanalytics._sync_crm();
        WHEN 'in_progress' THEN n := gcanalytics._refresh_in_progress(reread_from);
    END CASE;
    RAISE NOTICE '%: % % in % s', step, n,
        CASE step WHEN 'reference' THEN 'queues' WHEN 'crm' THEN 'accounts read (modified since the last sync)' ELSE 'conversations in progress or awaiting a survey read again' END,
        gcanalytics._seconds_since(started);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
    IF gcanalytics._window_failure_is_fatal(state) THEN
        RAISE;
    END IF;
    RAISE WARNING '% failed (%: %); the next run tries again', step, state, message;
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics._run_step(step text, reread_from timestamptz DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM gcanalytics._run_step_do(step, reread_from);
    COMMIT;
END
$$;

-- _refresh_in_progress(before): conversations loaded while in progress
-- that started before this run's re-read range are read again by id, and
-- the surveys not answered yet (_refresh_surveys()).
CREATE OR REPLACE FUNCTION gcanalytics._refresh_in_progress(before timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ids text[];
    first_start timestamptz;
    last_start timestamptz;
    n bigint;
BEGIN
    SELECT r.ids, r.first_start, r.last_start INTO ids, first_start, last_start
      FROM gcanalytics._reread_selection(before, NULL) r;
    n := gcanalytics._refresh_surveys(before);
    IF ids IS NULL THEN
        RETURN n;
    END IF;
    RETURN n + gcanalytics._upsert_interactions(first_start, last_start + interval '1 millisecond', ids);
END
$$;


-- _crm_configured(): whether a Salesforce server is configured.
CREATE OR REPLACE FUNCTION gcanalytics._crm_configured()
    RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT gcanalytics.setting('salesforce_server') <> '' $$;

CREATE OR REPLACE PROCEDURE gcanalytics.sync_crm()
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM gcanalytics._check_ready();
    IF NOT gcanalytics._crm_configured() THEN
        RAISE EXCEPTION 'no Salesforce server is configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'CALL gcanalytics.configure(genesys_server => ..., salesforce_server => ''salesforce'').';
    END IF;
    IF NOT gcanalytics._load_lock() THEN
        COMMIT;
        PERFORM gcanalytics._load_refused();
        RETURN;
    END IF;
    COMMIT;
    CALL gcanalytics._run_step('crm'::pg_catalog.text);
    PERFORM gcanalytics._load_unlock();
END
$$;
COMMENT ON PROCEDURE gcanalytics.sync_crm() IS
    'load the Accounts changed since the last sync (SystemModstamp), open cases and opportunities, and re-enrich the interactions of changed accounts';

-- _retry_windows(max_attempts): the failed windows with fewer attempts.
CREATE OR REPLACE FUNCTION gcanalytics._retry_windows(max_attempts integer)
    RETURNS TABLE (resource text, window_start timestamptz, window_end timestamptz)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT w.resource, w.window_start, w.window_end FROM gcanalytics.sync_windows w
     WHERE w.status = 'failed' AND w.attempts < max_attempts
     ORDER BY w.resource, w.window_start
$$;

-- _retry(max_attempts): the failed windows with fewer attempts, again.
CREATE OR REPLACE PROCEDURE gcanalytics._retry(max_attempts int, INOUT retried int DEFAULT 0, INOUT still_failed int DEFAULT 0)
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    n pg_catalog.int8;
BEGIN
    retried := 0;
    still_failed := 0;
    FOR w IN SELECT r.resource, r.window_start, r.window_end FROM gcanalytics._retry_windows(max_attempts) r LOOP
        CALL gcanalytics._sync_window(w.resource, w.window_start, w.window_end, n);
        retried := retried OPERATOR(pg_catalog.+) 1;
        IF n IS NULL THEN
            still_failed := still_failed OPERATOR(pg_catalog.+) 1;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.retry_failed()
    LANGUAGE plpgsql
    AS $$
DECLARE
    retried pg_catalog.int4;
    still_failed pg_catalog.int4;
BEGIN
    PERFORM gcanalytics._check_ready();
    PERFORM gcanalytics._aggregates_forget();
    IF NOT gcanalytics._load_lock() THEN
        COMMIT;
        PERFORM gcanalytics._load_refused();
        RETURN;
    END IF;
    COMMIT;
    CALL gcanalytics._retry(2147483647::pg_catalog.int4, retried, still_failed);
    PERFORM gcanalytics._load_unlock();
    RAISE NOTICE 'retry_failed: % window(s) retried, % still failed', retried, still_failed;
END
$$;
COMMENT ON PROCEDURE gcanalytics.retry_failed() IS 'load every window of the dead-letter list (gcanalytics.failed_windows) again';

-- _conversations_final_until(until): how far the conversations loaded up
-- to until are final.  Conversations after the API's data availability
-- date come without participant attributes (only details jobs carry them),
-- so the high-water mark stops there and the next run() reads them again;
-- when the date cannot be read, until (with a WARNING).  A date at or after
-- until seen before (by any session) answers without a request.
CREATE OR REPLACE FUNCTION gcanalytics._conversations_final_until(until timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    available timestamptz;
BEGIN
    available := gcanalytics._data_availability_until(gcanalytics.setting('genesys_server'), until);
    IF available < until THEN
        RAISE NOTICE 'conversations after % (the API''s data availability date) come without participant attributes; the next run reads them again',
            available;
        RETURN available;
    END IF;
    RETURN until;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'could not read the data availability date: %', SQLERRM;
    RETURN until;
END
$$;

-- _explain_conversations_range(since, until, mark, loaded, failed): what
-- run() says about its conversations before it moves their high-water
-- mark to mark: a WARNING when the API's availability date (mark) is far
-- behind the range asked for (before its start, or more than a day behind
-- its end), or when nothing was loaded and the aggregates API counts
-- nothing there either (the range is wrong for the server, e.g. a
-- simulator's "now" far from the machine's); a NOTICE when the first mark
-- lands behind where the first run started (later marks never move back).
CREATE OR REPLACE FUNCTION gcanalytics._explain_conversations_range(since timestamptz, until timestamptz,
                                                                  mark timestamptz, loaded bigint, failed int)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    previous timestamptz := (SELECT s.high_water_mark FROM gcanalytics.sync_state s
                              WHERE s.resource = 'conversations');
    counted bigint;
BEGIN
    IF mark < since
       OR mark < until - interval '1 day' THEN
        RAISE WARNING 'the API''s data availability date % is far behind the range asked for, [%, %)', mark, since, until
            USING DETAIL = 'Genesys serves participant attributes only up to that date; the conversations after it are read again by every run() until it catches up.',
                  HINT = 'Check run()''s until (default now) against the server''s clock: gcsim serves data up to its own "now" unless it runs with --now wall.';
    END IF;
    IF loaded = 0 AND failed = 0 THEN
        BEGIN
            counted := (SELECT coalesce(sum(c.conversations), 0)
                          FROM gcanalytics._conversation_counts(since, until) c);
        EXCEPTION WHEN OTHERS THEN
            counted := NULL;        -- no count, nothing to say
        END;
        IF counted = 0 THEN
            RAISE WARNING 'no conversations in [%, %), and the aggregates API counts none there either', since, until
                USING DETAIL = 'The server has no data in the range this run read.',
                      HINT = 'Check run()''s until (default now) and the setting initial_sync_from against the server''s data; gcsim serves data up to its own "now" unless it runs with --now wall.';
        END IF;
    END IF;
    -- the mark only moves forward (_advance_high_water_mark), but the
    -- first one can land behind where the first run started
    IF previous IS NULL AND mark < since THEN
        RAISE NOTICE 'the conversations'' high-water mark is set to % (the API''s data availability date), behind %, where this first run started',
            mark, since
            USING DETAIL = 'Conversations after the availability date come without participant attributes, so the next run() reads them again from there.';
    END IF;
END
$$;

-- _since(resource, until, reread): where run() starts a resource: the
-- high-water mark less reread, or initial_sync_from for the first run
-- (an interval before until, or a timestamp); whole UTC hours.  In UTC
-- whatever the session's TimeZone: a timestamp without a zone is a UTC
-- one, and a day of an interval 24 hours.
CREATE OR REPLACE FUNCTION gcanalytics._since(state_resource text, until timestamptz, reread interval)
    RETURNS timestamptz
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET TimeZone = 'UTC'
    AS $$
DECLARE
    mark timestamptz := (SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = state_resource);
    initial text := gcanalytics.setting('initial_sync_from');
    start timestamptz;
BEGIN
    IF mark IS NOT NULL THEN
        start := mark - reread;
    ELSIF initial ~ '^\d{4}-' THEN
        start := initial::timestamptz;
    ELSE
        start := until - initial::interval;
    END IF;
    RETURN pg_catalog.date_trunc('hour', least(start, until), 'UTC');
END
$$;


-- The steps of run() between its transactions, each a function with its
-- search_path pinned.

-- _run_begin(): windows left running by a session that ended are failed.
CREATE OR REPLACE FUNCTION gcanalytics._run_begin()
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE gcanalytics.sync_windows
       SET status = 'failed', error = 'interrupted: the session loading this window ended', finished_at = clock_timestamp()
     WHERE status = 'running'
$$;

-- _run_since(resource, until): where run() starts a resource: the
-- conversations, queue metrics and adherence read the lag window again, the
-- evaluations their lookback (but not before the first conversation
-- loaded); queue metrics, adherence and evaluations by whole UTC days, whatever the
-- session's or server's TimeZone.
CREATE OR REPLACE FUNCTION gcanalytics._run_since(resource text, until timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE resource
        WHEN 'conversations' THEN gcanalytics._since('conversations', until, gcanalytics.setting('lag_window')::interval)
        WHEN 'queue_metrics' THEN date_trunc('day', gcanalytics._since('queue_metrics', until, gcanalytics.setting('lag_window')::interval), 'UTC')
        WHEN 'adherence' THEN date_trunc('day', gcanalytics._since('adherence', until, gcanalytics.setting('lag_window')::interval), 'UTC')
        WHEN 'evaluations' THEN
            greatest(date_trunc('day', gcanalytics._since('evaluations', until, gcanalytics.setting('evaluation_lookback')::interval), 'UTC'),
                     (SELECT date_trunc('day', min(w.window_start), 'UTC') FROM gcanalytics.sync_windows w WHERE w.resource = 'conversations'))
    END
$$;

-- _needs_analyze(loaded): autovacuum analyzes the partitions but never the
-- partitioned table, whose statistics plan the dashboards: again once a
-- tenth is new.
CREATE OR REPLACE FUNCTION gcanalytics._needs_analyze(loaded bigint)
    RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT loaded > 0.1 * greatest((SELECT c.reltuples FROM pg_catalog.pg_class c
                                     WHERE c.oid = 'gcanalytics.interactions'::regclass), 0)
$$;

-- _recheck_windows(from, to): the conversation windows of [from, to) that
-- check_window() marked for reloading.
CREATE OR REPLACE FUNCTION gcanalytics._recheck_windows(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    w record;
BEGIN
    FOR w IN SELECT sw.window_start, sw.window_end FROM gcanalytics.sync_windows sw
              WHERE sw.resource = 'conversations' AND sw.recheck AND sw.status = 'done'
                AND sw.window_start >= range_from AND sw.window_end <= range_to
              ORDER BY sw.window_start LOOP
        RAISE NOTICE 'conversations [%, %): loaded volume differs from the aggregates count; loading it again',
            w.window_start, w.window_end;
        window_start := w.window_start;
        window_end := w.window_end;
        RETURN NEXT;
    END LOOP;
END
$$;

-- _recheck_report(from, to): a WARNING when windows still differ after
-- their reload.
CREATE OR REPLACE FUNCTION gcanalytics._recheck_report(range_from timestamptz, range_to timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM gcanalytics.check_window('conversations', range_from, range_to) c WHERE NOT c.ok;
    IF n > 0 THEN
        RAISE WARNING '% conversation window(s) still differ from the aggregates count after reloading', n
            USING HINT = 'See gcanalytics.sync_windows WHERE recheck; the next run() checks them again.';
    END IF;
END
$$;

-- ------------------------------------------------------------ run() workers
-- run() overlaps the steps that do not wait for one another (README "The
-- warehouse", setting run_workers): a step it starts early runs in a
-- dynamic background worker (src/run_workers.c) that connects as this
-- session's user with its settings and runs the step's one CALL, as
-- run() would; run() goes on with its own steps and then joins the worker:
-- the worker's notices and warnings are reported in run()'s session and
-- its error is raised there as the step's.  An error or a cancel of run()
-- terminates the workers it started.  No free worker slot
-- (max_worker_processes), or run_workers false: run() runs the step itself
-- where it joins it.
CREATE OR REPLACE FUNCTION gcanalytics._run_worker_start(step text, command text)
    RETURNS integer
    LANGUAGE c VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'gca_run_worker_start';
COMMENT ON FUNCTION gcanalytics._run_worker_start(text, text) IS
    'run(): a background worker running command (one CALL) for step; NULL when none could be started';
CREATE OR REPLACE FUNCTION gcanalytics._run_worker_wait(worker integer)
    RETURNS void
    LANGUAGE c VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'gca_run_worker_wait';
COMMENT ON FUNCTION gcanalytics._run_worker_wait(integer) IS
    'run(): waits for a worker of _run_worker_start(); reports its notices and raises its error';
CREATE OR REPLACE FUNCTION gcanalytics._in_run_worker()
    RETURNS boolean
    LANGUAGE c STABLE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'gca_in_run_worker';
COMMENT ON FUNCTION gcanalytics._in_run_worker() IS 'whether this session is a run() worker';

-- _run_command(step, from, to): the CALL of a step of run(), every name
-- schema-qualified (a worker runs it with the session's search_path):
-- _run_step(step) without a range, else the daily windows of [from, to).
CREATE OR REPLACE FUNCTION gcanalytics._run_command(step text, range_from timestamptz, range_to timestamptz)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
    SELECT CASE WHEN range_from IS NULL THEN format('CALL gcanalytics._run_step(%L::pg_catalog.text)', step)
                ELSE format('CALL gcanalytics._sync_range(%L::pg_catalog.text, %L::pg_catalog.timestamptz, %L::pg_catalog.timestamptz, ''1 day''::pg_catalog.interval)',
                            step, range_from, range_to) END
$$;

-- _run_start(step, from, to): the worker running the step
-- (_run_command()), NULL when run_workers is false or no worker could be
-- started.
CREATE OR REPLACE FUNCTION gcanalytics._run_start(step text, range_from timestamptz DEFAULT NULL, range_to timestamptz DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT gcanalytics.setting('run_workers')::boolean THEN
        RETURN NULL;
    END IF;
    RETURN gcanalytics._run_worker_start(step, gcanalytics._run_command(step, range_from, range_to));
END
$$;

-- _run_join(worker, step, from, to): waits for the worker of the step, or
-- runs the step here when there is none.
CREATE OR REPLACE PROCEDURE gcanalytics._run_join(worker integer, step text, range_from timestamptz DEFAULT NULL,
                                                  range_to timestamptz DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    -- (what the run counts is in sync_windows: _range_outcome())
    total pg_catalog.int8;
    failed pg_catalog.int4;
BEGIN
    IF worker IS NOT NULL THEN
        PERFORM gcanalytics._run_worker_wait(worker);
    ELSIF range_from IS NULL THEN
        CALL gcanalytics._run_step(step);
    ELSE
        CALL gcanalytics._sync_range(step, range_from, range_to, '1 day'::pg_catalog.interval, total, failed);
    END IF;
    COMMIT;
END
$$;

-- _range_outcome(resource, from, to): the rows loaded and the windows
-- failed of the daily windows of [from, to), as _sync_range() counts them.
CREATE OR REPLACE FUNCTION gcanalytics._range_outcome(resource text, range_from timestamptz, range_to timestamptz,
                                                      OUT total bigint, OUT failed integer)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT coalesce(sum(w.rows) FILTER (WHERE w.status = 'done'), 0)::bigint,
           (count(*) FILTER (WHERE w.status = 'failed'))::integer
      FROM gcanalytics.sync_windows w
     WHERE w.resource = _range_outcome.resource AND w.window_start >= range_from AND w.window_start < range_to
$$;

-- _run_evaluations_since(until, conv_since): where run() starts the
-- evaluations (_run_since()) when it starts them before the conversations'
-- first window is recorded: not before that window's day.
CREATE OR REPLACE FUNCTION gcanalytics._run_evaluations_since(until timestamptz, conv_since timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN conv_since < until
                 AND NOT EXISTS (SELECT 1 FROM gcanalytics.sync_windows w WHERE w.resource = 'conversations')
                THEN greatest(gcanalytics._run_since('evaluations', until), date_trunc('day', conv_since, 'UTC'))
                ELSE gcanalytics._run_since('evaluations', until) END
$$;

-- run(): the whole pipeline since the high-water marks (README "The
-- warehouse"): reference data, CRM, failed windows, conversations (the
-- lag window and in-progress conversations again), evaluations, queue
-- metrics, then check_window() over the conversations loaded and one
-- reload of the windows it marks.
CREATE OR REPLACE PROCEDURE gcanalytics.run(until timestamptz DEFAULT now())
    LANGUAGE plpgsql
    AS $$
DECLARE
    started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
    daily pg_catalog.text;
    conv_since pg_catalog.timestamptz;
    conv_mark pg_catalog.timestamptz;
    eval_since pg_catalog.timestamptz;
    adh_since pg_catalog.timestamptz;
    n pg_catalog.int8;
    failed pg_catalog.int4;
    total_failed pg_catalog.int4 := 0;
    conversations pg_catalog.int8 := 0;
    evaluations pg_catalog.int8 := 0;
    metrics pg_catalog.int8 := 0;
    retried pg_catalog.int4;
    rechecked pg_catalog.int4 := 0;
    crm pg_catalog.bool;
    adherence pg_catalog.bool;
    reference_worker pg_catalog.int4;
    crm_worker pg_catalog.int4;
    evaluations_worker pg_catalog.int4;
    adherence_worker pg_catalog.int4;
    w record;
BEGIN
    PERFORM gcanalytics._check_ready();
    IF NOT gcanalytics._load_lock() THEN
        COMMIT;
        PERFORM gcanalytics._load_refused();
        RETURN;
    END IF;
    PERFORM gcanalytics._run_begin();
    COMMIT;

    -- the reference data and the CRM, in workers (_run_start()) while
    -- this session asks the aggregates and reads the first conversation
    -- window; the conversations' rows need them
    crm := gcanalytics._crm_configured();
    IF crm THEN
        crm_worker := gcanalytics._run_start('crm'::pg_catalog.text);
    END IF;
    conv_since := gcanalytics._run_since('conversations'::pg_catalog.text, until);
    -- one aggregates query for the windows, their check and the queue
    -- metrics: the head of the conversations' chain of requests, asked
    -- before the reference data's (on the same rate budget)
    PERFORM gcanalytics._aggregates_prefetch(
        LEAST(conv_since, gcanalytics._run_since('queue_metrics'::pg_catalog.text, until)), until);
    reference_worker := gcanalytics._run_start('reference'::pg_catalog.text);
    COMMIT;
    -- the availability date (then known to the job's scan), and the first
    -- window's conversations read ahead: their requests are the longest
    -- chain of the run, so it starts them first, with the workers
    conv_mark := gcanalytics._conversations_final_until(until);
    IF reference_worker IS NOT NULL THEN
        PERFORM gcanalytics._conversations_prefetch(conv_since, until);
    END IF;
    COMMIT;

    -- the evaluations and the adherence (daily, each from its own mark to
    -- until) in workers while this session loads the conversations
    eval_since := gcanalytics._run_evaluations_since(until, conv_since);
    evaluations_worker := gcanalytics._run_start('evaluations'::pg_catalog.text, eval_since, until);
    adherence := gcanalytics.setting('load_adherence'::pg_catalog.text)::pg_catalog.bool;
    IF adherence THEN
        adh_since := gcanalytics._run_since('adherence'::pg_catalog.text, until);
        adherence_worker := gcanalytics._run_start('adherence'::pg_catalog.text, adh_since, until);
    END IF;
    COMMIT;
    CALL gcanalytics._run_join(reference_worker, 'reference'::pg_catalog.text);
    IF crm THEN
        CALL gcanalytics._run_join(crm_worker, 'crm'::pg_catalog.text);
    END IF;
    CALL gcanalytics._retry(gcanalytics.setting('max_attempts'::pg_catalog.text)::pg_catalog.int4, retried, total_failed);
    CALL gcanalytics._run_step('in_progress'::pg_catalog.text, conv_since);

    CALL gcanalytics._sync_range('conversations'::pg_catalog.text, conv_since, until, NULL::pg_catalog.interval, conversations, failed);
    PERFORM gcanalytics._conversations_forget();
    total_failed := total_failed OPERATOR(pg_catalog.+) failed;
    PERFORM gcanalytics._explain_conversations_range(conv_since, until, conv_mark, conversations, failed);
    PERFORM gcanalytics._advance_high_water_mark('conversations'::pg_catalog.text, conv_mark);
    COMMIT;
    IF gcanalytics._needs_analyze(conversations) THEN
        ANALYZE gcanalytics.interactions;
        COMMIT;
    END IF;

    FOREACH daily IN ARRAY ARRAY['evaluations', 'queue_metrics', 'adherence']::pg_catalog.text[] LOOP
        IF daily OPERATOR(pg_catalog.=) 'evaluations' THEN
            CALL gcanalytics._run_join(evaluations_worker, daily, eval_since, until);
            IF evaluations_worker IS NOT NULL THEN
                -- a worker leaves the QA scores to this session (_load_evaluations())
                PERFORM gcanalytics._update_qa_scores(eval_since, until, NULL::pg_catalog.text[], pg_catalog.clock_timestamp());
            END IF;
            SELECT o.total, o.failed INTO n, failed
              FROM gcanalytics._range_outcome('evaluations'::pg_catalog.text, eval_since, until) o;
            evaluations := n;
        ELSIF daily OPERATOR(pg_catalog.=) 'queue_metrics' THEN
            CALL gcanalytics._sync_range(daily, gcanalytics._run_since(daily, until), until,
                                         '1 day'::pg_catalog.interval, n, failed);
            metrics := n;
        ELSE
            CONTINUE WHEN NOT adherence;
            CALL gcanalytics._run_join(adherence_worker, daily, adh_since, until);
            SELECT o.failed INTO failed FROM gcanalytics._range_outcome('adherence'::pg_catalog.text, adh_since, until) o;
        END IF;
        total_failed := total_failed OPERATOR(pg_catalog.+) failed;
        PERFORM gcanalytics._advance_high_water_mark(daily, until);
    END LOOP;
    COMMIT;

    -- validation: reload once what the aggregates count disagrees with
    PERFORM gcanalytics.check_window('conversations'::pg_catalog.text, conv_since, until);
    COMMIT;
    FOR w IN SELECT r.window_start, r.window_end FROM gcanalytics._recheck_windows(conv_since, until) r LOOP
        CALL gcanalytics._sync_window('conversations'::pg_catalog.text, w.window_start, w.window_end, n);
        rechecked := rechecked OPERATOR(pg_catalog.+) 1;
    END LOOP;
    IF rechecked OPERATOR(pg_catalog.>) 0 THEN
        PERFORM gcanalytics._recheck_report(conv_since, until);
        COMMIT;
    END IF;

    PERFORM gcanalytics._aggregates_forget();
    PERFORM gcanalytics._load_unlock();
    RAISE NOTICE 'gcanalytics.run: % conversations, % evaluations, % queue metric rows; % window(s) reloaded after validation, % failed (gcanalytics.failed_windows); % s',
        conversations, evaluations, metrics, rechecked, total_failed, gcanalytics._seconds_since(started);
END
$$;
COMMENT ON PROCEDURE gcanalytics.run(timestamptz) IS
    'the whole load since the high-water marks up to until (default now), committed window by window, then validated against the aggregates';
