-- The load procedures (README "The warehouse").  They COMMIT after each
-- window, so they must be CALLed outside an explicit transaction block;
-- for the same reason they carry no SET clause and no SECURITY DEFINER,
-- and name every object with its schema.  One load at a time per
-- database: the public procedures take a session-level advisory lock.

-- _load_lock(): takes the load lock of this database; false (with a
-- NOTICE naming the process that holds it) when another session holds
-- it.  A hold of this very session can only be left over from a load that
-- was cancelled, and is released first.
CREATE OR REPLACE FUNCTION gcanalytics._load_lock()
    RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    holder int;
BEGIN
    WHILE EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                   WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                     AND l.classid = 0 AND l.objid = 747474 AND l.objsubid = 1
                     AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())) LOOP
        PERFORM pg_advisory_unlock(747474);
    END LOOP;
    IF pg_try_advisory_lock(747474) THEN
        RETURN true;
    END IF;
    SELECT l.pid INTO holder FROM pg_catalog.pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = 747474 AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
     LIMIT 1;
    RAISE NOTICE 'another gcanalytics load is running (process %); this one returns without loading', holder
        USING HINT = 'Overlapping schedules are harmless: the running load covers the same ground.';
    RETURN false;
END
$$;

-- _window_failure_is_fatal(sqlstate): errors that every other window
-- would meet as well (credentials, privileges, configuration) stop the
-- load instead of filling the dead-letter list.
CREATE OR REPLACE FUNCTION gcanalytics._window_failure_is_fatal(state text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT left(state, 2) IN ('28', '42', '3F', '0A') OR state IN ('HV00D', 'HV00N', '55000', '57P01', '57P02', '57P03') $$;

-- _sync_window(resource, from, to): loads one window in a transaction of
-- its own and records it in sync_windows: running (committed first, so
-- progress is visible), then done with its rows, or failed with the error
-- and the attempt count while the load goes on.  Returns the rows, NULL
-- when the window failed.
CREATE OR REPLACE PROCEDURE gcanalytics._sync_window(resource text, range_from timestamptz, range_to timestamptz,
                                          INOUT loaded bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    started timestamptz := clock_timestamp();
    message text;
    state text;
    fatal boolean := false;
BEGIN
    INSERT INTO gcanalytics.sync_windows AS w (resource, window_start, window_end, status, attempts, started_at)
    VALUES (resource, range_from, range_to, 'running', 1, started)
    ON CONFLICT ON CONSTRAINT sync_windows_pkey DO UPDATE
       SET window_end = EXCLUDED.window_end, status = 'running', attempts = w.attempts + 1,
           started_at = EXCLUDED.started_at, error = NULL, error_sqlstate = NULL;
    COMMIT;
    loaded := NULL;
    BEGIN
        loaded := gcanalytics._load_window(resource, range_from, range_to);
        UPDATE gcanalytics.sync_windows w
           SET status = 'done', rows = loaded, finished_at = clock_timestamp(),
               seconds = extract(epoch FROM clock_timestamp() - started), recheck = false
         WHERE w.resource = _sync_window.resource AND w.window_start = range_from;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        fatal := gcanalytics._window_failure_is_fatal(state);
        UPDATE gcanalytics.sync_windows w
           SET status = 'failed', error = message, error_sqlstate = state, finished_at = clock_timestamp(),
               seconds = extract(epoch FROM clock_timestamp() - started)
         WHERE w.resource = _sync_window.resource AND w.window_start = range_from;
        loaded := NULL;
    END;
    COMMIT;
    IF fatal THEN
        RAISE EXCEPTION 'loading % [%, %) failed: %', resource, range_from, range_to, message
            USING ERRCODE = state,
                  HINT = 'This error would stop every window, so the load stops; the window is in gcanalytics.failed_windows.';
    ELSIF loaded IS NULL THEN
        RAISE WARNING 'loading % [%, %) failed (%: %); recorded in gcanalytics.failed_windows, the load goes on',
            resource, range_from, range_to, state, message;
    ELSE
        RAISE NOTICE '% [%, %): % rows in % s', resource, range_from, range_to, loaded,
            round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
    END IF;
END
$$;

-- _sync_range(resource, from, to, window): [from, to) window by window:
-- fixed windows when window is given, else conversation windows planned
-- from the aggregates count (other resources: one day).
CREATE OR REPLACE PROCEDURE gcanalytics._sync_range(resource text, range_from timestamptz, range_to timestamptz,
                                         window_length interval, INOUT total bigint DEFAULT 0,
                                         INOUT failed int DEFAULT 0)
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    n bigint;
    in_a_row int := 0;
BEGIN
    total := 0;
    failed := 0;
    IF range_from >= range_to THEN
        RETURN;
    END IF;
    FOR w IN
        SELECT p.window_start, p.window_end FROM gcanalytics._plan_windows(range_from, range_to) p
         WHERE window_length IS NULL AND resource = 'conversations'
        UNION ALL
        -- fixed windows step in UTC: a day added to a timestamptz follows
        -- the session's TimeZone across a DST change
        SELECT g AT TIME ZONE 'UTC', least((g + coalesce(window_length, interval '1 day')) AT TIME ZONE 'UTC', range_to)
          FROM generate_series(range_from AT TIME ZONE 'UTC', (range_to AT TIME ZONE 'UTC') - interval '1 microsecond',
                               coalesce(window_length, interval '1 day')) g
         WHERE window_length IS NOT NULL OR resource <> 'conversations'
        ORDER BY 1 LOOP
        CALL gcanalytics._sync_window(resource, w.window_start, w.window_end, n);
        IF n IS NULL THEN
            failed := failed + 1;
            in_a_row := in_a_row + 1;
            -- the API is down or refuses us: stop before the high-water
            -- mark moves, the next run starts here again
            IF in_a_row >= 3 THEN
                RAISE EXCEPTION '% windows of % failed in a row; the load stops', in_a_row, resource
                    USING ERRCODE = 'fdw_error',
                          DETAIL = (SELECT format('Last error: %s', error) FROM gcanalytics.sync_windows sw
                                     WHERE sw.resource = _sync_range.resource AND sw.window_start = w.window_start),
                          HINT = 'See gcanalytics.failed_windows; the next run() starts from the same high-water mark.';
            END IF;
        ELSE
            total := total + n;
            in_a_row := 0;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._advance_high_water_mark(state_resource text, mark timestamptz)
    RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO gcanalytics.sync_state AS s (resource, high_water_mark, updated_at)
    VALUES (state_resource, mark, clock_timestamp())
    ON CONFLICT (resource) DO UPDATE
       SET high_water_mark = greatest(s.high_water_mark, EXCLUDED.high_water_mark), updated_at = EXCLUDED.updated_at
$$;

-- The public sync procedures: one resource over [since, until).
CREATE OR REPLACE PROCEDURE gcanalytics._sync_public(resource text, since timestamptz, until timestamptz, window_length interval)
    LANGUAGE plpgsql
    AS $$
DECLARE
    total bigint;
    failed int;
    started timestamptz := clock_timestamp();
BEGIN
    IF since IS NULL OR until IS NULL OR since >= until THEN
        RAISE EXCEPTION 'sync of % needs since < until', resource
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('since %s, until %s', since, until);
    END IF;
    IF NOT gcanalytics._load_lock() THEN
        RETURN;
    END IF;
    PERFORM gcanalytics._check_ready();
    CALL gcanalytics._sync_range(resource, since, until, window_length, total, failed);
    PERFORM gcanalytics._advance_high_water_mark(resource, until);
    PERFORM pg_advisory_unlock(747474);
    RAISE NOTICE 'sync %: % rows, % failed window(s) in % s', resource, total, failed,
        round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.sync_conversations(since timestamptz, until timestamptz, "window" interval DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('conversations', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_conversations(timestamptz, timestamptz, interval) IS
    'load the conversations started in [since, until) into interactions, window by window (NULL window: sized from the aggregates count)';

CREATE OR REPLACE PROCEDURE gcanalytics.sync_evaluations(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('evaluations', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_evaluations(timestamptz, timestamptz, interval) IS
    'load the evaluations of the conversations started in [since, until), window by window';

CREATE OR REPLACE PROCEDURE gcanalytics.sync_queue_metrics(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('queue_metrics', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_queue_metrics(timestamptz, timestamptz, interval) IS
    'load hourly and daily aggregates per queue and media type for [since, until), window by window';

-- _sync_reference(): queues, users and wrap-up codes replaced whole.
CREATE OR REPLACE FUNCTION gcanalytics._sync_reference()
    RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
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
    DELETE FROM gcanalytics.queues q WHERE NOT EXISTS (SELECT 1 FROM gca_ref_queues r WHERE r.id = q.queue_id);
    DELETE FROM gcanalytics.users u WHERE NOT EXISTS (SELECT 1 FROM gca_ref_users r WHERE r.id = u.user_id);
    DELETE FROM gcanalytics.wrapup_codes w WHERE NOT EXISTS (SELECT 1 FROM gca_ref_wrapups r WHERE r.id = w.wrapup_code);
END
$$;
COMMENT ON TABLE gcanalytics.queues IS 'Genesys routing queues (id, name), replaced whole by each run()';
COMMENT ON TABLE gcanalytics.users IS 'Genesys users (agents, evaluators), replaced whole by each run()';
COMMENT ON TABLE gcanalytics.wrapup_codes IS 'Genesys wrap-up codes (id, name), replaced whole by each run()';

-- _crm_match(attribute account, ANI in E.164): the CRM account of a
-- conversation: the sfAccountId attribute's, else the one whose phone is
-- the ANI (the lowest id when several share it).
CREATE OR REPLACE FUNCTION gcanalytics._crm_match(attr_account text, ani_e164 text)
    RETURNS SETOF gcanalytics.crm_accounts
    LANGUAGE sql STABLE
    AS $$
    (SELECT x.* FROM gcanalytics.crm_accounts x WHERE x.account_id = attr_account)
    UNION ALL
    (SELECT x.* FROM gcanalytics.crm_accounts x
      WHERE attr_account IS NULL AND x.phone_e164 = ani_e164 ORDER BY x.account_id LIMIT 1)
$$;

-- _sync_crm(): Accounts modified since the CRM high-water mark (>=, as
-- several may share its millisecond; the upsert makes the overlap
-- harmless), every account's open cases and opportunities, then the
-- interactions of the last crm_relink_days (before the newest loaded)
-- whose account changed or that were not linked through the attribute are
-- enriched again; first the Cases and Opportunities, whole
-- (_sync_crm_pipeline()).  Returns the accounts read.
CREATE OR REPLACE FUNCTION gcanalytics._sync_crm()
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    mark timestamptz := (SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'crm');
    cc text := gcanalytics.setting('default_country_code');
    cutoff timestamptz;
    n bigint;
    newest timestamptz;
    changed text[];
    moved gcanalytics._contact_place[];
BEGIN
    PERFORM gcanalytics._sync_crm_pipeline();
    CREATE TEMP TABLE gca_crm_read ON COMMIT DROP AS
    SELECT a.account_id, a.name, a.tier, a.industry, a.owner, a.ltv, a.phone, a.system_modstamp
      FROM gcanalytics_source.crm_account a
     WHERE mark IS NULL OR a.system_modstamp >= mark;
    CREATE TEMP TABLE gca_crm_open ON COMMIT DROP AS
    SELECT account_id, sum(cases)::int AS cases, sum(opportunities)::int AS opportunities
      FROM (SELECT c.account_id, 1 AS cases, 0 AS opportunities
              FROM gcanalytics_source.crm_open_case c WHERE c.is_closed = false AND c.account_id IS NOT NULL
            UNION ALL
            SELECT o.account_id, 0, 1
              FROM gcanalytics_source.crm_open_opportunity o WHERE o.is_closed = false AND o.account_id IS NOT NULL) x
     GROUP BY account_id;
    SELECT count(*), max(system_modstamp) INTO n, newest FROM gca_crm_read;
    SELECT coalesce(array_agg(r.account_id), '{}') INTO changed
      FROM gca_crm_read r LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = r.account_id
     WHERE (a.name, a.tier, a.industry, a.owner, a.ltv, a.phone) IS DISTINCT FROM (r.name, r.tier, r.industry, r.owner, r.ltv, r.phone);
    PERFORM gcanalytics._upsert('gcanalytics.crm_accounts', ARRAY['account_id'], format($q$
        SELECT r.account_id, r.name, r.tier, r.industry, r.owner, r.ltv, r.phone,
               gcanalytics.normalize_phone(r.phone, %L) AS phone_e164,
               coalesce(a.open_case_count, 0) AS open_case_count,
               coalesce(a.open_opportunity_count, 0) AS open_opportunity_count,
               r.system_modstamp
          FROM gca_crm_read r LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = r.account_id $q$, cc));
    WITH counts AS (
        SELECT a.account_id, coalesce(o.cases, 0) AS cases, coalesce(o.opportunities, 0) AS opportunities
          FROM gcanalytics.crm_accounts a LEFT JOIN gca_crm_open o ON o.account_id = a.account_id),
    upd AS (
        UPDATE gcanalytics.crm_accounts a
           SET open_case_count = c.cases, open_opportunity_count = c.opportunities, loaded_at = clock_timestamp()
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
    WITH upd AS (
    UPDATE gcanalytics.interactions i
       SET crm_account_id = n.crm_account_id, crm_link = n.crm_link, customer_tier = n.tier, industry = n.industry,
           account_name = n.name, account_owner = n.owner, ltv = n.ltv, open_case_count = n.open_case_count,
           open_opportunity_count = n.open_opportunity_count, customer_key = n.customer_key, loaded_at = clock_timestamp()
      FROM (SELECT i2.conversation_id, i2.conversation_start, i2.customer_key AS old_customer_key,
                   coalesce(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END, a.account_id) AS crm_account_id,
                   CASE WHEN i2.crm_link = 'attribute' THEN 'attribute' WHEN a.account_id IS NOT NULL THEN 'phone' END AS crm_link,
                   a.tier, a.industry, a.name, a.owner, a.ltv, a.open_case_count, a.open_opportunity_count,
                   coalesce(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END, a.account_id,
                            CASE WHEN i2.originating_direction = 'inbound' THEN gcanalytics.normalize_phone(i2.ani, cc) END) AS customer_key
              FROM gcanalytics.interactions i2
              LEFT JOIN LATERAL gcanalytics._crm_match(CASE WHEN i2.crm_link = 'attribute' THEN i2.crm_account_id END,
                                                       gcanalytics.normalize_phone(i2.ani, cc)) a ON true
             WHERE i2.conversation_start >= cutoff
               AND (i2.crm_account_id = ANY (changed) OR i2.crm_link IS DISTINCT FROM 'attribute')) n
     WHERE i.conversation_id = n.conversation_id AND i.conversation_start = n.conversation_start
       AND (i.crm_account_id, i.crm_link, i.customer_tier, i.industry, i.account_name, i.account_owner, i.ltv,
            i.open_case_count, i.open_opportunity_count, i.customer_key)
           IS DISTINCT FROM (n.crm_account_id, n.crm_link, n.tier, n.industry, n.name, n.owner, n.ltv,
                             n.open_case_count, n.open_opportunity_count, n.customer_key)
    RETURNING n.old_customer_key, i.customer_key, i.conversation_start, i.conversation_id)
    -- a conversation that changed customer left one place and took another
    SELECT coalesce(array_agg(ROW(v.k, u.conversation_start, u.conversation_id)::gcanalytics._contact_place), '{}')
      INTO moved
      FROM upd u, LATERAL (VALUES (u.old_customer_key), (u.customer_key)) v(k)
     WHERE u.old_customer_key IS DISTINCT FROM u.customer_key;
    PERFORM gcanalytics._link_next_contacts(moved);
    RETURN n;
END
$$;

-- A step of run() outside the windows (reference data, CRM, in-progress
-- conversations): its own transaction; a failure is a WARNING, recorded
-- in sync_state, and the run goes on (the next run does it again).
CREATE OR REPLACE PROCEDURE gcanalytics._run_step(step text, reread_from timestamptz DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    started timestamptz := clock_timestamp();
    n bigint;
    message text;
    state text;
BEGIN
    BEGIN
        CASE step
            WHEN 'reference' THEN PERFORM gcanalytics._sync_reference(); n := (SELECT count(*) FROM gcanalytics.queues);
            WHEN 'crm' THEN n := gcanalytics._sync_crm();
            WHEN 'in_progress' THEN n := gcanalytics._refresh_in_progress(reread_from);
        END CASE;
        RAISE NOTICE '%: % % in % s', step, n,
            CASE step WHEN 'reference' THEN 'queues' WHEN 'crm' THEN 'accounts read (modified since the last sync)' ELSE 'conversations in progress or awaiting a survey read again' END, round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        IF gcanalytics._window_failure_is_fatal(state) THEN
            RAISE;
        END IF;
        RAISE WARNING '% failed (%: %); the next run tries again', step, state, message;
    END;
    COMMIT;
END
$$;

-- _refresh_in_progress(before): conversations loaded while in progress
-- that started before this run's re-read range are read again by id, and
-- the surveys not answered yet (_refresh_surveys()).
CREATE OR REPLACE FUNCTION gcanalytics._refresh_in_progress(before timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids text[];
    first_start timestamptz;
    last_start timestamptz;
    n bigint;
BEGIN
    SELECT array_agg(conversation_id), min(conversation_start), max(conversation_start)
      INTO ids, first_start, last_start
      FROM gcanalytics.interactions
     WHERE in_progress AND conversation_start < before;
    n := gcanalytics._refresh_surveys(before);
    IF ids IS NULL THEN
        RETURN n;
    END IF;
    RETURN n + gcanalytics._upsert_interactions(first_start, last_start + interval '1 millisecond', ids);
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.sync_crm()
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT gcanalytics._load_lock() THEN
        RETURN;
    END IF;
    PERFORM gcanalytics._check_ready();
    IF gcanalytics.setting('salesforce_server') = '' THEN
        PERFORM pg_advisory_unlock(747474);
        RAISE EXCEPTION 'no Salesforce server is configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'CALL gcanalytics.configure(genesys_server => ..., salesforce_server => ''salesforce'').';
    END IF;
    CALL gcanalytics._run_step('crm');
    PERFORM pg_advisory_unlock(747474);
END
$$;
COMMENT ON PROCEDURE gcanalytics.sync_crm() IS
    'load the Accounts changed since the last sync (SystemModstamp), open cases and opportunities, and re-enrich the interactions of changed accounts';

-- _retry(max_attempts): the failed windows with fewer attempts, again.
CREATE OR REPLACE PROCEDURE gcanalytics._retry(max_attempts int, INOUT retried int DEFAULT 0, INOUT still_failed int DEFAULT 0)
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    n bigint;
BEGIN
    retried := 0;
    still_failed := 0;
    FOR w IN SELECT resource, window_start, window_end FROM gcanalytics.sync_windows
              WHERE status = 'failed' AND attempts < max_attempts
              ORDER BY resource, window_start LOOP
        CALL gcanalytics._sync_window(w.resource, w.window_start, w.window_end, n);
        retried := retried + 1;
        IF n IS NULL THEN
            still_failed := still_failed + 1;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.retry_failed()
    LANGUAGE plpgsql
    AS $$
DECLARE
    retried int;
    still_failed int;
BEGIN
    IF NOT gcanalytics._load_lock() THEN
        RETURN;
    END IF;
    PERFORM gcanalytics._check_ready();
    CALL gcanalytics._retry(2147483647, retried, still_failed);
    PERFORM pg_advisory_unlock(747474);
    RAISE NOTICE 'retry_failed: % window(s) retried, % still failed', retried, still_failed;
END
$$;
COMMENT ON PROCEDURE gcanalytics.retry_failed() IS 'load every window of the dead-letter list (gcanalytics.failed_windows) again';

-- _conversations_final_until(until): how far the conversations loaded up
-- to until are final.  Conversations after the API's data availability
-- date come without participant attributes (only details jobs carry them),
-- so the high-water mark stops there and the next run() reads them again;
-- when the date cannot be read, until (with a WARNING).
CREATE OR REPLACE FUNCTION gcanalytics._conversations_final_until(until timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql
    AS $$
DECLARE
    available timestamptz;
BEGIN
    available := gcanalytics.data_availability(gcanalytics.setting('genesys_server'));
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

-- run(): the whole pipeline since the high-water marks (README "The
-- warehouse"): reference data, CRM, failed windows, conversations (the
-- lag window and in-progress conversations again), evaluations, queue
-- metrics, then check_window() over the conversations loaded and one
-- reload of the windows it marks.
CREATE OR REPLACE PROCEDURE gcanalytics.run(until timestamptz DEFAULT now())
    LANGUAGE plpgsql
    AS $$
DECLARE
    started timestamptz := clock_timestamp();
    lag interval;
    conv_since timestamptz;
    eval_since timestamptz;
    metrics_since timestamptz;
    n bigint;
    failed int;
    total_failed int := 0;
    conversations bigint := 0;
    evaluations bigint := 0;
    metrics bigint := 0;
    retried int;
    still_failed int;
    rechecked int := 0;
    conv_mark timestamptz;
    w record;
BEGIN
    IF NOT gcanalytics._load_lock() THEN
        RETURN;
    END IF;
    BEGIN
        PERFORM gcanalytics._check_ready();
    EXCEPTION WHEN OTHERS THEN
        PERFORM pg_advisory_unlock(747474);
        RAISE;
    END;
    lag := gcanalytics.setting('lag_window')::interval;
    UPDATE gcanalytics.sync_windows
       SET status = 'failed', error = 'interrupted: the session loading this window ended', finished_at = clock_timestamp()
     WHERE status = 'running';
    COMMIT;

    CALL gcanalytics._run_step('reference');
    IF gcanalytics.setting('salesforce_server') <> '' THEN
        CALL gcanalytics._run_step('crm');
    END IF;
    CALL gcanalytics._retry(gcanalytics.setting('max_attempts')::int, retried, still_failed);
    total_failed := still_failed;

    conv_since := gcanalytics._since('conversations', until, lag);
    CALL gcanalytics._run_step('in_progress', conv_since);
    conv_mark := gcanalytics._conversations_final_until(until);
    CALL gcanalytics._sync_range('conversations', conv_since, until, NULL, conversations, failed);
    total_failed := total_failed + failed;
    PERFORM gcanalytics._explain_conversations_range(conv_since, until, conv_mark, conversations, failed);
    PERFORM gcanalytics._advance_high_water_mark('conversations', conv_mark);
    COMMIT;
    -- autovacuum analyzes the partitions but never the partitioned table,
    -- whose statistics plan the dashboards: again once a tenth is new
    IF conversations > 0.1 * greatest((SELECT c.reltuples FROM pg_class c
                                       WHERE c.oid = 'gcanalytics.interactions'::regclass), 0) THEN
        ANALYZE gcanalytics.interactions;
        COMMIT;
    END IF;

    -- evaluations arrive and change after their conversation: the
    -- lookback is read again, but not before the first conversation loaded
    -- (UTC days, whatever the session's or server's TimeZone)
    eval_since := greatest(pg_catalog.date_trunc('day', gcanalytics._since('evaluations', until, gcanalytics.setting('evaluation_lookback')::interval), 'UTC'),
                           (SELECT pg_catalog.date_trunc('day', min(window_start), 'UTC') FROM gcanalytics.sync_windows WHERE resource = 'conversations'));
    CALL gcanalytics._sync_range('evaluations', eval_since, until, interval '1 day', evaluations, failed);
    total_failed := total_failed + failed;
    PERFORM gcanalytics._advance_high_water_mark('evaluations', until);
    metrics_since := pg_catalog.date_trunc('day', gcanalytics._since('queue_metrics', until, lag), 'UTC');
    CALL gcanalytics._sync_range('queue_metrics', metrics_since, until, interval '1 day', metrics, failed);
    total_failed := total_failed + failed;
    PERFORM gcanalytics._advance_high_water_mark('queue_metrics', until);
    COMMIT;

    -- validation: reload once what the aggregates count disagrees with
    PERFORM gcanalytics.check_window('conversations', conv_since, until);
    COMMIT;
    FOR w IN SELECT window_start, window_end FROM gcanalytics.sync_windows
              WHERE resource = 'conversations' AND recheck AND status = 'done'
                AND window_start >= conv_since AND window_end <= until
              ORDER BY window_start LOOP
        RAISE NOTICE 'conversations [%, %): loaded volume differs from the aggregates count; loading it again',
            w.window_start, w.window_end;
        CALL gcanalytics._sync_window('conversations', w.window_start, w.window_end, n);
        rechecked := rechecked + 1;
    END LOOP;
    IF rechecked > 0 THEN
        SELECT count(*) INTO n FROM gcanalytics.check_window('conversations', conv_since, until) c WHERE NOT c.ok;
        IF n > 0 THEN
            RAISE WARNING '% conversation window(s) still differ from the aggregates count after reloading', n
                USING HINT = 'See gcanalytics.sync_windows WHERE recheck; the next run() checks them again.';
        END IF;
        COMMIT;
    END IF;

    PERFORM pg_advisory_unlock(747474);
    RAISE NOTICE 'gcanalytics.run: % conversations, % evaluations, % queue metric rows; % window(s) reloaded after validation, % failed (gcanalytics.failed_windows); % s',
        conversations, evaluations, metrics, rechecked, total_failed,
        round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
END
$$;
COMMENT ON PROCEDURE gcanalytics.run(timestamptz) IS
    'the whole load since the high-water marks up to until (default now), committed window by window, then validated against the aggregates';

CREATE OR REPLACE FUNCTION gcanalytics.data_availability(server name)
    RETURNS timestamptz
    LANGUAGE C STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'gcanalytics_data_availability';
COMMENT ON FUNCTION gcanalytics.data_availability(name) IS
    'the Genesys server''s dataAvailabilityDate: details jobs (and participant attributes) hold conversations up to it';

