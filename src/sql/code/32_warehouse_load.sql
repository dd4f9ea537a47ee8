-- Loading one window of one resource (README "The warehouse"): plain
-- functions, no transaction control; the procedures of 33_warehouse_run.sql
-- call them one window per transaction.

-- _partition_months(from, to): the monthly partitions of interactions
-- that [from, to) touches (interactions_YYYY_MM, UTC months), with their
-- bounds.
CREATE OR REPLACE FUNCTION gcanalytics._partition_months(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (partition_name text, month_from timestamptz, month_to timestamptz)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT 'interactions_' || to_char(m, 'YYYY_MM'), m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC'
      FROM generate_series(date_trunc('month', range_from AT TIME ZONE 'UTC'),
                           (range_to AT TIME ZONE 'UTC') - interval '1 microsecond', interval '1 month') m
$$;

-- _ensure_partitions(from, to): the monthly partitions of interactions
-- that [from, to) touches exist.
CREATE OR REPLACE FUNCTION gcanalytics._ensure_partitions(range_from timestamptz, range_to timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM gcanalytics._partition_months(range_from, range_to) LOOP
        IF pg_catalog.to_regclass('gcanalytics.' OPERATOR(pg_catalog.||) p.partition_name) IS NULL THEN
            EXECUTE pg_catalog.format('CREATE TABLE gcanalytics.%I PARTITION OF gcanalytics.interactions FOR VALUES FROM (%L) TO (%L)',
                           p.partition_name, p.month_from, p.month_to);
        END IF;
    END LOOP;
END
$$;

-- _upsert(target, keys, source, derived): inserts the rows of the query
-- source (which names every column of target but loaded_at and the derived
-- ones, which the caller keeps) into target; a row whose key exists is
-- updated only when a value differs, so that loading the same data again
-- changes nothing (loaded_at included).  Returns the rows of source and
-- the rows inserted or changed.
CREATE OR REPLACE FUNCTION gcanalytics._upsert(target regclass, keys text[], source text, derived text[] DEFAULT '{}',
                                    OUT source_rows bigint, OUT changed_rows bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    cols text[];
    vals text[];
    -- one timestamp for every row written, taken here (on a Citus
    -- coordinator, not on the workers), which _upsert_interactions compares with
    stamp timestamptz := clock_timestamp();
BEGIN
    SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum)
      INTO cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname <> 'loaded_at' AND NOT a.attname = ANY (keys) AND NOT a.attname = ANY (derived);
    SELECT array_agg(format('%s = EXCLUDED.%s', c, c)) INTO vals FROM unnest(cols) c;
    EXECUTE format(
        'WITH s AS MATERIALIZED (%s),
              u AS (INSERT INTO %s AS t (%s, %s, loaded_at)
                    SELECT %s, %s, %L::timestamptz FROM s
                    ON CONFLICT (%s) DO UPDATE SET %s, loaded_at = EXCLUDED.loaded_at
                    WHERE (%s) IS DISTINCT FROM (%s)
                    RETURNING 1)
         SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM u)',
        source, target,
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(cols, ', '),
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(cols, ', '), stamp,
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(vals, ', '),
        array_to_string(ARRAY(SELECT 't.' || c FROM unnest(cols) c), ', '),
        array_to_string(ARRAY(SELECT 'EXCLUDED.' || c FROM unnest(cols) c), ', '))
      INTO source_rows, changed_rows;
END
$$;

-- The values of one conversation taken from its detail record, once per
-- conversation loaded: C (src/kpi/load_rows.c), which walks the jsonb once
-- where these were SQL queries over jsonb_array_elements() (~0.35 ms a
-- conversation for _queue_entries() alone); same results, NULLs and errors
-- included (the suite load_rows compares them with the SQL they replace).

-- _agent_talk_ms(raw): the longest talk of one agent (ms, closed interact
-- segments of its agent participants summed by user), 0 without agent.
CREATE OR REPLACE FUNCTION gcanalytics._agent_talk_ms(raw jsonb)
    RETURNS bigint
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'gca_agent_talk_ms';

-- _bot_only(raw, ended): ended inside a bot flow, no queue, no agent.
CREATE OR REPLACE FUNCTION gcanalytics._bot_only(raw jsonb, ended boolean)
    RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'gca_bot_only';

-- _queue_entries(raw): the conversation's queue entries, one per ACD
-- session (with a queue) in order of entry, from the detail record's
-- session metrics, the observations Genesys's aggregates count:
-- offered_at = nOffered's emitDate, wait_ms = tAcd, abandoned_at =
-- tAbandon's emitDate; answered_at, answer_ms = the tAnswered of the first
-- agent session of that queue that starts at or after the entry (never one
-- an earlier entry took), with that session's agent and tHandle.  An agent
-- session answered (tAnswered) without an entry of its queue before it (a
-- consult transfer straight to an agent) is an entry of its own without
-- offered_at.  (Each answer goes to the latest entry of its queue that
-- started at or before it and was not abandoned; an entry keeps the
-- earliest of its answers, the others are entries of their own; entries
-- in order of their sessions' first segmentStart, then of participant and
-- session.)
CREATE OR REPLACE FUNCTION gcanalytics._queue_entries(raw jsonb)
    RETURNS gcanalytics.queue_entry[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'gca_queue_entries';

-- _self_service(raw, ended): the self-service flow the conversation
-- entered ('bot' for a bot flow, 'ivr' for an IVR; NULL for none), whether
-- it ended there (a flow, no queue, no agent: contained), and whether the
-- flow handed it to an agent (a flow, then an agent participant).
CREATE OR REPLACE FUNCTION gcanalytics._self_service(raw jsonb, ended boolean,
                                          OUT flow text, OUT contained boolean, OUT handed_off boolean)
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'gca_self_service';

-- The escalation rules resolved to ids once per window: attribute names,
-- wrap-up code ids, queue ids (rules may name them by name or id).
CREATE OR REPLACE FUNCTION gcanalytics._escalation_rule_ids(rule_kind text)
    RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT coalesce(array_agg(DISTINCT id), '{}')
      FROM (SELECT r.value AS id FROM gcanalytics.escalation_rules r WHERE r.kind = rule_kind
            UNION ALL
            SELECT w.wrapup_code FROM gcanalytics.escalation_rules r JOIN gcanalytics.wrapup_codes w ON w.name = r.value
             WHERE r.kind = 'wrapup_code' AND rule_kind = 'wrapup_code'
            UNION ALL
            SELECT q.queue_id FROM gcanalytics.escalation_rules r JOIN gcanalytics.queues q ON q.name = r.value
             WHERE r.kind = 'queue' AND rule_kind = 'queue') ids
$$;

-- _conversation_rows(from, to, only_ids): the query that reads the
-- conversations started in [from, to) (only those of only_ids when given)
-- from the API with what is taken from their detail record (raw), the
-- columns _interactions_source() shapes: it reads no reference data and no
-- CRM, so run() can read its first window before those are in
-- (_conversations_prefetch()).
CREATE OR REPLACE FUNCTION gcanalytics._conversation_rows(range_from timestamptz, range_to timestamptz,
                                                          only_ids text[] DEFAULT NULL)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
    SELECT format($q$
        SELECT c.conversation_id, c.conversation_start, c.conversation_end, c.duration_ms,
               c.originating_direction, c.media_type, c.queue_id, c.queue_ids, c.agent_id, c.agent_ids,
               c.wrapup_code, c.ani, c.abandoned, c.attributes, c.surveys,
               nullif(c.attributes->>'sfAccountId', '') AS attr_account,
               gcanalytics.normalize_phone(c.ani, %L) AS ani_e164,
               t.talk_ms, t.customer_hold_ms, t.system_hold_ms, t.acw_ms, t.queue_wait_ms AS acd_ms, t.ivr_ms,
               t.alert_ms, t.handle_ms, t.transfers, t.valid AS timeline_valid, t.anomaly AS timeline_anomaly,
               gcanalytics._agent_talk_ms(c.raw) AS agent_talk_ms,
               gcanalytics._bot_only(c.raw, c.conversation_end IS NOT NULL) AS handled_by_bot_only,
               gcanalytics._queue_entries(c.raw) AS queue_entries,
               ss.flow AS self_service, ss.contained, ss.handed_off
          FROM gcanalytics_source.conversations c
         CROSS JOIN LATERAL gcanalytics.timeline(c.raw) t
         CROSS JOIN LATERAL gcanalytics._self_service(c.raw, c.conversation_end IS NOT NULL) ss
         WHERE c.conversation_start >= %L AND c.conversation_start < %L%s
           AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x))
        $q$,
        gcanalytics.setting('default_country_code'), range_from, range_to,
        CASE WHEN only_ids IS NOT NULL THEN format(' AND c.conversation_id = ANY (%L::text[])', only_ids) ELSE '' END)
$$;

-- _temp_forget(names): drops those of the session's temporary tables
-- named that exist (no DROP ... IF EXISTS: its NOTICE would speak of
-- nothing).
CREATE OR REPLACE FUNCTION gcanalytics._temp_forget(names text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY names LOOP
        IF pg_catalog.to_regclass('pg_temp.' || quote_ident(t)) IS NOT NULL THEN
            EXECUTE format('DROP TABLE pg_temp.%I', t);
        END IF;
    END LOOP;
END
$$;

-- run() reads its first conversation window while its workers read the
-- reference data and the CRM (README "The warehouse", run_workers):
-- _conversations_prefetch(from, to) reads the rows of the first window
-- planned in [from, to) (_conversation_rows()) into the session's
-- pg_temp.gca_conversations, its bounds in gca_conversations_range (kept
-- across the run's transactions); the window's load takes them from there
-- (_conversation_rows_from(), the same window only) and joins the
-- reference data and the CRM then, and run() drops them once its windows
-- are loaded (_conversations_forget()), so that a reload reads the API.
-- A failure leaves nothing read: the window reads the API itself and
-- fails there as it would have.
CREATE OR REPLACE FUNCTION gcanalytics._conversations_forget()
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT gcanalytics._temp_forget(ARRAY['gca_conversations_range', 'gca_conversations']) $$;

CREATE OR REPLACE FUNCTION gcanalytics._conversations_prefetch(range_from timestamptz, range_to timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    w record;
BEGIN
    PERFORM gcanalytics._conversations_forget();
    BEGIN
        SELECT r.window_start, r.window_end INTO w
          FROM gcanalytics._range_windows('conversations', range_from, range_to, NULL) r
         ORDER BY r.window_start LIMIT 1;
        IF FOUND THEN
            EXECUTE format('CREATE TEMP TABLE gca_conversations AS %s',
                           gcanalytics._conversation_rows(w.window_start, w.window_end));
            CREATE TEMP TABLE gca_conversations_range AS SELECT w.window_start AS range_from, w.window_end AS range_to;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        NULL;                   -- nothing read: the window reads the API
    END;
END
$$;

-- _conversation_rows_from(from, to, only_ids): what _interactions_source()
-- reads its conversations from: the prefetched rows of exactly that
-- window, else _conversation_rows() (OFFSET 0 keeps the planner from
-- moving what it computes above the joins).
CREATE OR REPLACE FUNCTION gcanalytics._conversation_rows_from(range_from timestamptz, range_to timestamptz,
                                                               only_ids text[])
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF only_ids IS NULL AND pg_catalog.to_regclass('pg_temp.gca_conversations_range') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM pg_temp.gca_conversations_range r
                    WHERE r.range_from = _conversation_rows_from.range_from AND r.range_to = _conversation_rows_from.range_to) THEN
            RETURN 'pg_temp.gca_conversations';
        END IF;
    END IF;
    RETURN format('(%s OFFSET 0)', gcanalytics._conversation_rows(range_from, range_to, only_ids));
END
$$;

-- _interactions_source(from, to): the query that reads the conversations
-- started in [from, to) (only those of only_ids when given;
-- _conversation_rows_from()) and shapes them into interactions rows (but
-- next_contact_at and qa_score, which _upsert_interactions sets from the
-- other rows and the evaluations).
CREATE OR REPLACE FUNCTION gcanalytics._interactions_source(range_from timestamptz, range_to timestamptz,
                                                  only_ids text[] DEFAULT NULL)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT format($q$
        SELECT c.conversation_id, c.conversation_start, c.conversation_end, c.duration_ms,
               c.originating_direction, c.media_type, c.queue_id, q.name AS queue_name, c.queue_ids,
               c.agent_id, u.name AS agent_name, c.agent_ids, c.wrapup_code, w.name AS wrapup_name, c.ani,
               coalesce(c.attr_account, a.account_id, CASE WHEN c.originating_direction = 'inbound' THEN c.ani_e164 END) AS customer_key,
               c.talk_ms, c.customer_hold_ms, c.system_hold_ms, c.acw_ms, c.acd_ms, c.ivr_ms,
               c.alert_ms, c.handle_ms,
               gcanalytics.weighted_handle_time(c.handle_ms, c.transfers, c.media_type, %L::jsonb) AS weighted_handle_ms,
               c.transfers, c.transfers > 0 AS transferred, c.abandoned,
               c.agent_talk_ms >= %s AS handled,
               c.conversation_end IS NULL AS in_progress, c.timeline_valid, c.timeline_anomaly,
               coalesce(c.attr_account, a.account_id) AS crm_account_id,
               CASE WHEN c.attr_account IS NOT NULL THEN 'attribute' WHEN a.account_id IS NOT NULL THEN 'phone' END AS crm_link,
               a.tier AS customer_tier, a.industry, a.name AS account_name, a.owner AS account_owner, a.ltv,
               oc.open_case_count, oc.open_opportunity_count,
               (EXISTS (SELECT 1 FROM unnest(%L::text[]) r WHERE lower(c.attributes->>r) IN ('true', 'yes', '1'))
                OR c.wrapup_code = ANY (%L::text[])
                OR c.queue_ids[2:] && %L::text[]
                -- handoff: a bot or IVR flow ('bot', 'ivr' or 'any') followed by an agent
                OR (c.handed_off AND (c.self_service = ANY (%L::text[]) OR 'any' = ANY (%L::text[])))) AS was_escalated,
               c.handled_by_bot_only, c.attributes, c.queue_entries, c.self_service, c.contained,
               c.surveys, gcanalytics._survey_csat(c.surveys) AS csat_score,
               gcanalytics._survey_nps(c.surveys) AS nps_score, nullif(c.attributes->>'sfCaseId', '') AS crm_case_id
          -- what is taken from the detail record (raw) is computed below
          -- the joins (_conversation_rows()), so that no join or sort
          -- carries raw (3-4 kB a conversation)
          FROM %s c
          LEFT JOIN gcanalytics.queues q ON q.queue_id = c.queue_id
          LEFT JOIN gcanalytics.users u ON u.user_id = c.agent_id
          LEFT JOIN gcanalytics.wrapup_codes w ON w.wrapup_code = c.wrapup_code
          -- the CRM account and its values when the conversation started
          -- (crm_account_history): the attribute's, else the one whose
          -- phone was the ANI then (the lowest id when several shared it);
          -- joins, not a function with parameters, which Citus would not plan
          LEFT JOIN LATERAL (SELECT min(y.account_id) AS account_id FROM gcanalytics.crm_account_history y
                              WHERE y.phone_e164 = c.ani_e164
                                AND y.valid_from <= c.conversation_start AND c.conversation_start < y.valid_to) pa
            ON c.attr_account IS NULL
          LEFT JOIN gcanalytics.crm_account_history a
            ON a.account_id = coalesce(c.attr_account, pa.account_id)
           AND a.valid_from <= c.conversation_start AND c.conversation_start < a.valid_to
          -- the open cases and opportunities are today's
          LEFT JOIN gcanalytics.crm_accounts oc ON oc.account_id = a.account_id
        $q$,
        gcanalytics.weht_weights_json(), gcanalytics.setting('min_talk_ms')::bigint,
        gcanalytics._escalation_rule_ids('attribute'), gcanalytics._escalation_rule_ids('wrapup_code'),
        gcanalytics._escalation_rule_ids('queue'), gcanalytics._escalation_rule_ids('handoff'),
        gcanalytics._escalation_rule_ids('handoff'),
        gcanalytics._conversation_rows_from(range_from, range_to, only_ids))
$$;

-- ------------------------------------------------------------ next contact
-- interactions.next_contact_at is kept as rows take or leave a place
-- (customer_key, conversation_start, conversation_id), so that the
-- dashboards read it instead of sorting every row by customer: such a
-- move changes the next contact of the row itself and of the row just
-- before the place, and of no other row.

-- _link_next_contacts(moved): sets next_contact_at again for the moved
-- rows and the rows of their customers from the one before each
-- customer's earliest place in moved, changing only those that differ.
-- Every statement joins interactions by customer_key with arrays and
-- writes back by conversation: with interactions distributed by
-- conversation_id (distribute()), Citus runs no subquery correlated on
-- customer_key.  Returns the rows it changed.
CREATE OR REPLACE FUNCTION gcanalytics._link_next_contacts(moved gcanalytics._contact_place[])
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    keys text[];
    firsts timestamptz[];
    lows timestamptz[];
    ids text[] := ARRAY(SELECT m.conversation_id FROM unnest(moved) m);
    changed bigint;
    -- one timestamp, passed in: Citus runs no UPDATE of a distributed
    -- table calling a volatile function such as clock_timestamp()
    stamp timestamptz := clock_timestamp();
    fcr_window interval := gcanalytics._window_length('fcr_window');
    containment_window interval := gcanalytics._window_length('containment_window');
    -- the rows whose first-contact resolution changed: id, start, old next contact
    fcr_ids text[];
    fcr_starts timestamptz[];
    fcr_olds timestamptz[];
    held_ids text[];  -- the rows whose held containment changed
    held_starts timestamptz[];
    held_olds timestamptz[];
BEGIN
    -- each customer's earliest place moved, then the start of the row
    -- before it (whose next contact may change): its rows are read from there
    SELECT coalesce(array_agg(f.customer_key), '{}'), coalesce(array_agg(f.first_start), '{}')
      INTO keys, firsts
      FROM (SELECT m.customer_key, min(m.conversation_start) AS first_start
              FROM unnest(moved) m WHERE m.customer_key IS NOT NULL GROUP BY 1) f;
    SELECT coalesce(array_agg(coalesce(p.prev_start, b.first_start) ORDER BY b.ord), '{}')
      INTO lows
      FROM unnest(keys, firsts) WITH ORDINALITY b (customer_key, first_start, ord)
      LEFT JOIN (SELECT f.customer_key, max(i.conversation_start) AS prev_start
                   FROM unnest(keys, firsts) f (customer_key, first_start)
                   JOIN gcanalytics.interactions i
                     ON i.customer_key OPERATOR(pg_catalog.=) f.customer_key
                    AND i.conversation_start OPERATOR(pg_catalog.<) f.first_start
                  GROUP BY f.customer_key) p ON p.customer_key OPERATOR(pg_catalog.=) b.customer_key;
    WITH c AS MATERIALIZED (
        SELECT i.conversation_id, i.conversation_start, i.customer_key, i.next_contact_at
          FROM unnest(keys, lows) b (customer_key, low)
          JOIN gcanalytics.interactions i
            ON i.customer_key OPERATOR(pg_catalog.=) b.customer_key AND i.conversation_start OPERATOR(pg_catalog.>=) b.low
        UNION ALL
        SELECT i.conversation_id, i.conversation_start, i.customer_key, i.next_contact_at
          FROM gcanalytics.interactions i
         WHERE i.conversation_id OPERATOR(pg_catalog.=) ANY (ids) AND i.customer_key IS NULL
    ), n AS MATERIALIZED (
        SELECT x.conversation_id, x.conversation_start, x.old_next, x.next_contact_at
          FROM (SELECT c.conversation_id, c.conversation_start, c.next_contact_at AS old_next,
                       CASE WHEN c.customer_key IS NOT NULL
                            THEN lead(c.conversation_start) OVER (PARTITION BY c.customer_key
                                                                   ORDER BY c.conversation_start, c.conversation_id)
                       END AS next_contact_at
                  FROM c) x
         WHERE x.old_next IS DISTINCT FROM x.next_contact_at
    ), u AS (
        UPDATE gcanalytics.interactions t
           SET next_contact_at = n.next_contact_at, loaded_at = stamp
          FROM n
         WHERE t.conversation_id OPERATOR(pg_catalog.=) n.conversation_id
           AND t.conversation_start OPERATOR(pg_catalog.=) n.conversation_start
        RETURNING t.conversation_id, t.conversation_start, n.old_next, t.next_contact_at),
    f AS (
    -- a next contact decides the row's first-contact resolution (none
    -- within fcr_window) and whether its containment held (none within
    -- containment_window): the rows where that changed, with the next
    -- contact before
    SELECT u.*, (u.old_next IS NULL OR u.old_next > u.conversation_start + fcr_window)
                    IS DISTINCT FROM (u.next_contact_at IS NULL OR u.next_contact_at > u.conversation_start + fcr_window) AS fcr,
                (u.old_next IS NULL OR u.old_next > u.conversation_start + containment_window)
                    IS DISTINCT FROM (u.next_contact_at IS NULL OR u.next_contact_at > u.conversation_start + containment_window) AS held
      FROM u)
    SELECT count(*),
           array_agg(f.conversation_id) FILTER (WHERE f.fcr), array_agg(f.conversation_start) FILTER (WHERE f.fcr),
           array_agg(f.old_next) FILTER (WHERE f.fcr),
           array_agg(f.conversation_id) FILTER (WHERE f.held), array_agg(f.conversation_start) FILTER (WHERE f.held),
           array_agg(f.old_next) FILTER (WHERE f.held)
      INTO changed, fcr_ids, fcr_starts, fcr_olds, held_ids, held_starts, held_olds
      FROM f;
    -- the conversations, not their days: the refresh applies the
    -- difference their new next contact makes to their rollup rows
    PERFORM gcanalytics._dashboard_contacts_changed(fcr_ids, fcr_starts, fcr_olds, ARRAY['kpi_daily']);
    PERFORM gcanalytics._dashboard_contacts_changed(held_ids, held_starts, held_olds, ARRAY['bot_containment']);
    RETURN changed;
END
$$;

-- _contact_places(from, to, only_ids): the places of the interactions
-- started in [from, to) (only those of only_ids when given).
CREATE OR REPLACE FUNCTION gcanalytics._contact_places(range_from timestamptz, range_to timestamptz, only_ids text[])
    RETURNS gcanalytics._contact_place[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(ROW(i.customer_key, i.conversation_start, i.conversation_id)::gcanalytics._contact_place), '{}')
              FROM gcanalytics.interactions i
             WHERE i.conversation_start OPERATOR(pg_catalog.>=) range_from AND i.conversation_start OPERATOR(pg_catalog.<) range_to
               AND (only_ids IS NULL OR i.conversation_id OPERATOR(pg_catalog.=) ANY (only_ids)));
END
$$;

-- _update_qa_scores(from, to, only_ids, stamp): the QA score of the
-- interactions started in [from, to) (only those of only_ids when given)
-- from their evaluations (a join on conversation_id, which Citus runs on
-- each shard of the co-located tables).  Returns the rows it changed.
CREATE OR REPLACE FUNCTION gcanalytics._update_qa_scores(range_from timestamptz, range_to timestamptz,
                                                         only_ids text[], stamp timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    changed bigint;
    days date[];
    tz text := gcanalytics.reporting_time_zone();
BEGIN
    WITH u AS (
    UPDATE gcanalytics.interactions i
       SET qa_score = s.qa_score, loaded_at = stamp
      FROM (SELECT i2.conversation_id, i2.conversation_start,
                   (SELECT avg(e.total_score) FROM gcanalytics.evaluations e
                     WHERE e.conversation_id OPERATOR(pg_catalog.=) i2.conversation_id AND NOT e.is_calibration
                       AND e.status OPERATOR(pg_catalog.=) 'FINISHED') AS qa_score
              FROM gcanalytics.interactions i2
             WHERE i2.conversation_start OPERATOR(pg_catalog.>=) range_from AND i2.conversation_start OPERATOR(pg_catalog.<) range_to
               AND (only_ids IS NULL OR i2.conversation_id OPERATOR(pg_catalog.=) ANY (only_ids))) s
     WHERE i.conversation_id OPERATOR(pg_catalog.=) s.conversation_id
       AND i.conversation_start OPERATOR(pg_catalog.=) s.conversation_start
       AND i.qa_score IS DISTINCT FROM s.qa_score
    RETURNING i.conversation_start)
    SELECT count(*), array_agg(DISTINCT (u.conversation_start AT TIME ZONE tz)::date) INTO changed, days FROM u;
    PERFORM gcanalytics._dashboard_changed(days, ARRAY['cx_overview']);
    RETURN changed;
END
$$;

-- _upsert_interactions(from, to, only_ids): the conversations started in
-- [from, to) (only those of only_ids when given) upserted into
-- interactions, and the next contacts their moves change.  Returns the
-- rows the source gave.
CREATE OR REPLACE FUNCTION gcanalytics._upsert_interactions(range_from timestamptz, range_to timestamptz,
                                                 only_ids text[] DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    before gcanalytics._contact_place[] := gcanalytics._contact_places(range_from, range_to, only_ids);
    after gcanalytics._contact_place[];
    r record;
    stamp timestamptz := clock_timestamp();
    written_ids text[];
    written_starts timestamptz[];
BEGIN
    r := gcanalytics._upsert('gcanalytics.interactions', ARRAY['conversation_id', 'conversation_start'],
                             gcanalytics._interactions_source(range_from, range_to, only_ids),
                             ARRAY['next_contact_at', 'qa_score']);
    IF r.changed_rows > 0 THEN
        -- the rows the upsert wrote (it stamped them after stamp), inserted
        -- when their key was not there before: the dashboards merge the new
        -- ones and recompute the days of the others
        SELECT coalesce(array_agg(i.conversation_id), '{}'), coalesce(array_agg(i.conversation_start), '{}')
          INTO written_ids, written_starts
          FROM gcanalytics.interactions i
         WHERE i.conversation_start OPERATOR(pg_catalog.>=) range_from AND i.conversation_start OPERATOR(pg_catalog.<) range_to
           AND (only_ids IS NULL OR i.conversation_id OPERATOR(pg_catalog.=) ANY (only_ids))
           AND i.loaded_at OPERATOR(pg_catalog.>=) stamp;
        PERFORM gcanalytics._dashboard_conversations_written(written_ids, written_starts, ARRAY(
            SELECT b.conversation_id IS NULL
              FROM unnest(written_ids, written_starts) WITH ORDINALITY w (conversation_id, conversation_start, ord)
              LEFT JOIN unnest(before) b
                ON b.conversation_id OPERATOR(pg_catalog.=) w.conversation_id
               AND b.conversation_start OPERATOR(pg_catalog.=) w.conversation_start
             ORDER BY w.ord));
    END IF;
    PERFORM gcanalytics._update_qa_scores(range_from, range_to, only_ids, stamp);
    PERFORM gcanalytics._upsert_surveys(range_from, range_to, only_ids);
    IF r.changed_rows > 0 THEN
        after := gcanalytics._contact_places(range_from, range_to, only_ids);
        PERFORM gcanalytics._link_next_contacts(ARRAY(
            (SELECT a FROM unnest(after) a EXCEPT SELECT b FROM unnest(before) b)
            UNION
            (SELECT b FROM unnest(before) b EXCEPT SELECT a FROM unnest(after) a)));
    END IF;
    RETURN r.source_rows;
END
$$;

-- The loaders: one window of one resource, returning the rows the source
-- gave.  Errors propagate (the caller records the window as failed).
CREATE OR REPLACE FUNCTION gcanalytics._load_conversations(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    -- partitions only for months that receive rows: those this window
    -- creates and leaves empty are dropped again
    created text[] := ARRAY(SELECT p.partition_name FROM gcanalytics._partition_months(range_from, range_to) p
                             WHERE pg_catalog.to_regclass('gcanalytics.' OPERATOR(pg_catalog.||) p.partition_name) IS NULL);
    n bigint;
    part text;
    empty boolean;
BEGIN
    PERFORM gcanalytics._ensure_partitions(range_from, range_to);
    n := gcanalytics._upsert_interactions(range_from, range_to);
    FOREACH part IN ARRAY created LOOP
        -- (a select list: Citus fails on an empty one over a distributed table)
        EXECUTE pg_catalog.format('SELECT NOT EXISTS (SELECT 1 FROM gcanalytics.%I)', part) INTO empty;
        IF empty THEN
            EXECUTE pg_catalog.format('DROP TABLE gcanalytics.%I', part);
        END IF;
    END LOOP;
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._load_evaluations(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    r record;
BEGIN
    r := gcanalytics._upsert('gcanalytics.evaluations', ARRAY['conversation_id', 'evaluation_id'], format($q$
        SELECT e.evaluation_id, e.conversation_id, e.conversation_start, e.agent_id, e.evaluator_id, e.queue_id,
               e.form_id, e.form_name, e.status, e.total_score, e.total_critical_score, e.total_non_critical_score,
               e.any_failed_kill_questions, coalesce(e.is_calibration, false) AS is_calibration, e.calibration_id,
               e.release_date, e.assigned_date, e.changed_date, e.answers
          FROM gcanalytics_source.evaluations e
         WHERE e.conversation_start >= %L AND e.conversation_start < %L $q$, range_from, range_to));
    -- the QA score of the window's interactions follows their evaluations
    -- (in a run() worker, run() sets them once the conversations are in)
    IF NOT gcanalytics._in_run_worker() THEN
        PERFORM gcanalytics._update_qa_scores(range_from, range_to, NULL, clock_timestamp());
    END IF;
    RETURN r.source_rows;
END
$$;

-- The aggregates the load reads in 15-minute buckets (nConversations,
-- summed by hour for the windows and their check; the queue metrics), per
-- queue and media type, from one aggregates query per run():
-- _aggregates_prefetch(from, to) reads [from, to) into the session's
-- pg_temp.gca_aggregates (kept across the run's transactions, dropped by
-- _aggregates_forget() when it ends), and _window_aggregates(from, to)
-- answers from it when it holds the range,
-- else asks the API.  The numbers are those of the run's start: a count
-- that moves later (late data in the lag window) is read again by the
-- next run().
CREATE OR REPLACE FUNCTION gcanalytics._aggregates_query(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (interval_start timestamptz, queue_id text, media_type text, metric text, count bigint, sum float8)
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.interval_start, a.queue_id, a.media_type, a.metric, a.count, a.sum
      FROM gcanalytics_source.conversation_aggregates a
     WHERE a.interval_start >= range_from AND a.interval_start < range_to AND a.granularity = 'PT15M'
       AND a.metric IN ('nConversations', 'nOffered', 'nConnected', 'tAbandon', 'nTransferred', 'tHandle', 'tTalk',
                        'tHeld', 'tAcw', 'tAcd')
$$;

CREATE OR REPLACE FUNCTION gcanalytics._aggregates_forget()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- the run's conversations read ahead too (_conversations_prefetch())
    PERFORM gcanalytics._temp_forget(ARRAY['gca_aggregates_range', 'gca_aggregates', 'gca_conversations_range',
                                           'gca_conversations']);
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._aggregates_prefetch(range_from timestamptz, range_to timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    state text;
    message text;
BEGIN
    PERFORM gcanalytics._aggregates_forget();
    -- (a longer first load asks per window, as one query would be too long
    -- for the API)
    IF range_from IS NULL OR range_to IS NULL OR range_from >= range_to
       OR range_to - range_from > interval '31 days' THEN
        RETURN;
    END IF;
    BEGIN
        CREATE TEMP TABLE gca_aggregates AS SELECT * FROM gcanalytics._aggregates_query(range_from, range_to);
        CREATE TEMP TABLE gca_aggregates_range AS SELECT range_from AS range_from, range_to AS range_to;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        IF gcanalytics._window_failure_is_fatal(state) THEN
            RAISE;
        END IF;
        -- nothing cached: each window asks the API itself (and fails there)
        RAISE WARNING 'could not read the aggregates of [%, %) (%: %); each window asks for its own', range_from, range_to,
            state, message;
    END;
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._window_aggregates(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (interval_start timestamptz, queue_id text, media_type text, metric text, count bigint, sum float8)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.gca_aggregates_range') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM pg_temp.gca_aggregates_range r
                    WHERE r.range_from <= _window_aggregates.range_from AND _window_aggregates.range_to <= r.range_to) THEN
            RETURN QUERY SELECT a.interval_start, a.queue_id, a.media_type, a.metric, a.count, a.sum
                           FROM pg_temp.gca_aggregates a
                          WHERE a.interval_start >= range_from AND a.interval_start < range_to;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM gcanalytics._aggregates_query(range_from, range_to);
END
$$;

-- queue_metrics: the aggregates of the window per queue and media type in
-- 15-minute buckets (PT15M: every zone's UTC offset is a multiple of 15
-- minutes, so the days of any reporting_time_zone are sums of them, and a
-- change of the setting needs no reload), and the UTC days the window
-- touches summed from them (the aggregates API's P1D buckets are the sums
-- of its shorter buckets).  The hourly rows (PT1H) of an earlier release
-- in the window are replaced.
CREATE OR REPLACE FUNCTION gcanalytics._load_queue_metrics(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    r record;
    quarters text;
BEGIN
    quarters := format($q$
        SELECT 'PT15M'::text AS granularity, a.interval_start, a.queue_id, a.media_type,
               sum(a.count) FILTER (WHERE a.metric = 'nOffered')::bigint AS n_offered,
               sum(a.count) FILTER (WHERE a.metric = 'nConnected')::bigint AS n_connected,
               sum(a.count) FILTER (WHERE a.metric = 'tAbandon')::bigint AS n_abandoned,
               sum(a.count) FILTER (WHERE a.metric = 'nTransferred')::bigint AS n_transferred,
               sum(a.sum) FILTER (WHERE a.metric = 'tHandle') AS t_handle_sum,
               sum(a.count) FILTER (WHERE a.metric = 'tHandle')::bigint AS t_handle_count,
               sum(a.sum) FILTER (WHERE a.metric = 'tTalk') AS t_talk_sum,
               sum(a.count) FILTER (WHERE a.metric = 'tTalk')::bigint AS t_talk_count,
               sum(a.sum) FILTER (WHERE a.metric = 'tHeld') AS t_held_sum,
               sum(a.sum) FILTER (WHERE a.metric = 'tAcw') AS t_acw_sum,
               sum(a.sum) FILTER (WHERE a.metric = 'tAcd') AS t_acd_sum,
               sum(a.count) FILTER (WHERE a.metric = 'tAcd')::bigint AS t_acd_count,
               sum(a.sum) FILTER (WHERE a.metric = 'tAbandon') AS t_abandon_sum
          FROM gcanalytics._window_aggregates(%L, %L) a
         WHERE a.metric IN ('nOffered', 'nConnected', 'tAbandon', 'nTransferred', 'tHandle', 'tTalk', 'tHeld', 'tAcw', 'tAcd')
           AND a.queue_id IS NOT NULL AND a.media_type IS NOT NULL
         GROUP BY a.interval_start, a.queue_id, a.media_type $q$, range_from, range_to);
    r := gcanalytics._upsert('gcanalytics.queue_metrics', ARRAY['granularity', 'interval_start', 'queue_id', 'media_type'], quarters);
    DELETE FROM gcanalytics.queue_metrics h
     WHERE h.granularity = 'PT1H' AND h.interval_start >= range_from AND h.interval_start < range_to;
    PERFORM gcanalytics._upsert('gcanalytics.queue_metrics', ARRAY['granularity', 'interval_start', 'queue_id', 'media_type'], format($q$
        SELECT 'P1D'::text AS granularity, pg_catalog.date_trunc('day', h.interval_start, 'UTC') AS interval_start,
               h.queue_id, h.media_type, sum(h.n_offered)::bigint AS n_offered, sum(h.n_connected)::bigint AS n_connected,
               sum(h.n_abandoned)::bigint AS n_abandoned, sum(h.n_transferred)::bigint AS n_transferred,
               sum(h.t_handle_sum) AS t_handle_sum, sum(h.t_handle_count)::bigint AS t_handle_count,
               sum(h.t_talk_sum) AS t_talk_sum, sum(h.t_talk_count)::bigint AS t_talk_count, sum(h.t_held_sum) AS t_held_sum,
               sum(h.t_acw_sum) AS t_acw_sum, sum(h.t_acd_sum) AS t_acd_sum, sum(h.t_acd_count)::bigint AS t_acd_count,
               sum(h.t_abandon_sum) AS t_abandon_sum
          FROM gcanalytics.queue_metrics h
         WHERE h.granularity IN ('PT15M', 'PT1H') AND h.interval_start >= %L AND h.interval_start < %L
         GROUP BY 2, 3, 4 $q$,
        pg_catalog.date_trunc('day', range_from, 'UTC'),
        -- 24 hours, not '1 day': a day added to a timestamptz follows the
        -- session's TimeZone across a DST change
        pg_catalog.date_trunc('day', range_to, 'UTC') + interval '24 hours'));
    RETURN r.source_rows;
END
$$;

CREATE OR REPLACE FUNCTION gcanalytics._load_window(resource text, range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    CASE resource
        WHEN 'conversations' THEN RETURN gcanalytics._load_conversations(range_from, range_to);
        WHEN 'evaluations' THEN RETURN gcanalytics._load_evaluations(range_from, range_to);
        WHEN 'queue_metrics' THEN RETURN gcanalytics._load_queue_metrics(range_from, range_to);
        WHEN 'adherence' THEN RETURN gcanalytics._load_adherence(range_from, range_to);
        ELSE RAISE EXCEPTION 'unknown warehouse resource "%"', resource
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Resources are conversations, evaluations, queue_metrics and adherence.';
    END CASE;
END
$$;

-- _conversation_counts(from, to): conversations started per hour in
-- [from, to) by the aggregates API (nConversations), without those whose
-- first queue is excluded, from one aggregates query.
CREATE OR REPLACE FUNCTION gcanalytics._conversation_counts(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (hour_start timestamptz, conversations bigint)
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT pg_catalog.date_trunc('hour', a.interval_start, 'UTC'), sum(a.count)::bigint
      FROM gcanalytics._window_aggregates(pg_catalog.date_trunc('hour', range_from, 'UTC'), range_to) a
     WHERE a.metric = 'nConversations'
       AND (a.queue_id IS NULL OR a.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x))
     GROUP BY 1
$$;

-- _plan_windows(from, to): [from, to) cut into windows of whole hours
-- (the first and last may be partial) holding at most
-- window_max_conversations by the hourly counts and lasting at most
-- window_max_length; an hour busier than that is cut into equal parts.
CREATE OR REPLACE FUNCTION gcanalytics._plan_windows(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, expected bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cap bigint := gcanalytics.setting('window_max_conversations')::bigint;
    max_len interval := gcanalytics.setting('window_max_length')::interval;
    h record;
    parts int;
    i int;
    cur_start timestamptz := range_from;
    cur_n bigint := 0;
    hour_from timestamptz;
    hour_to timestamptz;
BEGIN
    -- a cap below 1 would plan no window (or divide by zero), and the
    -- high-water mark would move past a range nothing loaded
    IF cap < 1 OR max_len <= interval '0' THEN
        PERFORM gcanalytics._setting_check('window_max_conversations', cap::text);
        PERFORM gcanalytics._setting_check('window_max_length', max_len::text);
    END IF;
    FOR h IN SELECT g AS hour_start, coalesce(c.conversations, 0) AS n
               FROM generate_series(pg_catalog.date_trunc('hour', range_from, 'UTC'), range_to - interval '1 microsecond', interval '1 hour') g
               LEFT JOIN gcanalytics._conversation_counts(range_from, range_to) c ON c.hour_start = g
              ORDER BY g LOOP
        hour_from := greatest(h.hour_start, range_from);
        hour_to := least(h.hour_start + interval '1 hour', range_to);
        IF h.n > cap THEN
            -- flush what is pending, then the busy hour in equal parts
            IF cur_start < hour_from THEN
                window_start := cur_start; window_end := hour_from; expected := cur_n; RETURN NEXT;
            END IF;
            parts := ceil(h.n::numeric / cap)::int;
            FOR i IN 0 .. parts - 1 LOOP
                window_start := hour_from + (hour_to - hour_from) * i / parts;
                window_end := CASE WHEN i = parts - 1 THEN hour_to ELSE hour_from + (hour_to - hour_from) * (i + 1) / parts END;
                expected := NULL;
                RETURN NEXT;
            END LOOP;
            cur_start := hour_to;
            cur_n := 0;
            CONTINUE;
        END IF;
        IF cur_start < hour_from AND (cur_n + h.n > cap OR hour_to - cur_start > max_len) THEN
            window_start := cur_start; window_end := hour_from; expected := cur_n; RETURN NEXT;
            cur_start := hour_from;
            cur_n := 0;
        END IF;
        cur_n := cur_n + h.n;
    END LOOP;
    IF cur_start < range_to THEN
        window_start := cur_start; window_end := range_to; expected := cur_n; RETURN NEXT;
    END IF;
END
$$;

-- check_window(resource, from, to): the loaded conversations of each
-- window of [from, to) against the aggregates API's count; a window more
-- than validation_tolerance_pct apart is marked for reloading (recheck).
CREATE OR REPLACE FUNCTION gcanalytics.check_window(resource text, range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, loaded bigint, expected bigint,
                   difference_pct float8, ok boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tolerance float8 := gcanalytics.setting('validation_tolerance_pct')::float8;
BEGIN
    IF resource <> 'conversations' THEN
        RAISE EXCEPTION 'check_window() checks conversations, not "%"', resource
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'The aggregates API counts conversations (nConversations); evaluations and queue metrics have no independent count.';
    END IF;
    IF to_regclass('pg_temp.gca_hour_loaded') IS NULL THEN
        CREATE TEMP TABLE IF NOT EXISTS gca_hour_counts (hour_start timestamptz, conversations bigint);
        CREATE TEMP TABLE IF NOT EXISTS gca_window_check (window_start timestamptz, window_end timestamptz, loaded bigint,
                                                          expected bigint, difference_pct float8, ok boolean);
        CREATE TEMP TABLE gca_hour_loaded (hour_start timestamptz, conversations bigint);
    END IF;
    TRUNCATE gca_hour_counts, gca_window_check, gca_hour_loaded;
    INSERT INTO gca_hour_counts SELECT * FROM gcanalytics._conversation_counts(range_from, range_to);
    -- the loaded conversations per UTC hour first (the windows compared are
    -- whole UTC hours): Citus joins no local table with a distributed one
    INSERT INTO gca_hour_loaded
    SELECT pg_catalog.date_trunc('hour', i.conversation_start, 'UTC'), count(*) FROM gcanalytics.interactions i
     WHERE i.conversation_start >= range_from AND i.conversation_start < range_to
     GROUP BY 1;
    INSERT INTO gca_window_check
    WITH w AS (
        SELECT sw.window_start, sw.window_end
          FROM gcanalytics.sync_windows sw
         WHERE sw.resource = 'conversations' AND sw.status = 'done'
           AND sw.window_start >= range_from AND sw.window_end <= range_to
           -- only whole hours compare with hourly counts (the partial
           -- last window of a run is read again by the next one)
           AND sw.window_start = pg_catalog.date_trunc('hour', sw.window_start, 'UTC')
           AND sw.window_end = pg_catalog.date_trunc('hour', sw.window_end, 'UTC')),
    c AS (
        SELECT w.window_start, w.window_end,
               (SELECT coalesce(sum(l.conversations), 0)::bigint FROM gca_hour_loaded l
                 WHERE l.hour_start >= w.window_start AND l.hour_start < w.window_end) AS loaded,
               (SELECT coalesce(sum(h.conversations), 0)::bigint FROM gca_hour_counts h
                 WHERE h.hour_start >= w.window_start AND h.hour_start < w.window_end) AS expected
          FROM w)
    SELECT c.window_start, c.window_end, c.loaded, c.expected,
           CASE WHEN c.expected = 0 THEN CASE WHEN c.loaded = 0 THEN 0 ELSE 100 END
                ELSE 100.0 * abs(c.loaded - c.expected) / c.expected END,
           CASE WHEN c.expected = 0 THEN c.loaded = 0
                ELSE 100.0 * abs(c.loaded - c.expected) / c.expected <= tolerance END
      FROM c;
    UPDATE gcanalytics.sync_windows sw
       SET recheck = NOT r.ok, expected_rows = r.expected, checked_at = clock_timestamp()
      FROM gca_window_check r
     WHERE sw.resource = 'conversations' AND sw.window_start = r.window_start;
    RETURN QUERY SELECT * FROM gca_window_check r ORDER BY r.window_start;
END
$$;
