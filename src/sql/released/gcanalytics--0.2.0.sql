-- gcanalytics install script, built by concatenating src/sql/*.sql in name order.
\echo Use "CREATE EXTENSION gcanalytics" to load this file. \quit

COMMENT ON SCHEMA gcanalytics IS 'gcanalytics: Genesys Cloud + Salesforce analytics warehouse';

CREATE FUNCTION gcanalytics.version() RETURNS text
    AS 'MODULE_PATHNAME', 'gcanalytics_version'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.version() IS 'version of the loaded gcanalytics library';
-- The foreign data wrapper.
CREATE FUNCTION gcanalytics.gcanalytics_fdw_handler() RETURNS fdw_handler
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_handler'
    LANGUAGE C STRICT;

CREATE FUNCTION gcanalytics.gcanalytics_fdw_validator(text[], oid) RETURNS void
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_validator'
    LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER gcanalytics_fdw
    HANDLER gcanalytics.gcanalytics_fdw_handler
    VALIDATOR gcanalytics.gcanalytics_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gcanalytics_fdw IS 'Genesys Cloud and Salesforce APIs as foreign tables';

-- What the running foreign scans of every backend are doing (progress.c).
CREATE FUNCTION gcanalytics.scan_progress(
    OUT pid integer,
    OUT relid regclass,
    OUT resource text,
    OUT started timestamptz,
    OUT windows_done integer,
    OUT windows_total integer,
    OUT requests bigint,
    OUT pages bigint,
    OUT rows bigint,
    OUT wait_ms bigint,
    OUT throttled_ms bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_scan_progress'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.scan_progress() IS
    'running gcanalytics foreign scans, one row per backend (join pg_stat_activity on pid): windows done of total, requests, pages, rows, wall-clock ms waiting for responses, ms held back by the rate budget and Retry-After (summed over requests); every backend''s when gcanalytics is preloaded, else this session''s';

-- The resource registry: what every foreign table and column holds.
CREATE FUNCTION gcanalytics.resources(
    OUT resource text,
    OUT service text,
    OUT needs_time_bound boolean,
    OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_resources'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION gcanalytics.resources() IS
    'the resources a foreign table can read (option resource), with their service and description';

CREATE FUNCTION gcanalytics.resource_columns(
    OUT resource text,
    OUT ordinal integer,
    OUT column_name text,
    OUT type text,
    OUT pushdown text,
    OUT api_name text,
    OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_resource_columns'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION gcanalytics.resource_columns() IS
    'the columns of each resource as IMPORT FOREIGN SCHEMA creates them: type, which conditions on them are sent to the API, the API name, what they hold';

-- Foreign tables of gcanalytics_fdw get the registry's descriptions as
-- comments when they are created (also by IMPORT FOREIGN SCHEMA), so that
-- psql's \d+ and BI tools show them; comments already set are kept.
CREATE FUNCTION gcanalytics.describe_foreign_tables() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t record;
    comments text;
BEGIN
    FOR t IN
        SELECT c.oid AS relid, r.resource, r.description
          FROM pg_event_trigger_ddl_commands() cmd
          JOIN pg_class c ON c.oid = cmd.objid AND cmd.classid = 'pg_class'::regclass
          JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
          JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
          JOIN pg_foreign_data_wrapper w ON w.oid = fs.srvfdw AND w.fdwname = 'gcanalytics_fdw'
          JOIN pg_options_to_table(ft.ftoptions) o ON o.option_name = 'resource'
          JOIN gcanalytics.resources() r ON r.resource = o.option_value
         WHERE cmd.objsubid = 0
    LOOP
        IF obj_description(t.relid, 'pg_class') IS NULL THEN
            EXECUTE format('COMMENT ON FOREIGN TABLE %s IS %L', t.relid::regclass, t.description);
        END IF;
        comments := (SELECT string_agg(format('COMMENT ON COLUMN %s.%I IS %L',
                                              t.relid::regclass, a.attname, rc.description), '; ')
                       FROM pg_attribute a
                       JOIN gcanalytics.resource_columns() rc
                         ON rc.resource = t.resource AND rc.column_name = a.attname
                      WHERE a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
                        AND col_description(t.relid, a.attnum) IS NULL
                        AND rc.description IS NOT NULL);
        IF comments IS NOT NULL THEN
            EXECUTE comments;
        END IF;
    END LOOP;
END
$$;
CREATE EVENT TRIGGER gcanalytics_describe_foreign_tables ON ddl_command_end
    WHEN TAG IN ('CREATE FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA')
    EXECUTE FUNCTION gcanalytics.describe_foreign_tables();
-- The HTTP core: request counters and a diagnostic request function.

CREATE FUNCTION gcanalytics.http_stats(
    OUT server name,
    OUT requests bigint,
    OUT retries bigint,
    OUT errors jsonb,
    OUT bytes bigint,
    OUT wait_ms double precision,
    OUT token_requests bigint,
    OUT shared boolean,
    OUT limit_info text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_stats'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.http_stats() IS
    'HTTP requests per server of this database: attempts, retries, non-2xx responses by status, bytes, time waiting on the rate budget and backoff; across all sessions when gcanalytics is preloaded (shared), else this session''s';

CREATE FUNCTION gcanalytics.http_stats_reset() RETURNS void
    AS 'MODULE_PATHNAME', 'gcanalytics_http_stats_reset'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.http_stats_reset() IS
    'zeroes the counters of gcanalytics.http_stats() for this database';
REVOKE ALL ON FUNCTION gcanalytics.http_stats_reset() FROM PUBLIC;

CREATE FUNCTION gcanalytics.http_request(
    server name,
    method text,
    path text,
    request_body text DEFAULT NULL,
    OUT status integer,
    OUT body text,
    OUT attempts integer,
    OUT correlation_id text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_request'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gcanalytics.http_request(name, text, text, text) IS
    'diagnostic: sends one API request with the calling user''s mapping (token, rate budget, retries) and returns the response; path is relative to the API base (Salesforce: instance_url)';
REVOKE ALL ON FUNCTION gcanalytics.http_request(name, text, text, text) FROM PUBLIC;

CREATE FUNCTION gcanalytics.http_request_many(
    server name,
    method text,
    paths text[],
    OUT path text,
    OUT status integer,
    OUT body text,
    OUT attempts integer,
    OUT correlation_id text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_request_many'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gcanalytics.http_request_many(name, text, text[]) IS
    'diagnostic: sends one request per path at once (max_concurrency at a time, under the rate budget) and returns the responses in order';
REVOKE ALL ON FUNCTION gcanalytics.http_request_many(name, text, text[]) FROM PUBLIC;
-- In-database KPI functions (design.md section 3; README "KPI functions").

CREATE FUNCTION gcanalytics.timeline(conversation jsonb,
    OUT queue_wait_ms bigint, OUT talk_ms bigint, OUT customer_hold_ms bigint,
    OUT system_hold_ms bigint, OUT acw_ms bigint, OUT ivr_ms bigint,
    OUT alert_ms bigint, OUT transfers integer, OUT handle_ms bigint,
    OUT first_queue_id text, OUT last_agent_id text,
    OUT valid boolean, OUT anomaly text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.timeline(jsonb) IS
    'KPIs of one conversation detail record; valid is false and anomaly says why when the timeline is malformed';

CREATE FUNCTION gcanalytics.timeline_events(conversation jsonb)
    RETURNS TABLE (seq integer, purpose text, user_id text, queue_id text,
                   segment_type text, segment_start timestamptz,
                   segment_end timestamptz, duration_ms bigint, flag text,
                   kind text, participant_id text, session_id text,
                   media_type text, disconnect_type text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline_events'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION gcanalytics.timeline_events(jsonb) IS
    'segments of one conversation detail record in timeline order, with the KPI each counts toward and a flag';

-- Weighted effective handle time.  The function reads a weights jsonb so
-- that it stays IMMUTABLE; the multipliers a user edits are the view
-- gcanalytics.weht_weights over two tables:
--   weht_weights_default  the defaults this version ships; part of the
--                         extension, so pg_dump leaves it out and
--                         CREATE EXTENSION / ALTER EXTENSION UPDATE write it
--   weht_weights_edit     the user's edits, the only configuration table
--                         pg_dump dumps: a row adds a key or replaces a
--                         default, a NULL multiplier deletes a default
-- A restore (CREATE EXTENSION, then the dumped edits) and an upgrade (new
-- defaults, the edits kept) therefore give back exactly the user's weights,
-- and the two never collide on a key.  INSERT, UPDATE and DELETE on the view
-- become edits through weht_weights_write().
CREATE TABLE gcanalytics.weht_weights_default (
    dimension   text NOT NULL,
    key         text NOT NULL,
    multiplier  float8 NOT NULL,
    description text,
    PRIMARY KEY (dimension, key)
);
COMMENT ON TABLE gcanalytics.weht_weights_default IS
    'the weighted handle time multipliers this version of gcanalytics ships; edit gcanalytics.weht_weights instead';
-- keep in step with WEHT_DEFAULTS in src/kpi/weht.c
INSERT INTO gcanalytics.weht_weights_default VALUES
    ('transfers', '0', 1.0, 'handled without transfer'),
    ('transfers', '1', 1.2, 'one transfer'),
    ('transfers', '2', 1.5, 'two or more transfers'),
    ('media_type', 'voice', 1.0, NULL),
    ('media_type', 'callback', 1.0, NULL),
    ('media_type', 'chat', 0.9, 'agents handle chats concurrently'),
    ('media_type', 'message', 0.9, 'agents handle messages concurrently'),
    ('media_type', 'email', 1.1, 'written answers take more care'),
    ('media_type', 'video', 1.2, NULL),
    ('media_type', 'default', 1.0, 'any other media type');

CREATE TABLE gcanalytics.weht_weights_edit (
    dimension   text NOT NULL CHECK (dimension IN ('transfers', 'media_type')),
    key         text NOT NULL,
    multiplier  float8 CHECK (multiplier > 0 AND multiplier < 'Infinity'),
    description text,
    PRIMARY KEY (dimension, key),
    CHECK (dimension <> 'transfers' OR key ~ '^[0-9]+$')
);
COMMENT ON TABLE gcanalytics.weht_weights_edit IS
    'the user''s edits of gcanalytics.weht_weights (a NULL multiplier deletes a default); dumped by pg_dump';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.weht_weights_edit', '');

CREATE VIEW gcanalytics.weht_weights AS
SELECT e.dimension, e.key, e.multiplier, e.description
  FROM gcanalytics.weht_weights_edit e
 WHERE e.multiplier IS NOT NULL
UNION ALL
SELECT d.dimension, d.key, d.multiplier, d.description
  FROM gcanalytics.weht_weights_default d
 WHERE NOT EXISTS (SELECT FROM gcanalytics.weht_weights_edit e
                    WHERE e.dimension OPERATOR(pg_catalog.=) d.dimension
                      AND e.key OPERATOR(pg_catalog.=) d.key);
COMMENT ON VIEW gcanalytics.weht_weights IS
    'multipliers of weighted handle time: by transfer count (key "2" serves 2 or more) and by media type ("default" for the rest); editable';

-- INSTEAD OF trigger of the view.  Runs as the extension's owner so that
-- a role granted INSERT, UPDATE or DELETE on the view needs no privilege on
-- the tables behind it; only this trigger can call it.
CREATE FUNCTION gcanalytics.weht_weights_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key)) THEN
        -- the old key goes: a default is masked, an added key removed
        IF EXISTS (SELECT FROM gcanalytics.weht_weights_default d
                    WHERE d.dimension = OLD.dimension AND d.key = OLD.key) THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (OLD.dimension, OLD.key, NULL, NULL)
                ON CONFLICT (dimension, key) DO UPDATE SET multiplier = NULL, description = NULL;
        ELSE
            DELETE FROM gcanalytics.weht_weights_edit e WHERE e.dimension = OLD.dimension AND e.key = OLD.key;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF NEW.multiplier IS NULL THEN
        RAISE not_null_violation USING
            MESSAGE = 'null value in column "multiplier" of relation "weht_weights" violates not-null constraint';
    END IF;
    IF (TG_OP = 'INSERT' OR (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key))
       AND EXISTS (SELECT FROM gcanalytics.weht_weights w WHERE w.dimension = NEW.dimension AND w.key = NEW.key) THEN
        RAISE unique_violation USING
            MESSAGE = 'duplicate key value violates unique constraint "weht_weights_pkey"',
            DETAIL = format('Key (dimension, key)=(%s, %s) already exists.', NEW.dimension, NEW.key);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS NOT DISTINCT FROM (NEW.dimension, NEW.key) THEN
        INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description)
            ON CONFLICT (dimension, key) DO UPDATE SET multiplier = EXCLUDED.multiplier, description = EXCLUDED.description;
    ELSE
        -- a new key: re-adds a deleted default, or is added (two sessions
        -- adding one key meet the edit table's primary key)
        UPDATE gcanalytics.weht_weights_edit e SET multiplier = NEW.multiplier, description = NEW.description
         WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND e.multiplier IS NULL;
        IF NOT FOUND THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description);
        END IF;
    END IF;
    -- an edit that equals its default is no edit
    DELETE FROM gcanalytics.weht_weights_edit e USING gcanalytics.weht_weights_default d
     WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND d.dimension = e.dimension AND d.key = e.key
       AND e.multiplier = d.multiplier AND e.description IS NOT DISTINCT FROM d.description;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION gcanalytics.weht_weights_write() IS
    'INSTEAD OF trigger of gcanalytics.weht_weights: turns INSERT, UPDATE and DELETE into rows of weht_weights_edit';
CREATE TRIGGER weht_weights_write INSTEAD OF INSERT OR UPDATE OR DELETE ON gcanalytics.weht_weights
    FOR EACH ROW EXECUTE FUNCTION gcanalytics.weht_weights_write();

CREATE FUNCTION gcanalytics.weht_weights_json() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT pg_catalog.jsonb_build_object(
        'transfers', COALESCE((SELECT pg_catalog.jsonb_object_agg(w.key, w.multiplier)
                                 FROM gcanalytics.weht_weights w
                                WHERE w.dimension OPERATOR(pg_catalog.=) 'transfers'), '{}'),
        'media_type', COALESCE((SELECT pg_catalog.jsonb_object_agg(w.key, w.multiplier)
                                  FROM gcanalytics.weht_weights w
                                 WHERE w.dimension OPERATOR(pg_catalog.=) 'media_type'), '{}'))
    $$;
COMMENT ON FUNCTION gcanalytics.weht_weights_json() IS
    'the weights of gcanalytics.weht_weights as the jsonb weighted_handle_time() takes';

CREATE FUNCTION gcanalytics.weht_default_weights() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'gcanalytics_weht_default_weights'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weht_default_weights() IS
    'the built-in weights that the three-argument weighted_handle_time() uses';

CREATE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text) IS
    'handle_ms times the transfer and channel multipliers of the built-in weights';

CREATE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text, weights jsonb)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text, jsonb) IS
    'handle_ms times the transfer and channel multipliers of weights (see weht_weights_json())';

CREATE FUNCTION gcanalytics.evaluation_scores(answers jsonb)
    RETURNS TABLE (question_group_id text, question_id text, answer_id text,
                   score integer, max_score integer, marked_na boolean,
                   failed_kill_question boolean)
    AS 'MODULE_PATHNAME', 'gcanalytics_evaluation_scores'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION gcanalytics.evaluation_scores(jsonb) IS
    'one row per question score of a Quality API evaluation''s answers';

CREATE FUNCTION gcanalytics.interpolate(value float8, at timestamptz) RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_interpolate'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.interpolate(float8, timestamptz) IS
    'window function: NULL values filled linearly in "at" between the nearest non-NULL values of the partition; edges take the nearest value';

CREATE FUNCTION gcanalytics.normalize_phone(phone text, default_country_code text DEFAULT '1')
    RETURNS text
    AS 'MODULE_PATHNAME', 'gcanalytics_normalize_phone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.normalize_phone(text, text) IS
    'a phone number in E.164 (+15551234567), or NULL when it cannot be one; national numbers take default_country_code (1 = NANP)';
-- The warehouse tables (README "The warehouse").  Configuration tables are
-- empty at CREATE EXTENSION and filled with their defaults by configure(),
-- so that pg_dump dumps them whole (pg_extension_config_dump) and a restore
-- never collides with seeded rows.  Every unique key of the tables that
-- grow with traffic includes conversation_id, and no constraint refers to
-- another table, so that interactions and evaluations can be distributed
-- by conversation_id with Citus (README "Scaling out").

CREATE TABLE gcanalytics.settings (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    description text
);
COMMENT ON TABLE gcanalytics.settings IS
    'warehouse settings (name, value); configure() records the servers and adds every missing default';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.settings', '');

CREATE TABLE gcanalytics.crm_field_map (
    target  text PRIMARY KEY
        CHECK (target IN ('tier', 'industry', 'ltv', 'phone', 'owner', 'name')),
    sobject text NOT NULL DEFAULT 'Account',
    field   text NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_field_map IS
    'where each CRM value of the warehouse comes from (Account field, dotted for parents such as Owner.Name); checked by configure()';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_field_map', '');

CREATE TABLE gcanalytics.escalation_rules (
    kind  text NOT NULL CHECK (kind IN ('attribute', 'wrapup_code', 'queue')),
    value text NOT NULL,
    PRIMARY KEY (kind, value)
);
COMMENT ON TABLE gcanalytics.escalation_rules IS
    'a conversation is escalated when any rule matches: a participant attribute that is true, a wrap-up code (name or id), a transfer into a queue (name or id)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.escalation_rules', '');

CREATE TABLE gcanalytics.excluded_queues (
    queue_id text PRIMARY KEY,
    reason   text
);
COMMENT ON TABLE gcanalytics.excluded_queues IS
    'internal queues (QA review, training, health checks): conversations whose first queue is listed are not loaded';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.excluded_queues', '');

CREATE TABLE gcanalytics.releases (
    release_name text PRIMARY KEY,
    released_at  timestamptz NOT NULL,
    description  text
);
COMMENT ON TABLE gcanalytics.releases IS
    'the product release calendar, maintained by you; the escalation insight names the releases of a week';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.releases', '');

-- Reference data, replaced whole by sync_reference().
CREATE TABLE gcanalytics.queues (
    queue_id    text PRIMARY KEY,
    name        text,
    division_id text,
    loaded_at   timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.queues IS 'Genesys routing queues (id, name), from sync_reference()';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.queues', '');

CREATE TABLE gcanalytics.users (
    user_id     text PRIMARY KEY,
    name        text,
    email       text,
    state       text,
    department  text,
    title       text,
    division_id text,
    loaded_at   timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.users IS 'Genesys users (agents, evaluators), from sync_reference()';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.users', '');

CREATE TABLE gcanalytics.wrapup_codes (
    wrapup_code text PRIMARY KEY,
    name        text,
    loaded_at   timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.wrapup_codes IS 'Genesys wrap-up codes (id, name), from sync_reference()';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.wrapup_codes', '');

-- One row per conversation.  Partitions (one per month,
-- interactions_YYYY_MM) are created by the load as data arrives; pg_dump
-- dumps them as ordinary tables attached to this one.
CREATE TABLE gcanalytics.interactions (
    conversation_id        text NOT NULL,
    conversation_start     timestamptz NOT NULL,
    conversation_end       timestamptz,
    duration_ms            bigint,
    originating_direction  text,
    media_type             text,
    queue_id               text,
    queue_name             text,
    queue_ids              text[],
    agent_id               text,
    agent_name             text,
    agent_ids              text[],
    wrapup_code            text,
    wrapup_name            text,
    ani                    text,
    customer_key           text,
    next_contact_at        timestamptz,
    talk_ms                bigint,
    customer_hold_ms       bigint,
    system_hold_ms         bigint,
    acw_ms                 bigint,
    acd_ms                 bigint,
    ivr_ms                 bigint,
    alert_ms               bigint,
    handle_ms              bigint,
    weighted_handle_ms     float8,
    transfers              integer,
    transferred            boolean,
    abandoned              boolean,
    handled                boolean,
    in_progress            boolean,
    timeline_valid         boolean,
    timeline_anomaly       text,
    qa_score               float8,
    crm_account_id         text,
    crm_link               text CHECK (crm_link IN ('attribute', 'phone')),
    customer_tier          text,
    industry               text,
    account_name           text,
    account_owner          text,
    ltv                    numeric,
    open_case_count        integer,
    open_opportunity_count integer,
    was_escalated          boolean,
    handled_by_bot_only    boolean,
    attributes             jsonb,
    loaded_at              timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, conversation_start)
) PARTITION BY RANGE (conversation_start);
COMMENT ON TABLE gcanalytics.interactions IS
    'one row per conversation: Genesys fields, timeline(), weighted handle time, CRM fields; partitioned by month';
CREATE INDEX interactions_start_idx ON gcanalytics.interactions (conversation_start);
CREATE INDEX interactions_queue_idx ON gcanalytics.interactions (queue_id, conversation_start);
CREATE INDEX interactions_agent_idx ON gcanalytics.interactions (agent_id, conversation_start);
CREATE INDEX interactions_account_idx ON gcanalytics.interactions (crm_account_id, conversation_start);
CREATE INDEX interactions_customer_idx ON gcanalytics.interactions (customer_key, conversation_start, conversation_id);
CREATE INDEX interactions_in_progress_idx ON gcanalytics.interactions (conversation_start) WHERE in_progress;

COMMENT ON COLUMN gcanalytics.interactions.conversation_id IS 'Genesys conversation id';
COMMENT ON COLUMN gcanalytics.interactions.conversation_start IS 'when the conversation started';
COMMENT ON COLUMN gcanalytics.interactions.conversation_end IS 'when it ended (NULL while in progress)';
COMMENT ON COLUMN gcanalytics.interactions.duration_ms IS 'conversation_end - conversation_start, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.originating_direction IS 'inbound or outbound';
COMMENT ON COLUMN gcanalytics.interactions.media_type IS 'the customer session''s media type (voice, chat, email, message, callback)';
COMMENT ON COLUMN gcanalytics.interactions.queue_id IS 'the first queue';
COMMENT ON COLUMN gcanalytics.interactions.queue_name IS 'name of the first queue';
COMMENT ON COLUMN gcanalytics.interactions.queue_ids IS 'every queue, in order of first entry';
COMMENT ON COLUMN gcanalytics.interactions.agent_id IS 'the agent with the longest talk';
COMMENT ON COLUMN gcanalytics.interactions.agent_name IS 'name of that agent';
COMMENT ON COLUMN gcanalytics.interactions.agent_ids IS 'every agent that took part';
COMMENT ON COLUMN gcanalytics.interactions.wrapup_code IS 'the last agent wrap-up code id';
COMMENT ON COLUMN gcanalytics.interactions.wrapup_name IS 'name of that wrap-up code';
COMMENT ON COLUMN gcanalytics.interactions.ani IS 'the caller''s address as Genesys reports it';
COMMENT ON COLUMN gcanalytics.interactions.customer_key IS 'who the customer is, for repeat contacts: the CRM account, else the inbound ANI in E.164, else NULL';
COMMENT ON COLUMN gcanalytics.interactions.next_contact_at IS 'start of the same customer''s next conversation (by start, then conversation id); NULL when none (yet) or the customer is unknown; kept by the load';
COMMENT ON COLUMN gcanalytics.interactions.talk_ms IS 'agent talk time, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.customer_hold_ms IS 'holds the agent placed, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.system_hold_ms IS 'holds the agent did not place (IVR, ACD, parking), milliseconds; never in handle time';
COMMENT ON COLUMN gcanalytics.interactions.acw_ms IS 'after-call work (wrap-up), milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.acd_ms IS 'queue wait, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.ivr_ms IS 'time in IVR flows, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.alert_ms IS 'agent alerting (ringing) time, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.handle_ms IS 'talk + customer hold + wrap-up, milliseconds; system holds never count';
COMMENT ON COLUMN gcanalytics.interactions.weighted_handle_ms IS 'handle time weighted by transfers and channel (weighted_handle_time(), weights in weht_weights)';
COMMENT ON COLUMN gcanalytics.interactions.transfers IS 'number of transfers';
COMMENT ON COLUMN gcanalytics.interactions.transferred IS 'transferred at least once';
COMMENT ON COLUMN gcanalytics.interactions.abandoned IS 'ended in queue without reaching an agent';
COMMENT ON COLUMN gcanalytics.interactions.handled IS 'an agent talked with the customer for at least the min_talk_ms setting';
COMMENT ON COLUMN gcanalytics.interactions.in_progress IS 'still running when loaded (re-read by the next run)';
COMMENT ON COLUMN gcanalytics.interactions.timeline_valid IS 'timeline() found the segments well formed';
COMMENT ON COLUMN gcanalytics.interactions.timeline_anomaly IS 'why the timeline is malformed, when it is';
COMMENT ON COLUMN gcanalytics.interactions.qa_score IS 'average total score of the finished, non-calibration evaluations of the conversation';
COMMENT ON COLUMN gcanalytics.interactions.crm_account_id IS 'Salesforce Account id';
COMMENT ON COLUMN gcanalytics.interactions.crm_link IS 'how the account was found: attribute (sfAccountId), phone (ANI = account phone) or NULL';
COMMENT ON COLUMN gcanalytics.interactions.customer_tier IS 'CRM tier of the account (crm_field_map target tier)';
COMMENT ON COLUMN gcanalytics.interactions.industry IS 'CRM industry of the account';
COMMENT ON COLUMN gcanalytics.interactions.account_name IS 'CRM account name';
COMMENT ON COLUMN gcanalytics.interactions.account_owner IS 'CRM account owner';
COMMENT ON COLUMN gcanalytics.interactions.ltv IS 'CRM lifetime value of the account (revenue)';
COMMENT ON COLUMN gcanalytics.interactions.open_case_count IS 'open CRM cases of the account when enriched';
COMMENT ON COLUMN gcanalytics.interactions.open_opportunity_count IS 'open CRM opportunities of the account when enriched (revenue)';
COMMENT ON COLUMN gcanalytics.interactions.was_escalated IS 'matches a rule of escalation_rules';
COMMENT ON COLUMN gcanalytics.interactions.handled_by_bot_only IS 'ended within a bot flow: no queue, no agent';
COMMENT ON COLUMN gcanalytics.interactions.attributes IS 'participant attributes, merged';
COMMENT ON COLUMN gcanalytics.interactions.loaded_at IS 'when this row last changed';

CREATE TABLE gcanalytics.evaluations (
    evaluation_id            text NOT NULL,
    conversation_id          text NOT NULL,
    conversation_start       timestamptz,
    agent_id                 text,
    evaluator_id             text,
    queue_id                 text,
    form_id                  text,
    form_name                text,
    status                   text,
    total_score              float8,
    total_critical_score     float8,
    total_non_critical_score float8,
    any_failed_kill_questions boolean,
    is_calibration           boolean,
    calibration_id           text,
    release_date             timestamptz,
    assigned_date            timestamptz,
    changed_date             timestamptz,
    answers                  jsonb,
    loaded_at                timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, evaluation_id)
);
COMMENT ON TABLE gcanalytics.evaluations IS
    'quality evaluations, upserted by evaluation id; calibrations kept and flagged (is_calibration), left out of agent scoring';
CREATE INDEX evaluations_agent_idx ON gcanalytics.evaluations (agent_id, form_id);
CREATE INDEX evaluations_start_idx ON gcanalytics.evaluations (conversation_start);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.evaluations', '');

CREATE TABLE gcanalytics.queue_metrics (
    granularity     text NOT NULL CHECK (granularity IN ('PT1H', 'P1D')),
    interval_start  timestamptz NOT NULL,
    queue_id        text NOT NULL,
    media_type      text NOT NULL,
    n_offered       bigint,
    n_connected     bigint,
    n_abandoned     bigint,
    n_transferred   bigint,
    t_handle_sum    float8,
    t_handle_count  bigint,
    t_talk_sum      float8,
    t_talk_count    bigint,
    t_held_sum      float8,
    t_acw_sum       float8,
    t_acd_sum       float8,
    t_acd_count     bigint,
    t_abandon_sum   float8,
    loaded_at       timestamptz NOT NULL,
    PRIMARY KEY (granularity, interval_start, queue_id, media_type)
);
COMMENT ON TABLE gcanalytics.queue_metrics IS
    'the aggregates API per queue and media type, hourly (PT1H) and daily (P1D, UTC days); counts and sums in milliseconds';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.queue_metrics', '');

CREATE TABLE gcanalytics.crm_accounts (
    account_id             text PRIMARY KEY,
    name                   text,
    tier                   text,
    industry               text,
    owner                  text,
    ltv                    numeric,
    phone                  text,
    phone_e164             text,
    open_case_count        integer NOT NULL DEFAULT 0,
    open_opportunity_count integer NOT NULL DEFAULT 0,
    system_modstamp        timestamptz,
    loaded_at              timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_accounts IS
    'snapshot of the Salesforce Accounts (fields from crm_field_map), incremental on SystemModstamp';
CREATE INDEX crm_accounts_phone_idx ON gcanalytics.crm_accounts (phone_e164);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_accounts', '');

-- _comment_columns_like(target, source): every column of target without a
-- comment takes the comment of source's column of the same name (views over
-- a table: BI tools show the comments).
CREATE FUNCTION gcanalytics._comment_columns_like(target regclass, source regclass)
    RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT t.attname, col_description(source, s.attnum) AS comment
          FROM pg_catalog.pg_attribute t
          JOIN pg_catalog.pg_attribute s ON s.attrelid = source AND s.attname = t.attname AND s.attnum > 0
         WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped
           AND col_description(target, t.attnum) IS NULL AND col_description(source, s.attnum) IS NOT NULL
    LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', target, col.attname, col.comment);
    END LOOP;
END
$$;

CREATE TABLE gcanalytics.sync_windows (
    resource       text NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    rows           bigint,
    expected_rows  bigint,
    error          text,
    error_sqlstate text,
    started_at     timestamptz,
    finished_at    timestamptz,
    seconds        float8,
    recheck        boolean NOT NULL DEFAULT false,
    checked_at     timestamptz,
    PRIMARY KEY (resource, window_start),
    CHECK (window_end > window_start)
);
COMMENT ON TABLE gcanalytics.sync_windows IS
    'one row per resource and time window loaded: status, attempts, rows, the error of a failed window (the dead-letter list)';
COMMENT ON COLUMN gcanalytics.sync_windows.resource IS 'conversations, evaluations or queue_metrics';
COMMENT ON COLUMN gcanalytics.sync_windows.window_start IS 'start of the window (inclusive)';
COMMENT ON COLUMN gcanalytics.sync_windows.window_end IS 'end of the window (exclusive)';
COMMENT ON COLUMN gcanalytics.sync_windows.status IS 'pending, running (committed before the load starts), done or failed';
COMMENT ON COLUMN gcanalytics.sync_windows.attempts IS 'how many times the window was loaded';
COMMENT ON COLUMN gcanalytics.sync_windows.rows IS 'rows the last successful load read';
COMMENT ON COLUMN gcanalytics.sync_windows.expected_rows IS 'conversations the aggregates API counts for the window (check_window())';
COMMENT ON COLUMN gcanalytics.sync_windows.error IS 'the error of the last failed load';
COMMENT ON COLUMN gcanalytics.sync_windows.error_sqlstate IS 'its SQLSTATE';
COMMENT ON COLUMN gcanalytics.sync_windows.started_at IS 'when the last load started';
COMMENT ON COLUMN gcanalytics.sync_windows.finished_at IS 'when the last load ended';
COMMENT ON COLUMN gcanalytics.sync_windows.seconds IS 'how long the last load took';
COMMENT ON COLUMN gcanalytics.sync_windows.recheck IS 'check_window() found the loaded volume off: the next run() loads the window again';
COMMENT ON COLUMN gcanalytics.sync_windows.checked_at IS 'when check_window() last compared the window';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.sync_windows', '');

CREATE TABLE gcanalytics.sync_state (
    resource        text PRIMARY KEY,
    high_water_mark timestamptz,
    updated_at      timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.sync_state IS
    'high-water marks: how far each resource is loaded (conversations, evaluations, queue_metrics: by conversation time; crm: by SystemModstamp)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.sync_state', '');

-- The dead-letter list: the failed windows.
CREATE VIEW gcanalytics.failed_windows AS
SELECT resource, window_start, window_end, attempts, error, error_sqlstate, finished_at
  FROM gcanalytics.sync_windows
 WHERE status = 'failed';
COMMENT ON VIEW gcanalytics.failed_windows IS
    'the dead-letter list: windows whose last load failed; retry_failed() (and every run()) loads them again';
SELECT gcanalytics._comment_columns_like('gcanalytics.failed_windows', 'gcanalytics.sync_windows');
-- Warehouse configuration: settings with their defaults, configure() and
-- the checks every load makes first (README "The warehouse").

-- The settings gcanalytics knows, with their defaults.  configure() adds
-- every one missing from gcanalytics.settings.
CREATE FUNCTION gcanalytics.setting_defaults()
    RETURNS TABLE (name text, value text, description text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    VALUES
        ('genesys_server', '', 'the Genesys Cloud foreign server the warehouse reads (configure())'),
        ('salesforce_server', '', 'the Salesforce foreign server, empty for none (configure())'),
        ('initial_sync_from', '14 days', 'where the first run() starts: an interval before its end, or a timestamp'),
        ('min_talk_ms', '3000', 'an agent who talked less than this (ms) did not handle the conversation'),
        ('lag_window', '2 hours', 'data this recent is not final at Genesys and is read again by the next run()'),
        ('evaluation_lookback', '3 days', 'each run() re-reads the evaluations of conversations this far back (new ones, status changes)'),
        ('crm_relink_days', '30', 'a CRM account change re-enriches its interactions of this many days before the newest loaded'),
        ('join_quality_warn_pct', '30', 'join_quality warns when more than this share (%) of interactions has no CRM account'),
        ('validation_tolerance_pct', '0.5', 'check_window() marks a window for reloading when loaded and expected volume differ by more than this (%)'),
        ('window_max_conversations', '25000', 'automatic conversation windows hold at most this many conversations (by the aggregates count)'),
        ('window_max_length', '1 day', 'automatic conversation windows are at most this long'),
        ('max_attempts', '5', 'run() retries a failed window until it has failed this many times; retry_failed() always retries'),
        ('default_country_code', '1', 'country code of national phone numbers when matching the ANI to CRM phones'),
        ('internal_queue_pattern', '(qa review|training|health.?check)', 'configure() lists queues whose name matches (case-insensitive) in excluded_queues, once'),
        ('service_level_default', '20 seconds', 'kpi_*: a conversation is answered in time when its queue wait is at most this (queues not in service_level_targets)'),
        ('fcr_window', '7 days', 'kpi_*: a conversation is resolved at first contact when the same customer does not call again within this'),
        ('containment_window', '24 hours', 'bot_containment_by_industry: a contained conversation held when the same customer does not come back within this'),
        ('crm_stale_after', '1 day', 'join_quality flags the CRM snapshot as stale when the last CRM sync is older than this'),
        ('insight_max_p', '0.01', 'escalation_insights writes a sentence only for changes with a p-value below this'),
        ('insight_min_conversations', '30', 'escalation_insights writes a sentence only when both weeks have at least this many conversations')
$$;
COMMENT ON FUNCTION gcanalytics.setting_defaults() IS 'the warehouse settings and their defaults';

-- setting(name): the value of a setting, its default when unset.
CREATE FUNCTION gcanalytics.setting(setting_name text)
    RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce((SELECT s.value FROM gcanalytics.settings s WHERE s.name = setting_name),
                    (SELECT d.value FROM gcanalytics.setting_defaults() d WHERE d.name = setting_name))
$$;
COMMENT ON FUNCTION gcanalytics.setting(text) IS 'the value of a warehouse setting (its default when not set)';

-- The source schema's foreign tables for the CRM, built from
-- crm_field_map.  Only the fields the warehouse uses are selected.
CREATE FUNCTION gcanalytics._crm_field(crm_target text)
    RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT field FROM gcanalytics.crm_field_map WHERE target = crm_target $$;

CREATE PROCEDURE gcanalytics._create_crm_tables(salesforce_server text)
    LANGUAGE plpgsql
    AS $$
DECLARE
    m record;
BEGIN
    FOR m IN SELECT target, sobject, field FROM gcanalytics.crm_field_map WHERE sobject <> 'Account' LOOP
        RAISE EXCEPTION 'crm_field_map target "%" reads sObject "%"', m.target, m.sobject
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The warehouse reads every CRM value from the Account of the conversation.',
                  HINT = 'Name an Account field, dotted for parent fields (such as Owner.Name).';
    END LOOP;
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_account (
             account_id text OPTIONS (field %L), system_modstamp timestamptz OPTIONS (field %L),
             name text OPTIONS (field %L), tier text OPTIONS (field %L), industry text OPTIONS (field %L),
             ltv numeric OPTIONS (field %L), phone text OPTIONS (field %L), owner text OPTIONS (field %L))
         SERVER %I OPTIONS (sobject %L)',
        'Id', 'SystemModstamp', gcanalytics._crm_field('name'), gcanalytics._crm_field('tier'),
        gcanalytics._crm_field('industry'), gcanalytics._crm_field('ltv'), gcanalytics._crm_field('phone'),
        gcanalytics._crm_field('owner'), salesforce_server, 'Account');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_open_case (account_id text OPTIONS (field %L), is_closed boolean OPTIONS (field %L))
         SERVER %I OPTIONS (sobject %L)', 'AccountId', 'IsClosed', salesforce_server, 'Case');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_open_opportunity (account_id text OPTIONS (field %L), is_closed boolean OPTIONS (field %L))
         SERVER %I OPTIONS (sobject %L)', 'AccountId', 'IsClosed', salesforce_server, 'Opportunity');
END
$$;

-- configure(): records the servers, adds the missing defaults and
-- (re)creates the foreign tables of gcanalytics_source.  The CRM fields
-- are checked against the org's describe (through the FDW): a field the
-- org lacks is an error naming its crm_field_map target.
CREATE PROCEDURE gcanalytics.configure(genesys_server text, salesforce_server text DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    srv record;
    m record;
    pattern text;
    n int;
BEGIN
    FOR srv IN SELECT s.name, s.service
                 FROM (VALUES (genesys_server, 'genesys'), (salesforce_server, 'salesforce')) s (name, service)
                WHERE s.name IS NOT NULL LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server fs
                         JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = fs.srvfdw
                        WHERE fs.srvname = srv.name AND w.fdwname = 'gcanalytics_fdw'
                          AND coalesce((SELECT split_part(o, '=', 2) FROM unnest(fs.srvoptions) o
                                         WHERE o LIKE 'service=%'), 'genesys') = srv.service) THEN
            RAISE EXCEPTION 'server "%" is not a % server of gcanalytics_fdw', srv.name, srv.service
                USING ERRCODE = 'undefined_object',
                      HINT = format('CREATE SERVER %s FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service %L, ...) first.',
                                    srv.name, srv.service);
        END IF;
    END LOOP;
    IF genesys_server IS NULL THEN
        RAISE EXCEPTION 'configure() needs a Genesys server' USING ERRCODE = 'null_value_not_allowed';
    END IF;

    INSERT INTO gcanalytics.settings (name, value, description)
    SELECT d.name, d.value, d.description FROM gcanalytics.setting_defaults() d
    ON CONFLICT (name) DO NOTHING;
    UPDATE gcanalytics.settings SET value = genesys_server WHERE name = 'genesys_server';
    UPDATE gcanalytics.settings SET value = coalesce(salesforce_server, '') WHERE name = 'salesforce_server';
    INSERT INTO gcanalytics.crm_field_map (target, sobject, field)
    VALUES ('tier', 'Account', 'Tier__c'), ('industry', 'Account', 'Industry'),
           ('ltv', 'Account', 'Lifetime_Value__c'), ('phone', 'Account', 'Phone'),
           ('owner', 'Account', 'Owner.Name'), ('name', 'Account', 'Name')
    ON CONFLICT (target) DO NOTHING;
    IF NOT EXISTS (SELECT 1 FROM gcanalytics.settings WHERE name = 'escalation_rules_seeded') THEN
        INSERT INTO gcanalytics.escalation_rules VALUES ('attribute', 'escalated') ON CONFLICT DO NOTHING;
        INSERT INTO gcanalytics.settings VALUES ('escalation_rules_seeded', 'true',
            'the default escalation rule was added once; edit escalation_rules freely');
    END IF;

    DROP SCHEMA IF EXISTS gcanalytics_source CASCADE;
    CREATE SCHEMA gcanalytics_source;
    COMMENT ON SCHEMA gcanalytics_source IS 'the foreign tables the warehouse reads, (re)created by gcanalytics.configure()';
    EXECUTE format('IMPORT FOREIGN SCHEMA analytics FROM SERVER %I INTO gcanalytics_source', genesys_server);
    IF salesforce_server IS NOT NULL THEN
        FOR m IN SELECT target, sobject, field FROM gcanalytics.crm_field_map ORDER BY target LOOP
            EXECUTE format('CREATE FOREIGN TABLE gcanalytics_source.crm_field_probe (v text OPTIONS (field %L)) SERVER %I OPTIONS (sobject %L)',
                           m.field, salesforce_server, m.sobject);
            BEGIN
                EXECUTE 'EXPLAIN SELECT v FROM gcanalytics_source.crm_field_probe';
            EXCEPTION WHEN fdw_column_name_not_found THEN
                RAISE EXCEPTION 'crm_field_map target "%" names %.%, a field the Salesforce org does not have',
                    m.target, m.sobject, m.field
                    USING ERRCODE = 'fdw_column_name_not_found',
                          DETAIL = format('Describe of %s on server %s has no readable field %s.', m.sobject, salesforce_server, m.field),
                          HINT = format('UPDATE gcanalytics.crm_field_map SET field = ''<your field>'' WHERE target = %L; then CALL gcanalytics.configure(...) again.', m.target);
            END;
            DROP FOREIGN TABLE gcanalytics_source.crm_field_probe;
        END LOOP;
        CALL gcanalytics._create_crm_tables(salesforce_server);
    END IF;

    IF NOT EXISTS (SELECT 1 FROM gcanalytics.settings WHERE name = 'excluded_queues_seeded') THEN
        pattern := gcanalytics.setting('internal_queue_pattern');
        INSERT INTO gcanalytics.excluded_queues (queue_id, reason)
        SELECT q.id, format('internal queue "%s" (name matched at configure())', q.name)
          FROM gcanalytics_source.queues q
         WHERE q.name ~* pattern
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        INSERT INTO gcanalytics.settings VALUES ('excluded_queues_seeded', 'true',
            'internal queues were listed in excluded_queues once; edit excluded_queues freely');
        RAISE NOTICE 'excluded_queues: % internal queue(s) whose name matches %', n, pattern
            USING HINT = 'Their conversations are not loaded; edit gcanalytics.excluded_queues to change that.';
    END IF;
    RAISE NOTICE 'gcanalytics configured: Genesys server %, Salesforce server %', genesys_server,
        coalesce(salesforce_server, 'none (CRM columns stay NULL)');
END
$$;
COMMENT ON PROCEDURE gcanalytics.configure(text, text) IS
    'record the servers, add missing defaults, (re)create the foreign tables of gcanalytics_source';

-- _check_ready(): the warehouse is configured and the current role can
-- read through every configured server (a user mapping of its own or
-- PUBLIC's); an error with a hint otherwise, before anything is loaded.
CREATE FUNCTION gcanalytics._check_ready()
    RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    srv text;
BEGIN
    IF coalesce(gcanalytics.setting('genesys_server'), '') = '' THEN
        RAISE EXCEPTION 'the gcanalytics warehouse is not configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'CALL gcanalytics.configure(genesys_server => ''genesys'', salesforce_server => ''salesforce'') first.';
    END IF;
    FOREACH srv IN ARRAY array_remove(ARRAY[gcanalytics.setting('genesys_server'), gcanalytics.setting('salesforce_server')], '') LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_user_mappings um
                        WHERE um.srvname = srv
                          AND (um.usename = current_user OR um.usename = 'public')) THEN
            RAISE EXCEPTION 'role "%" has no user mapping for server "%"', current_user, srv
                USING ERRCODE = 'undefined_object',
                      DETAIL = 'The warehouse reads the APIs with the credentials of the role that runs the load; without them nothing can be loaded.',
                      HINT = format('CREATE USER MAPPING FOR %I SERVER %I OPTIONS (client_id ''...'', client_secret ''...''), or run the load as a role that has one.',
                                    current_user, srv);
        END IF;
        IF NOT has_server_privilege(srv, 'USAGE') THEN
            RAISE EXCEPTION 'role "%" may not use server "%"', current_user, srv
                USING ERRCODE = 'insufficient_privilege',
                      HINT = format('GRANT USAGE ON FOREIGN SERVER %I TO %I;', srv, current_user);
        END IF;
    END LOOP;
    IF to_regclass('gcanalytics_source.conversations') IS NULL THEN
        RAISE EXCEPTION 'the source tables of the warehouse are missing'
            USING ERRCODE = 'undefined_table',
                  HINT = 'CALL gcanalytics.configure(...) again; it recreates schema gcanalytics_source.';
    END IF;
END
$$;
-- Loading one window of one resource (README "The warehouse"): plain
-- functions, no transaction control; the procedures of 33_warehouse_run.sql
-- call them one window per transaction.

-- _ensure_partitions(from, to): the monthly partitions of interactions
-- that [from, to) touches exist (interactions_YYYY_MM, UTC months).
CREATE FUNCTION gcanalytics._ensure_partitions(range_from timestamptz, range_to timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    month_start timestamp;
    name text;
BEGIN
    month_start := date_trunc('month', range_from AT TIME ZONE 'UTC');
    WHILE (month_start AT TIME ZONE 'UTC') < range_to LOOP
        name := 'interactions_' || to_char(month_start, 'YYYY_MM');
        IF to_regclass('gcanalytics.' || name) IS NULL THEN
            EXECUTE format('CREATE TABLE gcanalytics.%I PARTITION OF gcanalytics.interactions FOR VALUES FROM (%L) TO (%L)',
                           name, (month_start AT TIME ZONE 'UTC'), ((month_start + interval '1 month') AT TIME ZONE 'UTC'));
        END IF;
        month_start := month_start + interval '1 month';
    END LOOP;
END
$$;

-- _upsert(target, keys, source, derived): inserts the rows of the query
-- source (which names every column of target but loaded_at and the derived
-- ones, which the caller keeps) into target; a row whose key exists is
-- updated only when a value differs, so that loading the same data again
-- changes nothing (loaded_at included).  Returns the rows of source and
-- the rows inserted or changed.
CREATE FUNCTION gcanalytics._upsert(target regclass, keys text[], source text, derived text[] DEFAULT '{}',
                                    OUT source_rows bigint, OUT changed_rows bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
    cols text[];
    vals text[];
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
                    SELECT %s, %s, clock_timestamp() FROM s
                    ON CONFLICT (%s) DO UPDATE SET %s, loaded_at = EXCLUDED.loaded_at
                    WHERE (%s) IS DISTINCT FROM (%s)
                    RETURNING 1)
         SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM u)',
        source, target,
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(cols, ', '),
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(cols, ', '),
        array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(keys) k), ', '), array_to_string(vals, ', '),
        array_to_string(ARRAY(SELECT 't.' || c FROM unnest(cols) c), ', '),
        array_to_string(ARRAY(SELECT 'EXCLUDED.' || c FROM unnest(cols) c), ', '))
      INTO source_rows, changed_rows;
END
$$;

-- _agent_talk_ms(raw): the longest talk of one agent (ms, closed interact
-- segments of its agent participants summed by user), 0 without agent.
CREATE FUNCTION gcanalytics._agent_talk_ms(raw jsonb)
    RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(max(talk), 0)
      FROM (SELECT sum(extract(epoch FROM ((g->>'segmentEnd')::timestamptz - (g->>'segmentStart')::timestamptz)) * 1000)::bigint AS talk
              FROM jsonb_array_elements(raw->'participants') p,
                   jsonb_array_elements(p->'sessions') s,
                   jsonb_array_elements(s->'segments') g
             WHERE p->>'purpose' = 'agent' AND g->>'segmentType' = 'interact' AND g ? 'segmentEnd'
             GROUP BY p->>'userId') a
$$;

-- _bot_only(raw, ended): ended inside a bot flow, no queue, no agent.
CREATE FUNCTION gcanalytics._bot_only(raw jsonb, ended boolean)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ended AND bool_or(p->>'purpose' = 'botflow') AND NOT bool_or(p->>'purpose' IN ('acd', 'agent'))
      FROM jsonb_array_elements(raw->'participants') p
$$;

-- The escalation rules resolved to ids once per window: attribute names,
-- wrap-up code ids, queue ids (rules may name them by name or id).
CREATE FUNCTION gcanalytics._escalation_rule_ids(rule_kind text)
    RETURNS text[]
    LANGUAGE sql STABLE
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

-- _interactions_source(from, to): the query that reads the conversations
-- started in [from, to) (only those of only_ids when given) and shapes
-- them into interactions rows.
CREATE FUNCTION gcanalytics._interactions_source(range_from timestamptz, range_to timestamptz,
                                                  only_ids text[] DEFAULT NULL)
    RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT format($q$
        SELECT c.conversation_id, c.conversation_start, c.conversation_end, c.duration_ms,
               c.originating_direction, c.media_type, c.queue_id, q.name AS queue_name, c.queue_ids,
               c.agent_id, u.name AS agent_name, c.agent_ids, c.wrapup_code, w.name AS wrapup_name, c.ani,
               coalesce(c.attr_account, a.account_id, CASE WHEN c.originating_direction = 'inbound' THEN c.ani_e164 END) AS customer_key,
               t.talk_ms, t.customer_hold_ms, t.system_hold_ms, t.acw_ms, t.queue_wait_ms AS acd_ms, t.ivr_ms,
               t.alert_ms, t.handle_ms,
               gcanalytics.weighted_handle_time(t.handle_ms, t.transfers, c.media_type, %L::jsonb) AS weighted_handle_ms,
               t.transfers, t.transfers > 0 AS transferred, c.abandoned,
               gcanalytics._agent_talk_ms(c.raw) >= %s AS handled,
               c.conversation_end IS NULL AS in_progress, t.valid AS timeline_valid, t.anomaly AS timeline_anomaly,
               (SELECT avg(e.total_score) FROM gcanalytics.evaluations e
                 WHERE e.conversation_id = c.conversation_id AND NOT e.is_calibration AND e.status = 'FINISHED') AS qa_score,
               coalesce(c.attr_account, a.account_id) AS crm_account_id,
               CASE WHEN c.attr_account IS NOT NULL THEN 'attribute' WHEN a.account_id IS NOT NULL THEN 'phone' END AS crm_link,
               a.tier AS customer_tier, a.industry, a.name AS account_name, a.owner AS account_owner, a.ltv,
               a.open_case_count, a.open_opportunity_count,
               (EXISTS (SELECT 1 FROM unnest(%L::text[]) r WHERE lower(c.attributes->>r) IN ('true', 'yes', '1'))
                OR c.wrapup_code = ANY (%L::text[])
                OR c.queue_ids[2:] && %L::text[]) AS was_escalated,
               gcanalytics._bot_only(c.raw, c.conversation_end IS NOT NULL) AS handled_by_bot_only,
               c.attributes
          FROM (SELECT c.*, nullif(c.attributes->>'sfAccountId', '') AS attr_account,
                       gcanalytics.normalize_phone(c.ani, %L) AS ani_e164
                  FROM gcanalytics_source.conversations c
                 WHERE c.conversation_start >= %L AND c.conversation_start < %L%s) c
          CROSS JOIN LATERAL gcanalytics.timeline(c.raw) t
          LEFT JOIN gcanalytics.queues q ON q.queue_id = c.queue_id
          LEFT JOIN gcanalytics.users u ON u.user_id = c.agent_id
          LEFT JOIN gcanalytics.wrapup_codes w ON w.wrapup_code = c.wrapup_code
          LEFT JOIN LATERAL gcanalytics._crm_match(c.attr_account, c.ani_e164) a ON true
         WHERE c.queue_id IS NULL OR c.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x)
        $q$,
        gcanalytics.weht_weights_json(), gcanalytics.setting('min_talk_ms')::bigint,
        gcanalytics._escalation_rule_ids('attribute'), gcanalytics._escalation_rule_ids('wrapup_code'),
        gcanalytics._escalation_rule_ids('queue'),
        gcanalytics.setting('default_country_code'), range_from, range_to,
        CASE WHEN only_ids IS NOT NULL THEN format(' AND c.conversation_id = ANY (%L::text[])', only_ids) ELSE '' END)
$$;

-- ------------------------------------------------------------ next contact
-- interactions.next_contact_at is kept as rows take or leave a place
-- (customer_key, conversation_start, conversation_id), so that the
-- dashboards read it instead of sorting every row by customer: such a
-- move changes the next contact of the row itself and of the row just
-- before the place, and of no other row.
CREATE TYPE gcanalytics._contact_place AS (customer_key text, conversation_start timestamptz, conversation_id text);

-- _link_next_contacts(moved): sets next_contact_at again for the moved
-- rows that still exist and for the row before each place in moved.
-- Returns the rows it changed.
CREATE FUNCTION gcanalytics._link_next_contacts(moved gcanalytics._contact_place[])
    RETURNS bigint
    LANGUAGE sql
    AS $$
    WITH m AS (
        SELECT * FROM unnest(moved)
    ), f AS (
        SELECT m.conversation_id, m.conversation_start FROM m
        UNION
        SELECT p.conversation_id, p.conversation_start
          FROM m CROSS JOIN LATERAL (
                SELECT j.conversation_id, j.conversation_start FROM gcanalytics.interactions j
                 WHERE j.customer_key = m.customer_key
                   AND (j.conversation_start, j.conversation_id) < (m.conversation_start, m.conversation_id)
                 ORDER BY j.conversation_start DESC, j.conversation_id DESC LIMIT 1) p
    ), n AS (
        SELECT i.conversation_id, i.conversation_start,
               (SELECT j.conversation_start FROM gcanalytics.interactions j
                 WHERE j.customer_key = i.customer_key
                   AND (j.conversation_start, j.conversation_id) > (i.conversation_start, i.conversation_id)
                 ORDER BY j.conversation_start, j.conversation_id LIMIT 1) AS next_contact_at
          FROM f JOIN gcanalytics.interactions i USING (conversation_id, conversation_start)
    ), u AS (
        UPDATE gcanalytics.interactions t
           SET next_contact_at = n.next_contact_at, loaded_at = clock_timestamp()
          FROM n
         WHERE t.conversation_id = n.conversation_id AND t.conversation_start = n.conversation_start
           AND t.next_contact_at IS DISTINCT FROM n.next_contact_at
        RETURNING 1)
    SELECT count(*) FROM u
$$;

-- _contact_places(from, to, only_ids): the places of the interactions
-- started in [from, to) (only those of only_ids when given).
CREATE FUNCTION gcanalytics._contact_places(range_from timestamptz, range_to timestamptz, only_ids text[])
    RETURNS gcanalytics._contact_place[]
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(array_agg(ROW(i.customer_key, i.conversation_start, i.conversation_id)::gcanalytics._contact_place), '{}')
      FROM gcanalytics.interactions i
     WHERE i.conversation_start >= range_from AND i.conversation_start < range_to
       AND (only_ids IS NULL OR i.conversation_id = ANY (only_ids))
$$;

-- _upsert_interactions(from, to, only_ids): the conversations started in
-- [from, to) (only those of only_ids when given) upserted into
-- interactions, and the next contacts their moves change.  Returns the
-- rows the source gave.
CREATE FUNCTION gcanalytics._upsert_interactions(range_from timestamptz, range_to timestamptz,
                                                 only_ids text[] DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    before gcanalytics._contact_place[] := gcanalytics._contact_places(range_from, range_to, only_ids);
    after gcanalytics._contact_place[];
    r record;
BEGIN
    r := gcanalytics._upsert('gcanalytics.interactions', ARRAY['conversation_id', 'conversation_start'],
                             gcanalytics._interactions_source(range_from, range_to, only_ids),
                             ARRAY['next_contact_at']);
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
CREATE FUNCTION gcanalytics._load_conversations(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM gcanalytics._ensure_partitions(range_from, range_to);
    RETURN gcanalytics._upsert_interactions(range_from, range_to);
END
$$;

CREATE FUNCTION gcanalytics._load_evaluations(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
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
    UPDATE gcanalytics.interactions i
       SET qa_score = s.qa_score, loaded_at = clock_timestamp()
      FROM (SELECT i2.conversation_id, i2.conversation_start,
                   (SELECT avg(e.total_score) FROM gcanalytics.evaluations e
                     WHERE e.conversation_id = i2.conversation_id AND NOT e.is_calibration AND e.status = 'FINISHED') AS qa_score
              FROM gcanalytics.interactions i2
             WHERE i2.conversation_start >= range_from AND i2.conversation_start < range_to) s
     WHERE i.conversation_id = s.conversation_id AND i.conversation_start = s.conversation_start
       AND i.qa_score IS DISTINCT FROM s.qa_score;
    RETURN r.source_rows;
END
$$;

-- queue_metrics: the hourly aggregates of the window per queue and media
-- type, and the UTC days the window holds whole summed from them (the
-- aggregates API's P1D buckets are the sums of its PT1H buckets in UTC).
CREATE FUNCTION gcanalytics._load_queue_metrics(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    r record;
    hourly text;
BEGIN
    hourly := format($q$
        SELECT 'PT1H'::text AS granularity, a.interval_start, a.queue_id, a.media_type,
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
          FROM gcanalytics_source.conversation_aggregates a
         WHERE a.interval_start >= %L AND a.interval_start < %L AND a.granularity = 'PT1H'
           AND a.metric IN ('nOffered', 'nConnected', 'tAbandon', 'nTransferred', 'tHandle', 'tTalk', 'tHeld', 'tAcw', 'tAcd')
           AND a.queue_id IS NOT NULL AND a.media_type IS NOT NULL
         GROUP BY a.interval_start, a.queue_id, a.media_type $q$, range_from, range_to);
    r := gcanalytics._upsert('gcanalytics.queue_metrics', ARRAY['granularity', 'interval_start', 'queue_id', 'media_type'], hourly);
    PERFORM gcanalytics._upsert('gcanalytics.queue_metrics', ARRAY['granularity', 'interval_start', 'queue_id', 'media_type'], format($q$
        SELECT 'P1D'::text AS granularity, date_trunc('day', h.interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS interval_start,
               h.queue_id, h.media_type, sum(h.n_offered)::bigint AS n_offered, sum(h.n_connected)::bigint AS n_connected,
               sum(h.n_abandoned)::bigint AS n_abandoned, sum(h.n_transferred)::bigint AS n_transferred,
               sum(h.t_handle_sum) AS t_handle_sum, sum(h.t_handle_count)::bigint AS t_handle_count,
               sum(h.t_talk_sum) AS t_talk_sum, sum(h.t_talk_count)::bigint AS t_talk_count, sum(h.t_held_sum) AS t_held_sum,
               sum(h.t_acw_sum) AS t_acw_sum, sum(h.t_acd_sum) AS t_acd_sum, sum(h.t_acd_count)::bigint AS t_acd_count,
               sum(h.t_abandon_sum) AS t_abandon_sum
          FROM gcanalytics.queue_metrics h
         WHERE h.granularity = 'PT1H' AND h.interval_start >= %L AND h.interval_start < %L
         GROUP BY 2, 3, 4 $q$,
        date_trunc('day', range_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        date_trunc('day', range_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day'));
    RETURN r.source_rows;
END
$$;

CREATE FUNCTION gcanalytics._load_window(resource text, range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
BEGIN
    CASE resource
        WHEN 'conversations' THEN RETURN gcanalytics._load_conversations(range_from, range_to);
        WHEN 'evaluations' THEN RETURN gcanalytics._load_evaluations(range_from, range_to);
        WHEN 'queue_metrics' THEN RETURN gcanalytics._load_queue_metrics(range_from, range_to);
        ELSE RAISE EXCEPTION 'unknown warehouse resource "%"', resource
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Resources are conversations, evaluations and queue_metrics.';
    END CASE;
END
$$;

-- _conversation_counts(from, to): conversations started per hour in
-- [from, to) by the aggregates API (nConversations), without those whose
-- first queue is excluded, from one aggregates query.
CREATE FUNCTION gcanalytics._conversation_counts(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (hour_start timestamptz, conversations bigint)
    LANGUAGE sql
    AS $$
    SELECT a.interval_start, sum(a.count)::bigint
      FROM gcanalytics_source.conversation_aggregates a
     WHERE a.interval_start >= date_trunc('hour', range_from) AND a.interval_start < range_to
       AND a.granularity = 'PT1H' AND a.metric = 'nConversations'
       AND (a.queue_id IS NULL OR a.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x))
     GROUP BY 1
$$;

-- _plan_windows(from, to): [from, to) cut into windows of whole hours
-- (the first and last may be partial) holding at most
-- window_max_conversations by the hourly counts and lasting at most
-- window_max_length; an hour busier than that is cut into equal parts.
CREATE FUNCTION gcanalytics._plan_windows(range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, expected bigint)
    LANGUAGE plpgsql
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
    FOR h IN SELECT g AS hour_start, coalesce(c.conversations, 0) AS n
               FROM generate_series(date_trunc('hour', range_from), range_to - interval '1 microsecond', interval '1 hour') g
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
CREATE FUNCTION gcanalytics.check_window(resource text, range_from timestamptz, range_to timestamptz)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, loaded bigint, expected bigint,
                   difference_pct float8, ok boolean)
    LANGUAGE plpgsql
    AS $$
DECLARE
    tolerance float8 := gcanalytics.setting('validation_tolerance_pct')::float8;
BEGIN
    IF resource <> 'conversations' THEN
        RAISE EXCEPTION 'check_window() checks conversations, not "%"', resource
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'The aggregates API counts conversations (nConversations); evaluations and queue metrics have no independent count.';
    END IF;
    IF to_regclass('pg_temp.gca_window_check') IS NULL THEN
        CREATE TEMP TABLE gca_hour_counts (hour_start timestamptz, conversations bigint);
        CREATE TEMP TABLE gca_window_check (window_start timestamptz, window_end timestamptz, loaded bigint,
                                            expected bigint, difference_pct float8, ok boolean);
    END IF;
    TRUNCATE gca_hour_counts, gca_window_check;
    INSERT INTO gca_hour_counts SELECT * FROM gcanalytics._conversation_counts(range_from, range_to);
    INSERT INTO gca_window_check
    WITH w AS (
        SELECT sw.window_start, sw.window_end
          FROM gcanalytics.sync_windows sw
         WHERE sw.resource = 'conversations' AND sw.status = 'done'
           AND sw.window_start >= range_from AND sw.window_end <= range_to
           -- only whole hours compare with hourly counts (the partial
           -- last window of a run is read again by the next one)
           AND sw.window_start = date_trunc('hour', sw.window_start)
           AND sw.window_end = date_trunc('hour', sw.window_end)),
    c AS (
        SELECT w.window_start, w.window_end,
               (SELECT count(*) FROM gcanalytics.interactions i
                 WHERE i.conversation_start >= w.window_start AND i.conversation_start < w.window_end) AS loaded,
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
-- The load procedures (README "The warehouse").  They COMMIT after each
-- window, so they must be CALLed outside an explicit transaction block;
-- for the same reason they carry no SET clause and no SECURITY DEFINER,
-- and name every object with its schema.  One load at a time per
-- database: the public procedures take a session-level advisory lock.

-- _load_lock(): takes the load lock of this database; false (with a
-- NOTICE naming the process that holds it) when another session holds
-- it.  A hold of this very session can only be left over from a load that
-- was cancelled, and is released first.
CREATE FUNCTION gcanalytics._load_lock()
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
CREATE FUNCTION gcanalytics._window_failure_is_fatal(state text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT left(state, 2) IN ('28', '42', '3F', '0A') OR state IN ('HV00D', 'HV00N', '55000', '57P01', '57P02', '57P03') $$;

-- _sync_window(resource, from, to): loads one window in a transaction of
-- its own and records it in sync_windows: running (committed first, so
-- progress is visible), then done with its rows, or failed with the error
-- and the attempt count while the load goes on.  Returns the rows, NULL
-- when the window failed.
CREATE PROCEDURE gcanalytics._sync_window(resource text, range_from timestamptz, range_to timestamptz,
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
CREATE PROCEDURE gcanalytics._sync_range(resource text, range_from timestamptz, range_to timestamptz,
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
        SELECT g, least(g + coalesce(window_length, interval '1 day'), range_to)
          FROM generate_series(range_from, range_to - interval '1 microsecond', coalesce(window_length, interval '1 day')) g
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

CREATE FUNCTION gcanalytics._advance_high_water_mark(state_resource text, mark timestamptz)
    RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO gcanalytics.sync_state AS s (resource, high_water_mark, updated_at)
    VALUES (state_resource, mark, clock_timestamp())
    ON CONFLICT (resource) DO UPDATE
       SET high_water_mark = greatest(s.high_water_mark, EXCLUDED.high_water_mark), updated_at = EXCLUDED.updated_at
$$;

-- The public sync procedures: one resource over [since, until).
CREATE PROCEDURE gcanalytics._sync_public(resource text, since timestamptz, until timestamptz, window_length interval)
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

CREATE PROCEDURE gcanalytics.sync_conversations(since timestamptz, until timestamptz, "window" interval DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('conversations', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_conversations(timestamptz, timestamptz, interval) IS
    'load the conversations started in [since, until) into interactions, window by window (NULL window: sized from the aggregates count)';

CREATE PROCEDURE gcanalytics.sync_evaluations(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('evaluations', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_evaluations(timestamptz, timestamptz, interval) IS
    'load the evaluations of the conversations started in [since, until), window by window';

CREATE PROCEDURE gcanalytics.sync_queue_metrics(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('queue_metrics', since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_queue_metrics(timestamptz, timestamptz, interval) IS
    'load hourly and daily aggregates per queue and media type for [since, until), window by window';

-- _sync_reference(): queues, users and wrap-up codes replaced whole.
CREATE FUNCTION gcanalytics._sync_reference()
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

-- _crm_match(attribute account, ANI in E.164): the CRM account of a
-- conversation: the sfAccountId attribute's, else the one whose phone is
-- the ANI (the lowest id when several share it).
CREATE FUNCTION gcanalytics._crm_match(attr_account text, ani_e164 text)
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
-- enriched again.  Returns the accounts read.
CREATE FUNCTION gcanalytics._sync_crm()
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

    cutoff := (SELECT max(conversation_start) FROM gcanalytics.interactions)
              - make_interval(days => gcanalytics.setting('crm_relink_days')::int);
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
CREATE PROCEDURE gcanalytics._run_step(step text, reread_from timestamptz DEFAULT NULL)
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
            CASE step WHEN 'reference' THEN 'queues' WHEN 'crm' THEN 'accounts read (modified since the last sync)' ELSE 'conversations in progress read again' END, round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
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
-- that started before this run's re-read range are read again by id.
CREATE FUNCTION gcanalytics._refresh_in_progress(before timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids text[];
    first_start timestamptz;
    last_start timestamptz;
BEGIN
    SELECT array_agg(conversation_id), min(conversation_start), max(conversation_start)
      INTO ids, first_start, last_start
      FROM gcanalytics.interactions
     WHERE in_progress AND conversation_start < before;
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    RETURN gcanalytics._upsert_interactions(first_start, last_start + interval '1 millisecond', ids);
END
$$;

CREATE PROCEDURE gcanalytics.sync_crm()
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
CREATE PROCEDURE gcanalytics._retry(max_attempts int, INOUT retried int DEFAULT 0, INOUT still_failed int DEFAULT 0)
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

CREATE PROCEDURE gcanalytics.retry_failed()
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
CREATE FUNCTION gcanalytics._conversations_final_until(until timestamptz)
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

-- _since(resource, until, reread): where run() starts a resource: the
-- high-water mark less reread, or initial_sync_from for the first run
-- (an interval before until, or a timestamp); whole hours.
CREATE FUNCTION gcanalytics._since(state_resource text, until timestamptz, reread interval)
    RETURNS timestamptz
    LANGUAGE plpgsql
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
    RETURN date_trunc('hour', least(start, until));
END
$$;

-- run(): the whole pipeline since the high-water marks (README "The
-- warehouse"): reference data, CRM, failed windows, conversations (the
-- lag window and in-progress conversations again), evaluations, queue
-- metrics, then check_window() over the conversations loaded and one
-- reload of the windows it marks.
CREATE PROCEDURE gcanalytics.run(until timestamptz DEFAULT now())
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
    eval_since := greatest(date_trunc('day', gcanalytics._since('evaluations', until, gcanalytics.setting('evaluation_lookback')::interval)),
                           (SELECT date_trunc('day', min(window_start)) FROM gcanalytics.sync_windows WHERE resource = 'conversations'));
    CALL gcanalytics._sync_range('evaluations', eval_since, until, interval '1 day', evaluations, failed);
    total_failed := total_failed + failed;
    PERFORM gcanalytics._advance_high_water_mark('evaluations', until);
    metrics_since := date_trunc('day', gcanalytics._since('queue_metrics', until, lag));
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

CREATE FUNCTION gcanalytics.data_availability(server name)
    RETURNS timestamptz
    LANGUAGE C STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'gcanalytics_data_availability';
COMMENT ON FUNCTION gcanalytics.data_availability(name) IS
    'the Genesys server''s dataAvailabilityDate: details jobs (and participant attributes) hold conversations up to it';

-- Loading changes the warehouse: the owner (or whom the owner grants) runs
-- it, like refresh_dashboards().  The helpers stay callable; they act with
-- the caller's table privileges, which PUBLIC lacks.
REVOKE ALL ON PROCEDURE gcanalytics.configure(text, text), gcanalytics.run(timestamptz),
    gcanalytics.sync_conversations(timestamptz, timestamptz, interval),
    gcanalytics.sync_evaluations(timestamptz, timestamptz, interval),
    gcanalytics.sync_queue_metrics(timestamptz, timestamptz, interval),
    gcanalytics.sync_crm(), gcanalytics.retry_failed() FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.check_window(text, timestamptz, timestamptz) FROM PUBLIC;
-- The dashboards (README "Dashboards"): materialized views over the
-- warehouse, each with the unique index REFRESH ... CONCURRENTLY needs, a
-- plain view for the insight sentences, refresh_dashboards(), the pg_cron
-- schedule, and the roles BI tools log in through.  Every day and week is
-- a UTC day and an ISO week (Monday) in UTC, whatever TimeZone says.

-- ------------------------------------------------------------ settings
CREATE TABLE gcanalytics.service_levels (
    queue_id      text PRIMARY KEY,
    answer_within interval NOT NULL CHECK (answer_within >= interval '0'),
    description   text
);
COMMENT ON TABLE gcanalytics.service_levels IS
    'service level threshold per queue: a conversation counts as answered in time when its queue wait is at most answer_within; queues not listed use the setting service_level_default (20 seconds)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.service_levels', '');

-- dashboard_views(): the materialized dashboards in dependency order
-- (kpi_weekly reads kpi_daily).
CREATE FUNCTION gcanalytics.dashboard_views() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['kpi_daily', 'kpi_weekly', 'escalation_weekly', 'escalation_by_tier',
                       'bot_containment_by_industry', 'agent_quality', 'queue_daily', 'join_quality'] $$;
COMMENT ON FUNCTION gcanalytics.dashboard_views() IS
    'the materialized dashboard views in the order refresh_dashboards() refreshes them';

-- ------------------------------------------------------------ statistics
-- erfc(x) after Numerical Recipes' erfcc (Chebyshev fit): relative error
-- below 1.2e-7 everywhere, so a p-value <= 1 is off by less than 1.2e-7.
CREATE FUNCTION gcanalytics.erfc(x float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
SELECT CASE WHEN x >= 0 THEN r ELSE 2.0 - r END
  FROM (SELECT 1.0 / (1.0 + 0.5 * abs(x)) AS t) s,
       -- beyond |x| = 26.4 erfc(|x|) is below the smallest normal float8
       -- (and exp() would raise an underflow error): 0
       LATERAL (SELECT CASE WHEN x * x > 700 THEN 0.0
                       ELSE t * exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                            + t * (-0.82215223 + t * 0.17087277)))))))))
                       END AS r) e
$$;
COMMENT ON FUNCTION gcanalytics.erfc(float8) IS
    'complementary error function (Numerical Recipes erfcc; relative error < 1.2e-7; 0 and 2 beyond |x| = 26.4)';

-- two_proportion_test(x1, n1, x2, n2): the pooled two-proportion z-test of
-- x1/n1 against x2/n2; z > 0 when the second share is higher, p_value
-- two-sided.  NULL when a side is empty or nothing (or everything) is
-- counted on both sides.
CREATE FUNCTION gcanalytics.two_proportion_test(x1 bigint, n1 bigint, x2 bigint, n2 bigint,
                                                OUT z float8, OUT p_value float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
SELECT zz, gcanalytics.erfc(abs(zz) / sqrt(2.0))
  FROM (SELECT CASE WHEN n1 > 0 AND n2 > 0 AND p > 0 AND p < 1
                    THEN (x2::float8 / n2 - x1::float8 / n1) / sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2))
               END AS zz
          FROM (SELECT (x1 + x2)::float8 / nullif(n1 + n2, 0) AS p) pooled) s
$$;
COMMENT ON FUNCTION gcanalytics.two_proportion_test(bigint, bigint, bigint, bigint) IS
    'pooled two-proportion z-test of x1/n1 against x2/n2: z (positive when the second share is higher) and the two-sided p-value';

-- ------------------------------------------------------------ KPI figures
-- kpi_rates(...): the rates and the efficiency score of kpi_daily and
-- kpi_weekly from their counts and sums, so that both compute them alike.
CREATE FUNCTION gcanalytics.kpi_rates(
        offered bigint, answered_in_sl bigint, abandoned bigint, wait_ms_sum numeric,
        handled bigint, handle_ms_sum numeric, weighted_handle_ms_sum float8, transferred bigint,
        fcr_eligible bigint, fcr_resolved bigint, talk_ms_sum numeric, hold_ms_sum numeric,
        OUT service_level_pct numeric, OUT abandon_rate_pct numeric, OUT avg_wait_s numeric,
        OUT avg_handle_s numeric, OUT avg_weighted_handle_s numeric, OUT transfer_rate_pct numeric,
        OUT fcr_pct numeric, OUT talk_ratio_pct numeric, OUT hold_ratio_pct numeric,
        OUT efficiency_score numeric)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT round(100.0 * sl, 2), round(100.0 * ab, 2), round(wait_ms_sum / nullif(offered, 0) / 1000.0, 2),
       round(handle_ms_sum / nullif(handled, 0) / 1000.0, 2),
       round((weighted_handle_ms_sum / nullif(handled, 0) / 1000.0)::numeric, 2),
       round(100.0 * tr, 2), round(100.0 * fcr, 2),
       round(100.0 * talk_ms_sum / nullif(handle_ms_sum, 0), 2),
       round(100.0 * hold_ms_sum / nullif(handle_ms_sum, 0), 2),
       -- 0.4 service level + 0.3 FCR + 0.2 (1 - abandon rate) + 0.1 (1 - transfer rate),
       -- over the parts that have a denominator, weights rescaled to 1
       round(100.0 * (coalesce(0.4 * sl, 0) + coalesce(0.3 * fcr, 0) + coalesce(0.2 * (1 - ab), 0) + coalesce(0.1 * (1 - tr), 0))
                   / nullif(CASE WHEN sl IS NULL THEN 0 ELSE 0.4 END + CASE WHEN fcr IS NULL THEN 0 ELSE 0.3 END
                            + CASE WHEN ab IS NULL THEN 0 ELSE 0.2 END + CASE WHEN tr IS NULL THEN 0 ELSE 0.1 END, 0), 1)
  FROM (SELECT answered_in_sl::numeric / nullif(offered, 0) AS sl, abandoned::numeric / nullif(offered, 0) AS ab,
               transferred::numeric / nullif(handled, 0) AS tr, fcr_resolved::numeric / nullif(fcr_eligible, 0) AS fcr) f
$$;
COMMENT ON FUNCTION gcanalytics.kpi_rates(bigint, bigint, bigint, numeric, bigint, numeric, float8, bigint, bigint, bigint, numeric, numeric) IS
    'the rates, averages and efficiency score of kpi_daily and kpi_weekly from their counts and sums (README "Dashboards")';

-- The groups kpi_daily aggregates by: with these statistics the planner
-- knows there are a few thousand of them and hashes, instead of sorting
-- every row (run() ANALYZEs interactions after loading).
CREATE STATISTICS gcanalytics.interactions_day_groups (ndistinct)
    ON ((conversation_start AT TIME ZONE 'UTC')::date), coalesce(queue_id, '(no queue)'),
       coalesce(media_type, '(unknown)')
    FROM gcanalytics.interactions;

-- ------------------------------------------------------------ kpi_daily
CREATE MATERIALIZED VIEW gcanalytics.kpi_daily AS
WITH cfg AS MATERIALIZED (   -- the settings, read once (not once per row)
    SELECT gcanalytics.setting('service_level_default')::interval AS sl_default,
           gcanalytics.setting('fcr_window')::interval AS fcr_window
), c AS (
    SELECT (i.conversation_start AT TIME ZONE 'UTC')::date AS day,
           coalesce(i.queue_id, '(no queue)') AS queue_id,
           coalesce(i.queue_name, CASE WHEN i.queue_id IS NULL THEN '(no queue)' END) AS queue_name,
           coalesce(i.media_type, '(unknown)') AS media_type,
           i.queue_id IS NOT NULL AS offered,
           i.queue_id IS NOT NULL AND i.agent_id IS NOT NULL AND NOT coalesce(i.abandoned, false)
               AND i.acd_ms <= 1000 * extract(epoch FROM coalesce(sl.answer_within, cfg.sl_default)) AS answered_in_sl,
           coalesce(i.abandoned, false) AS abandoned, i.acd_ms,
           coalesce(i.handled, false) AS handled, i.handle_ms, i.weighted_handle_ms,
           i.transfers > 0 AS transferred, i.talk_ms, i.customer_hold_ms,
           i.customer_key IS NOT NULL AS fcr_eligible,
           i.next_contact_at IS NULL
               OR i.next_contact_at > i.conversation_start + cfg.fcr_window AS resolved
      FROM gcanalytics.interactions i
      LEFT JOIN gcanalytics.service_levels sl ON sl.queue_id = i.queue_id
     CROSS JOIN cfg
), s AS (
    SELECT day, queue_id, max(queue_name) AS queue_name, media_type,
           count(*) AS conversations,
           count(*) FILTER (WHERE offered) AS offered,
           count(*) FILTER (WHERE answered_in_sl) AS answered_in_sl,
           count(*) FILTER (WHERE abandoned) AS abandoned,
           coalesce(sum(acd_ms) FILTER (WHERE offered), 0) AS wait_ms_sum,
           count(*) FILTER (WHERE handled) AS handled,
           coalesce(sum(handle_ms) FILTER (WHERE handled), 0) AS handle_ms_sum,
           coalesce(sum(weighted_handle_ms) FILTER (WHERE handled), 0) AS weighted_handle_ms_sum,
           count(*) FILTER (WHERE handled AND transferred) AS transferred,
           count(*) FILTER (WHERE handled AND fcr_eligible) AS fcr_eligible,
           count(*) FILTER (WHERE handled AND fcr_eligible AND resolved) AS fcr_resolved,
           coalesce(sum(talk_ms) FILTER (WHERE handled), 0) AS talk_ms_sum,
           coalesce(sum(customer_hold_ms) FILTER (WHERE handled), 0) AS hold_ms_sum
      FROM c
     GROUP BY day, queue_id, media_type
), w AS (   -- apart: an aggregate with DISTINCT in s would sort every row
    SELECT day, queue_id, media_type, array_agg(wrapup ORDER BY wrapup) AS wrapup_codes
      FROM (SELECT DISTINCT (i.conversation_start AT TIME ZONE 'UTC')::date AS day,
                   coalesce(i.queue_id, '(no queue)') AS queue_id, coalesce(i.media_type, '(unknown)') AS media_type,
                   coalesce(i.wrapup_name, i.wrapup_code) AS wrapup
              FROM gcanalytics.interactions i
             WHERE coalesce(i.wrapup_name, i.wrapup_code) IS NOT NULL) d
     GROUP BY day, queue_id, media_type
)
SELECT s.day, s.queue_id, s.queue_name, s.media_type, s.conversations, s.offered, s.handled, s.abandoned,
       s.answered_in_sl, r.service_level_pct, r.abandon_rate_pct, r.avg_wait_s, r.avg_handle_s,
       r.avg_weighted_handle_s, s.transferred, r.transfer_rate_pct, s.fcr_eligible, s.fcr_resolved, r.fcr_pct,
       r.talk_ratio_pct, r.hold_ratio_pct, r.efficiency_score, coalesce(w.wrapup_codes, '{}') AS wrapup_codes,
       s.wait_ms_sum, s.handle_ms_sum, s.weighted_handle_ms_sum, s.talk_ms_sum, s.hold_ms_sum
  FROM s LEFT JOIN w ON w.day = s.day AND w.queue_id = s.queue_id AND w.media_type = s.media_type,
       LATERAL gcanalytics.kpi_rates(s.offered, s.answered_in_sl, s.abandoned, s.wait_ms_sum, s.handled,
                                     s.handle_ms_sum, s.weighted_handle_ms_sum, s.transferred, s.fcr_eligible,
                                     s.fcr_resolved, s.talk_ms_sum, s.hold_ms_sum) r;
CREATE UNIQUE INDEX kpi_daily_key ON gcanalytics.kpi_daily (day, queue_id, media_type);

-- ------------------------------------------------------------ kpi_weekly
CREATE MATERIALIZED VIEW gcanalytics.kpi_weekly AS
WITH s AS (
    SELECT date_trunc('week', d.day)::date AS week, d.queue_id, max(d.queue_name) AS queue_name, d.media_type,
           sum(d.conversations)::bigint AS conversations, sum(d.offered)::bigint AS offered,
           sum(d.answered_in_sl)::bigint AS answered_in_sl, sum(d.abandoned)::bigint AS abandoned,
           sum(d.wait_ms_sum) AS wait_ms_sum, sum(d.handled)::bigint AS handled,
           sum(d.handle_ms_sum) AS handle_ms_sum, sum(d.weighted_handle_ms_sum) AS weighted_handle_ms_sum,
           sum(d.transferred)::bigint AS transferred, sum(d.fcr_eligible)::bigint AS fcr_eligible,
           sum(d.fcr_resolved)::bigint AS fcr_resolved, sum(d.talk_ms_sum) AS talk_ms_sum,
           sum(d.hold_ms_sum) AS hold_ms_sum
      FROM gcanalytics.kpi_daily d
     GROUP BY date_trunc('week', d.day)::date, d.queue_id, d.media_type
), w AS (
    SELECT date_trunc('week', d.day)::date AS week, d.queue_id, d.media_type,
           array_agg(DISTINCT x ORDER BY x) AS wrapup_codes
      FROM gcanalytics.kpi_daily d, unnest(d.wrapup_codes) x
     GROUP BY date_trunc('week', d.day)::date, d.queue_id, d.media_type
)
SELECT s.week, s.queue_id, s.queue_name, s.media_type, s.conversations, s.offered, s.handled, s.abandoned,
       s.answered_in_sl, r.service_level_pct, r.abandon_rate_pct, r.avg_wait_s, r.avg_handle_s,
       r.avg_weighted_handle_s, s.transferred, r.transfer_rate_pct, s.fcr_eligible, s.fcr_resolved, r.fcr_pct,
       r.talk_ratio_pct, r.hold_ratio_pct, r.efficiency_score, coalesce(w.wrapup_codes, '{}') AS wrapup_codes,
       s.wait_ms_sum, s.handle_ms_sum, s.weighted_handle_ms_sum, s.talk_ms_sum, s.hold_ms_sum
  FROM s LEFT JOIN w USING (week, queue_id, media_type),
       LATERAL gcanalytics.kpi_rates(s.offered, s.answered_in_sl, s.abandoned, s.wait_ms_sum, s.handled,
                                     s.handle_ms_sum, s.weighted_handle_ms_sum, s.transferred, s.fcr_eligible,
                                     s.fcr_resolved, s.talk_ms_sum, s.hold_ms_sum) r;
CREATE UNIQUE INDEX kpi_weekly_key ON gcanalytics.kpi_weekly (week, queue_id, media_type);

-- ------------------------------------------------------------ escalation
-- tier_label(account, tier): the tier of a linked account, 'no tier' for
-- an account without one, 'no account' for a conversation without.
CREATE FUNCTION gcanalytics.tier_label(account_id text, tier text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(tier, 'no tier') END $$;
COMMENT ON FUNCTION gcanalytics.tier_label(text, text) IS
    'the tier of a linked account, ''no tier'' for an account without one, ''no account'' for a conversation without an account';

-- Both escalation views count each account once in two steps (per account,
-- then per tier) rather than with count(DISTINCT), which sorts every row.
CREATE MATERIALIZED VIEW gcanalytics.escalation_weekly AS
WITH a AS (   -- per week, tier and account (conversations without one: a NULL account)
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier, i.crm_account_id,
           count(*) AS conversations, count(*) FILTER (WHERE i.was_escalated) AS escalated,
           max(i.ltv) FILTER (WHERE i.was_escalated) AS escalated_ltv
      FROM gcanalytics.interactions i
     GROUP BY 1, 2, 3
)
SELECT week, tier, sum(conversations)::bigint AS conversations, sum(escalated)::bigint AS escalated,
       round(100.0 * sum(escalated) / sum(conversations), 2) AS escalation_rate_pct,
       count(crm_account_id) AS accounts,
       count(crm_account_id) FILTER (WHERE escalated > 0) AS escalated_accounts,
       coalesce(sum(escalated_ltv) FILTER (WHERE crm_account_id IS NOT NULL), 0) AS escalated_ltv
  FROM a
 GROUP BY week, tier;
CREATE UNIQUE INDEX escalation_weekly_key ON gcanalytics.escalation_weekly (week, tier);

CREATE MATERIALIZED VIEW gcanalytics.escalation_by_tier AS
WITH a AS (   -- per tier and account (conversations without one: a NULL account)
    SELECT gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier, i.crm_account_id,
           count(*) AS conversations, count(*) FILTER (WHERE i.was_escalated) AS escalated,
           max(i.ltv) FILTER (WHERE i.was_escalated) AS escalated_ltv,
           min(i.conversation_start) AS first_start, max(i.conversation_start) AS last_start
      FROM gcanalytics.interactions i
     GROUP BY 1, 2
)
SELECT tier, sum(conversations)::bigint AS conversations, sum(escalated)::bigint AS escalated,
       round(100.0 * sum(escalated) / sum(conversations), 2) AS escalation_rate_pct,
       count(crm_account_id) AS accounts,
       count(crm_account_id) FILTER (WHERE escalated > 0) AS escalated_accounts,
       coalesce(sum(escalated_ltv) FILTER (WHERE crm_account_id IS NOT NULL), 0) AS escalated_ltv,
       (min(first_start) AT TIME ZONE 'UTC')::date AS first_day,
       (max(last_start) AT TIME ZONE 'UTC')::date AS last_day
  FROM a
 GROUP BY tier;
CREATE UNIQUE INDEX escalation_by_tier_key ON gcanalytics.escalation_by_tier (tier);

-- The insight: each tier's week against the week before, a z-test, the
-- releases of the week, and a sentence when the change is significant.
CREATE VIEW gcanalytics.escalation_insights AS
WITH w AS (
    SELECT cur.week, cur.tier, prev.conversations AS prev_conversations, prev.escalated AS prev_escalated,
           100.0 * prev.escalated / prev.conversations AS prev_rate,
           cur.conversations, cur.escalated, 100.0 * cur.escalated / cur.conversations AS rate,
           cur.escalated_ltv, t.z, t.p_value,
           (SELECT string_agg(format('%s on %s', r.release_name, (r.released_at AT TIME ZONE 'UTC')::date), ', '
                              ORDER BY r.released_at, r.release_name)
              FROM gcanalytics.releases r
             WHERE r.released_at >= cur.week::timestamp AT TIME ZONE 'UTC'
               AND r.released_at < (cur.week + 7)::timestamp AT TIME ZONE 'UTC') AS releases,
           (SELECT count(*) FROM gcanalytics.releases r
             WHERE r.released_at >= cur.week::timestamp AT TIME ZONE 'UTC'
               AND r.released_at < (cur.week + 7)::timestamp AT TIME ZONE 'UTC') AS n_releases
      FROM gcanalytics.escalation_weekly cur
      JOIN gcanalytics.escalation_weekly prev ON prev.tier = cur.tier AND prev.week = cur.week - 7,
           LATERAL gcanalytics.two_proportion_test(prev.escalated, prev.conversations, cur.escalated, cur.conversations) t
), t AS (   -- read here, not through setting(): a view reads its tables as its owner
    SELECT coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_max_p'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_max_p'))::float8 AS max_p,
           coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_min_conversations'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_min_conversations'))::bigint AS min_n
), s AS (
    SELECT w.*, w.p_value < t.max_p AND w.prev_conversations >= t.min_n AND w.conversations >= t.min_n AS significant
      FROM w CROSS JOIN t
)
SELECT s.week, s.tier, s.prev_conversations, s.prev_escalated, round(s.prev_rate, 2) AS prev_rate_pct,
       s.conversations, s.escalated, round(s.rate, 2) AS rate_pct,
       round(s.rate - s.prev_rate, 2) AS change_points, s.z, s.p_value, coalesce(s.significant, false) AS significant,
       s.releases, s.escalated_ltv,
       CASE WHEN s.significant THEN
           format('Escalation rate %s %s points week over week (%s %% to %s %%), concentrated in %s (%s)%s',
                  CASE WHEN s.rate > s.prev_rate THEN 'rose' ELSE 'fell' END,
                  round(abs(s.rate - s.prev_rate), 1), round(s.prev_rate, 1), round(s.rate, 1), s.tier,
                  CASE WHEN s.p_value < 0.001 THEN 'p < 0.001' ELSE format('p = %s', round(s.p_value::numeric, 3)) END,
                  CASE WHEN s.n_releases = 1 THEN ', starting after release ' || s.releases
                       WHEN s.n_releases > 1 THEN ', starting after releases ' || s.releases
                       ELSE '' END)
       END AS sentence
  FROM s;

-- ------------------------------------------------------------ bot containment
CREATE FUNCTION gcanalytics.industry_label(account_id text, industry text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(industry, 'no industry') END $$;
COMMENT ON FUNCTION gcanalytics.industry_label(text, text) IS
    'the industry of a linked account, ''no industry'' for an account without one, ''no account'' for a conversation without an account';

CREATE MATERIALIZED VIEW gcanalytics.bot_containment_by_industry AS
WITH cfg AS MATERIALIZED (   -- read once, not once per row
    SELECT gcanalytics.setting('containment_window')::interval AS window
), c AS (
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           gcanalytics.industry_label(i.crm_account_id, i.industry) AS industry,
           coalesce(i.media_type, '(unknown)') AS media_type,
           coalesce(i.handled_by_bot_only, false) AS contained,
           i.customer_key IS NOT NULL AS known,
           i.next_contact_at IS NULL
               OR i.next_contact_at > i.conversation_start + cfg.window AS held,
           i.crm_account_id, i.ltv
      FROM gcanalytics.interactions i
     CROSS JOIN cfg
), a AS (
    SELECT week, industry, media_type, crm_account_id, max(ltv) AS ltv
      FROM c WHERE contained AND crm_account_id IS NOT NULL
     GROUP BY week, industry, media_type, crm_account_id
)
SELECT g.week, g.industry, g.media_type, g.conversations, g.contained,
       round(100.0 * g.contained / g.conversations, 2) AS containment_pct,
       g.contained_known, g.contained_held,
       round(100.0 * g.contained_held / nullif(g.contained_known, 0), 2) AS held_pct,
       coalesce(a.contained_ltv, 0) AS contained_ltv
  FROM (SELECT week, industry, media_type, count(*) AS conversations,
               count(*) FILTER (WHERE contained) AS contained,
               count(*) FILTER (WHERE contained AND known) AS contained_known,
               count(*) FILTER (WHERE contained AND known AND held) AS contained_held
          FROM c GROUP BY week, industry, media_type) g
  LEFT JOIN (SELECT week, industry, media_type, sum(ltv) AS contained_ltv
               FROM a GROUP BY week, industry, media_type) a USING (week, industry, media_type);
CREATE UNIQUE INDEX bot_containment_by_industry_key
    ON gcanalytics.bot_containment_by_industry (week, industry, media_type);

-- ------------------------------------------------------------ agent quality
CREATE MATERIALIZED VIEW gcanalytics.agent_quality AS
SELECT e.agent_id, max(u.name) AS agent_name, coalesce(e.form_id, '') AS form_id, max(e.form_name) AS form_name,
       count(*) FILTER (WHERE f.finished) AS evaluations,
       count(*) FILTER (WHERE NOT f.finished) AS unfinished,
       round(avg(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS avg_score,
       round(min(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS min_score,
       round(max(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS max_score,
       round(avg(e.total_critical_score) FILTER (WHERE f.finished)::numeric, 2) AS avg_critical_score,
       count(*) FILTER (WHERE f.finished AND e.any_failed_kill_questions) AS failed_kill_questions,
       min(e.conversation_start) FILTER (WHERE f.finished) AS first_conversation,
       max(e.conversation_start) FILTER (WHERE f.finished) AS last_conversation
  FROM gcanalytics.evaluations e
  LEFT JOIN gcanalytics.users u ON u.user_id = e.agent_id,
       LATERAL (SELECT upper(e.status) = 'FINISHED' AS finished) f
 WHERE NOT coalesce(e.is_calibration, false) AND e.agent_id IS NOT NULL
 GROUP BY e.agent_id, coalesce(e.form_id, '');
CREATE UNIQUE INDEX agent_quality_key ON gcanalytics.agent_quality (agent_id, form_id);

-- ------------------------------------------------------------ queue_daily
-- Daily aggregates per queue and media type over every day from the first
-- to the last loaded one.  A day with no P1D row at all was not loaded: its
-- figures are interpolated and flagged.  On a loaded day a queue without a
-- row had no traffic (the aggregates API leaves empty groups out): zeros.
CREATE MATERIALIZED VIEW gcanalytics.queue_daily AS
WITH m AS (
    SELECT (q.interval_start AT TIME ZONE 'UTC')::date AS day, q.*
      FROM gcanalytics.queue_metrics q WHERE q.granularity = 'P1D'
), days AS (
    SELECT d::date AS day, EXISTS (SELECT 1 FROM m WHERE m.day = d::date) AS loaded
      FROM (SELECT min(day) AS lo, max(day) AS hi FROM m) r, generate_series(r.lo, r.hi, interval '1 day') d
), grid AS (
    SELECT days.day, days.loaded, k.queue_id, k.media_type, m.n_offered, m.n_connected, m.n_abandoned,
           m.n_transferred, m.t_handle_sum, m.t_handle_count, m.t_talk_sum, m.t_acd_sum, m.t_acd_count
      FROM days CROSS JOIN (SELECT DISTINCT queue_id, media_type FROM m) k
      LEFT JOIN m ON m.day = days.day AND m.queue_id = k.queue_id AND m.media_type = k.media_type
), v AS (   -- loaded days: the figures (zero when the group had no row); gaps: NULL
    SELECT day, loaded, queue_id, media_type,
           CASE WHEN loaded THEN coalesce(n_offered, 0) END::float8 AS offered,
           CASE WHEN loaded THEN coalesce(n_connected, 0) END::float8 AS connected,
           CASE WHEN loaded THEN coalesce(n_abandoned, 0) END::float8 AS abandoned,
           CASE WHEN loaded THEN coalesce(n_transferred, 0) END::float8 AS transferred,
           CASE WHEN loaded THEN coalesce(t_handle_sum, 0) END AS handle_ms_sum,
           CASE WHEN loaded THEN coalesce(t_handle_count, 0) END::float8 AS handle_count,
           CASE WHEN loaded THEN coalesce(t_talk_sum, 0) END AS talk_ms_sum,
           CASE WHEN loaded THEN coalesce(t_acd_sum, 0) END AS acd_ms_sum,
           CASE WHEN loaded THEN coalesce(t_acd_count, 0) END::float8 AS acd_count
      FROM grid
), f AS (
    SELECT day, NOT loaded AS interpolated, queue_id, media_type,
           gcanalytics.interpolate(offered, day::timestamp AT TIME ZONE 'UTC') OVER w AS offered,
           gcanalytics.interpolate(connected, day::timestamp AT TIME ZONE 'UTC') OVER w AS connected,
           gcanalytics.interpolate(abandoned, day::timestamp AT TIME ZONE 'UTC') OVER w AS abandoned,
           gcanalytics.interpolate(transferred, day::timestamp AT TIME ZONE 'UTC') OVER w AS transferred,
           gcanalytics.interpolate(handle_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS handle_ms_sum,
           gcanalytics.interpolate(handle_count, day::timestamp AT TIME ZONE 'UTC') OVER w AS handle_count,
           gcanalytics.interpolate(talk_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS talk_ms_sum,
           gcanalytics.interpolate(acd_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS acd_ms_sum,
           gcanalytics.interpolate(acd_count, day::timestamp AT TIME ZONE 'UTC') OVER w AS acd_count
      FROM v
    WINDOW w AS (PARTITION BY queue_id, media_type ORDER BY day)
)
SELECT f.day, f.queue_id, q.name AS queue_name, f.media_type, f.offered, f.connected, f.abandoned, f.transferred,
       round((100.0 * f.abandoned / nullif(f.offered, 0))::numeric, 2) AS abandon_rate_pct,
       round((f.handle_ms_sum / nullif(f.handle_count, 0) / 1000.0)::numeric, 2) AS avg_handle_s,
       round((f.talk_ms_sum / nullif(f.handle_count, 0) / 1000.0)::numeric, 2) AS avg_talk_s,
       round((f.acd_ms_sum / nullif(f.acd_count, 0) / 1000.0)::numeric, 2) AS avg_wait_s,
       f.handle_ms_sum, f.handle_count, f.talk_ms_sum, f.acd_ms_sum, f.acd_count, f.interpolated
  FROM f LEFT JOIN gcanalytics.queues q ON q.queue_id = f.queue_id;
CREATE UNIQUE INDEX queue_daily_key ON gcanalytics.queue_daily (day, queue_id, media_type);

-- ------------------------------------------------------------ join_quality
CREATE MATERIALIZED VIEW gcanalytics.join_quality AS
WITH c AS (
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           coalesce(i.crm_link, 'unlinked') AS link_method,
           i.crm_account_id IS NOT NULL
               AND (a.account_id IS NULL OR a.tier IS DISTINCT FROM i.customer_tier
                    OR a.industry IS DISTINCT FROM i.industry) AS stale
      FROM gcanalytics.interactions i
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = i.crm_account_id
), g AS (
    SELECT week, link_method, count(*) AS conversations, count(*) FILTER (WHERE stale) AS stale_enrichments
      FROM c GROUP BY week, link_method
), t AS (
    SELECT week, sum(conversations) AS total,
           coalesce(sum(conversations) FILTER (WHERE link_method = 'unlinked'), 0) AS unlinked
      FROM g GROUP BY week
), snap AS (
    SELECT (SELECT s.updated_at FROM gcanalytics.sync_state s WHERE s.resource = 'crm') AS synced_at
)
SELECT g.week, g.link_method, g.conversations, round(100.0 * g.conversations / t.total, 2) AS share_pct,
       round(100.0 * t.unlinked / t.total, 2) AS week_unlinked_pct,
       CASE WHEN gcanalytics.setting('salesforce_server') = ''
            THEN 'no CRM is configured: no conversation is linked to a CRM account (configure(salesforce_server => ...) adds one)'
            WHEN 100.0 * t.unlinked / t.total > gcanalytics.setting('join_quality_warn_pct')::numeric
            THEN format('%s %% of the conversations of the week have no CRM account (warning above %s %%)',
                        round(100.0 * t.unlinked / t.total, 1), gcanalytics.setting('join_quality_warn_pct'))
       END AS warning,
       g.stale_enrichments, snap.synced_at AS crm_snapshot_at,
       snap.synced_at IS NULL
           OR snap.synced_at < now() - gcanalytics.setting('crm_stale_after')::interval AS crm_snapshot_stale,
       now() AS refreshed_at
  FROM g JOIN t USING (week) CROSS JOIN snap;
CREATE UNIQUE INDEX join_quality_key ON gcanalytics.join_quality (week, link_method);

-- ------------------------------------------------------------ comments
COMMENT ON MATERIALIZED VIEW gcanalytics.kpi_daily IS
    'queue KPIs per UTC day, queue and media type (README "Dashboards"); refreshed by refresh_dashboards()';
COMMENT ON MATERIALIZED VIEW gcanalytics.kpi_weekly IS
    'queue KPIs per ISO week (Monday, UTC), queue and media type, summed from kpi_daily; refreshed by refresh_dashboards()';
COMMENT ON MATERIALIZED VIEW gcanalytics.escalation_weekly IS
    'escalation rate per ISO week (Monday, UTC) and CRM tier; conversations without an account are the tier ''no account''';
COMMENT ON MATERIALIZED VIEW gcanalytics.escalation_by_tier IS
    'escalation rate per CRM tier over everything loaded; conversations without an account are the tier ''no account''';
COMMENT ON VIEW gcanalytics.escalation_insights IS
    'each tier''s week against the week before: change, two-proportion z-test, the releases of the week, and a sentence when p < 0.01 with at least 30 conversations each side';
COMMENT ON MATERIALIZED VIEW gcanalytics.bot_containment_by_industry IS
    'conversations handled by a bot only (no queue, no agent) per week, CRM industry and media type, and the share of them with no repeat contact within 24 hours';
COMMENT ON MATERIALIZED VIEW gcanalytics.agent_quality IS
    'quality scores per agent and evaluation form: finished evaluations, calibrations excluded';
COMMENT ON MATERIALIZED VIEW gcanalytics.queue_daily IS
    'the aggregates API per UTC day, queue and media type; days not loaded are interpolated (interpolate()) and flagged';
COMMENT ON MATERIALIZED VIEW gcanalytics.join_quality IS
    'how conversations were linked to a CRM account per week (attribute, phone, unlinked), a warning above join_quality_warn_pct unlinked, stale CRM enrichment';

-- Column comments: a view's own entry, else the shared ('*') one; a
-- dashboard column without either stops the install.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        WITH d(view_name, column_name, comment) AS (VALUES
        -- columns several views share
        ('*', 'day', 'UTC day of the conversation start'),
        ('*', 'week', 'ISO week (its Monday, UTC) of the conversation start'),
        ('*', 'queue_id', 'Genesys queue id; ''(no queue)'' for conversations that entered no queue'),
        ('*', 'queue_name', 'queue name'),
        ('*', 'media_type', 'the customer session''s media type'),
        ('*', 'conversations', 'conversations started'),
        ('*', 'offered', 'conversations that entered a queue'),
        ('*', 'handled', 'conversations where an agent talked for at least min_talk_ms'),
        ('*', 'abandoned', 'conversations that ended in queue without reaching an agent'),
        ('*', 'answered_in_sl', 'offered conversations answered by an agent within the queue''s service level threshold (service_levels, default 20 s)'),
        ('*', 'service_level_pct', 'answered_in_sl / offered, percent'),
        ('*', 'abandon_rate_pct', 'abandoned / offered, percent'),
        ('*', 'avg_wait_s', 'average queue wait (acd_ms) of the offered conversations, seconds'),
        ('*', 'avg_handle_s', 'average handle time (talk + customer hold + wrap-up) of the handled conversations, seconds'),
        ('*', 'avg_weighted_handle_s', 'average weighted effective handle time (weighted_handle_time()) of the handled conversations, seconds'),
        ('*', 'transferred', 'handled conversations transferred at least once'),
        ('*', 'transfer_rate_pct', 'transferred / handled, percent'),
        ('*', 'fcr_eligible', 'handled conversations of a known customer (customer_key)'),
        ('*', 'fcr_resolved', 'of those, conversations with no contact of the same customer within fcr_window (7 days) after their start'),
        ('*', 'fcr_pct', 'first contact resolution: fcr_resolved / fcr_eligible, percent'),
        ('*', 'talk_ratio_pct', 'talk time / handle time of the handled conversations, percent'),
        ('*', 'hold_ratio_pct', 'customer hold time / handle time of the handled conversations, percent'),
        ('*', 'efficiency_score', '0-100: 0.4 service level + 0.3 FCR + 0.2 (1 - abandon rate) + 0.1 (1 - transfer rate), over the parts with data (README "Dashboards")'),
        ('*', 'wrapup_codes', 'the wrap-up codes seen (names; ids where the name is unknown)'),
        ('*', 'wait_ms_sum', 'sum of the queue waits of the offered conversations, milliseconds'),
        ('*', 'handle_ms_sum', 'sum of the handle times of the handled conversations, milliseconds'),
        ('*', 'weighted_handle_ms_sum', 'sum of the weighted handle times of the handled conversations, milliseconds'),
        ('*', 'talk_ms_sum', 'sum of the talk times of the handled conversations, milliseconds'),
        ('*', 'hold_ms_sum', 'sum of the customer hold times of the handled conversations, milliseconds'),
        ('*', 'tier', 'CRM tier of the account; ''no tier'' for an account without one, ''no account'' for conversations without an account'),
        ('*', 'escalated', 'conversations matching an escalation rule'),
        ('*', 'escalation_rate_pct', 'escalated / conversations, percent'),
        ('*', 'accounts', 'distinct CRM accounts'),
        ('*', 'escalated_accounts', 'distinct CRM accounts with an escalated conversation'),
        ('*', 'escalated_ltv', 'lifetime value of the accounts with an escalated conversation, each once (revenue)'),
        ('escalation_by_tier', 'first_day', 'first UTC day with a conversation of the tier'),
        ('escalation_by_tier', 'last_day', 'last UTC day with a conversation of the tier'),
        ('escalation_insights', 'week', 'the ISO week (Monday, UTC) compared with the week before'),
        ('escalation_insights', 'prev_conversations', 'conversations of the tier the week before'),
        ('escalation_insights', 'prev_escalated', 'escalated conversations of the tier the week before'),
        ('escalation_insights', 'prev_rate_pct', 'escalation rate the week before, percent'),
        ('escalation_insights', 'conversations', 'conversations of the tier this week'),
        ('escalation_insights', 'escalated', 'escalated conversations of the tier this week'),
        ('escalation_insights', 'rate_pct', 'escalation rate this week, percent'),
        ('escalation_insights', 'change_points', 'rate_pct - prev_rate_pct, percentage points'),
        ('escalation_insights', 'z', 'two-proportion z statistic (pooled), positive when the rate rose'),
        ('escalation_insights', 'p_value', 'two-sided p-value of the z-test'),
        ('escalation_insights', 'significant', 'p_value < insight_max_p (0.01) with at least insight_min_conversations (30) each week'),
        ('escalation_insights', 'releases', 'the releases of this week (releases table), "name on date", in order'),
        ('escalation_insights', 'escalated_ltv', 'lifetime value of the accounts with an escalated conversation this week (revenue)'),
        ('escalation_insights', 'sentence', 'the insight in words, only for significant changes'),
        ('bot_containment_by_industry', 'industry', 'CRM industry of the account; ''no industry'' for an account without one, ''no account'' for conversations without an account'),
        ('bot_containment_by_industry', 'contained', 'conversations handled by a bot flow only: no queue, no agent'),
        ('bot_containment_by_industry', 'containment_pct', 'contained / conversations, percent'),
        ('bot_containment_by_industry', 'contained_known', 'contained conversations of a known customer (customer_key)'),
        ('bot_containment_by_industry', 'contained_held', 'of those, conversations with no contact of the same customer within containment_window (24 hours) after their start'),
        ('bot_containment_by_industry', 'held_pct', 'the containment that held: contained_held / contained_known, percent'),
        ('bot_containment_by_industry', 'contained_ltv', 'lifetime value of the accounts with a contained conversation, each once (revenue)'),
        ('agent_quality', 'agent_id', 'Genesys user id of the evaluated agent'),
        ('agent_quality', 'agent_name', 'agent name (users)'),
        ('agent_quality', 'form_id', 'evaluation form id'),
        ('agent_quality', 'form_name', 'evaluation form name'),
        ('agent_quality', 'evaluations', 'finished evaluations, calibrations excluded'),
        ('agent_quality', 'unfinished', 'evaluations not finished yet (in review, in progress, pending), calibrations excluded'),
        ('agent_quality', 'avg_score', 'average total score of the finished evaluations'),
        ('agent_quality', 'min_score', 'lowest total score'),
        ('agent_quality', 'max_score', 'highest total score'),
        ('agent_quality', 'avg_critical_score', 'average total critical score'),
        ('agent_quality', 'failed_kill_questions', 'finished evaluations with a failed kill question'),
        ('agent_quality', 'first_conversation', 'start of the earliest evaluated conversation'),
        ('agent_quality', 'last_conversation', 'start of the latest evaluated conversation'),
        ('queue_daily', 'queue_name', 'queue name (queues)'),
        ('queue_daily', 'offered', 'nOffered count'),
        ('queue_daily', 'connected', 'nConnected count'),
        ('queue_daily', 'abandoned', 'tAbandon count'),
        ('queue_daily', 'transferred', 'nTransferred count'),
        ('queue_daily', 'abandon_rate_pct', 'abandoned / offered, percent'),
        ('queue_daily', 'avg_handle_s', 'tHandle sum / count, seconds'),
        ('queue_daily', 'avg_talk_s', 'tTalk sum / tHandle count, seconds'),
        ('queue_daily', 'avg_wait_s', 'tAcd sum / count, seconds'),
        ('queue_daily', 'handle_ms_sum', 'tHandle sum, milliseconds'),
        ('queue_daily', 'handle_count', 'tHandle count'),
        ('queue_daily', 'talk_ms_sum', 'tTalk sum, milliseconds'),
        ('queue_daily', 'acd_ms_sum', 'tAcd sum, milliseconds'),
        ('queue_daily', 'acd_count', 'tAcd count'),
        ('queue_daily', 'interpolated', 'the day was not loaded: every figure of the row is interpolated linearly between the neighbouring loaded days'),
        ('join_quality', 'link_method', 'how the CRM account was found: attribute (sfAccountId), phone (ANI = account phone), unlinked'),
        ('join_quality', 'conversations', 'conversations of the week linked that way'),
        ('join_quality', 'share_pct', 'share of the week''s conversations, percent'),
        ('join_quality', 'week_unlinked_pct', 'share of the week''s conversations without a CRM account, percent'),
        ('join_quality', 'warning', 'set when week_unlinked_pct exceeds join_quality_warn_pct (30)'),
        ('join_quality', 'stale_enrichments', 'linked conversations whose tier or industry differs from the current CRM snapshot, or whose account is gone from it'),
        ('join_quality', 'crm_snapshot_at', 'when the CRM was last read (sync_state ''crm''.updated_at), whether or not anything had changed'),
        ('join_quality', 'crm_snapshot_stale', 'the CRM snapshot is older than crm_stale_after (1 day) at refreshed_at, or missing'),
        ('join_quality', 'refreshed_at', 'when this view was refreshed'))
        SELECT cl.relname, a.attname,
               coalesce((SELECT d.comment FROM d WHERE d.view_name = cl.relname AND d.column_name = a.attname),
                        (SELECT d.comment FROM d WHERE d.view_name = '*' AND d.column_name = a.attname)) AS comment
          FROM pg_catalog.pg_class cl
          JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE cl.relnamespace = 'gcanalytics'::regnamespace
           AND cl.relname = ANY (gcanalytics.dashboard_views() || 'escalation_insights'::text)
    LOOP
        IF c.comment IS NULL THEN
            RAISE EXCEPTION 'no comment for column %.%', c.relname, c.attname;
        END IF;
        EXECUTE format('COMMENT ON COLUMN gcanalytics.%I.%I IS %L', c.relname, c.attname, c.comment);
    END LOOP;
END
$$;

-- ------------------------------------------------------------ refresh
-- The views read every interaction, so refreshes use no index scans: an
-- index walk over the whole table costs random heap reads where a
-- sequential scan reads each page once.
CREATE FUNCTION gcanalytics.refresh_dashboards()
    RETURNS TABLE (view_name text, concurrent boolean, seconds float8, row_count bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = off
    SET enable_bitmapscan = off
    AS $$
DECLARE
    v       text;
    t0      timestamptz;
BEGIN
    FOREACH v IN ARRAY gcanalytics.dashboard_views()
    LOOP
        t0 := clock_timestamp();
        view_name := v;
        -- CONCURRENTLY (readers are never blocked) needs a populated view;
        -- a restored or freshly created one is refreshed plainly once
        SELECT c.relispopulated INTO concurrent
          FROM pg_class c WHERE c.oid = format('gcanalytics.%I', v)::regclass;
        EXECUTE format('REFRESH MATERIALIZED VIEW %s gcanalytics.%I',
                       CASE WHEN concurrent THEN 'CONCURRENTLY' ELSE '' END, v);
        EXECUTE format('SELECT count(*) FROM gcanalytics.%I', v) INTO row_count;
        seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        RAISE NOTICE 'refreshed gcanalytics.% in % s (% rows%)', v, seconds, row_count,
            CASE WHEN concurrent THEN ', concurrently' ELSE '' END;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics.refresh_dashboards() IS
    'refreshes every materialized dashboard in dependency order (CONCURRENTLY once populated); a NOTICE and a row per view with its time';

-- ------------------------------------------------------------ pg_cron
-- require_pg_cron(): returns when this database can register pg_cron jobs,
-- otherwise raises an error whose hint says how to get there.
CREATE FUNCTION gcanalytics.require_pg_cron() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN;
    END IF;
    IF cron_db IS NULL OR cron_db = '' THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The sync and refresh jobs are pg_cron jobs.',
                  HINT = format('Install the package postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name = ''%s'' in postgresql.conf, restart PostgreSQL, and run CREATE EXTENSION pg_cron in database "%s".',
                                current_database(), current_database());
    ELSIF cron_db <> current_database() THEN
        RAISE EXCEPTION 'pg_cron runs its jobs from database "%", not "%"', cron_db, current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pg_cron keeps its job table in the one database cron.database_name names.',
                  HINT = format('Set cron.database_name = ''%s'' and restart PostgreSQL, or connect to database "%s" and run SELECT cron.schedule_in_database(''gcanalytics_refresh:%s'', ''*/15 * * * *'', ''SELECT gcanalytics.refresh_dashboards()'', ''%s'');',
                                current_database(), cron_db, current_database(), current_database());
    ELSE
        RAISE EXCEPTION 'extension "pg_cron" is not created in database "%"', cron_db
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION pg_cron; in this database.';
    END IF;
END
$$;
COMMENT ON FUNCTION gcanalytics.require_pg_cron() IS
    'raises an error with a hint on how to install pg_cron unless this database can register pg_cron jobs';

-- cron_expression(every, offset_minutes): pg_cron's schedule for "every"
-- (a whole number of minutes dividing an hour, or of hours dividing a day),
-- shifted by offset_minutes within the step.
CREATE FUNCTION gcanalytics.cron_expression(every interval, offset_minutes integer DEFAULT 0) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s numeric := extract(epoch FROM every);
    m integer;
BEGIN
    IF s > 0 AND s % 60 = 0 THEN
        m := (s / 60)::integer;
        IF m < 60 AND 60 % m = 0 THEN
            RETURN CASE WHEN m = 1 THEN '* * * * *'
                        ELSE format('%s-59/%s * * * *', offset_minutes % m, m) END;
        ELSIF m % 60 = 0 AND m <= 1440 AND 1440 % m = 0 THEN
            RETURN format('%s %s * * *', offset_minutes % 60,
                          CASE WHEN m = 1440 THEN '0' ELSE format('*/%s', m / 60) END);
        END IF;
    END IF;
    RAISE EXCEPTION 'invalid schedule interval "%"', every
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'pg_cron runs jobs on whole minutes.',
              HINT = 'Use a number of minutes that divides an hour (1, 2, 5, 10, 15, 30 minutes) or of hours that divides a day (1, 2, 3, 4, 6, 8, 12, 24 hours).';
END
$$;
COMMENT ON FUNCTION gcanalytics.cron_expression(interval, integer) IS
    'the pg_cron schedule running every "every" (minutes dividing an hour, hours dividing a day), offset by offset_minutes';

-- job_names(): the names of this database's two jobs.
CREATE FUNCTION gcanalytics.job_names(OUT sync_job text, OUT refresh_job text)
    LANGUAGE sql STABLE
    AS $$ SELECT 'gcanalytics_sync:' || current_database(), 'gcanalytics_refresh:' || current_database() $$;
COMMENT ON FUNCTION gcanalytics.job_names() IS 'the pg_cron job names of schedule() in this database';

CREATE FUNCTION gcanalytics.unschedule() RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer := 0;
    j bigint;
BEGIN
    PERFORM gcanalytics.require_pg_cron();
    FOR j IN SELECT c.jobid FROM cron.job c, gcanalytics.job_names() n
              WHERE c.jobname IN (n.sync_job, n.refresh_job) AND c.username = current_user
    LOOP
        PERFORM cron.unschedule(j);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION gcanalytics.unschedule() IS
    'removes the pg_cron jobs schedule() registered in this database for the current user; returns how many';

CREATE FUNCTION gcanalytics.schedule(sync_every interval DEFAULT '15 minutes',
                                     refresh_every interval DEFAULT '15 minutes')
    RETURNS TABLE (job_id bigint, job_name text, cron_schedule text, command text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    names record;
BEGIN
    PERFORM gcanalytics.require_pg_cron();
    SELECT * INTO names FROM gcanalytics.job_names();
    PERFORM gcanalytics.unschedule();
    IF sync_every IS NOT NULL THEN
        PERFORM cron.schedule(names.sync_job, gcanalytics.cron_expression(sync_every, 0),
                              'CALL gcanalytics.run()');
    END IF;
    -- the refresh runs half a step after the sync starts
    IF refresh_every IS NOT NULL THEN
        PERFORM cron.schedule(names.refresh_job,
                              gcanalytics.cron_expression(refresh_every,
                                                          greatest(extract(epoch FROM refresh_every)::integer / 120, 0)),
                              'SELECT gcanalytics.refresh_dashboards()');
    END IF;
    RETURN QUERY SELECT c.jobid, c.jobname::text, c.schedule, c.command
                   FROM cron.job c
                  WHERE c.jobname IN (names.sync_job, names.refresh_job) AND c.username = current_user
                  ORDER BY c.jobname;
END
$$;
COMMENT ON FUNCTION gcanalytics.schedule(interval, interval) IS
    'registers (or replaces) the pg_cron jobs that run gcanalytics.run() every sync_every and refresh_dashboards() every refresh_every; NULL leaves a job out';

REVOKE ALL ON FUNCTION gcanalytics.refresh_dashboards() FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.schedule(interval, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.unschedule() FROM PUBLIC;

-- ------------------------------------------------------------ roles
-- Roles are cluster-wide: created when missing, so that the extension can
-- be created in a second database.  The grants are per database.
--   gcanalytics_reader      every column of every dashboard
--   gcanalytics_supervisor  every column but the revenue ones (*_ltv)
--   gcanalytics_finance     every column of the dashboards without agent-level rows
DO $$
DECLARE
    r text;
    c record;
BEGIN
    FOREACH r IN ARRAY ARRAY['gcanalytics_reader', 'gcanalytics_supervisor', 'gcanalytics_finance']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    FOR c IN
        SELECT v, (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                     FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = format('gcanalytics.%I', v)::regclass AND a.attnum > 0
                      AND NOT a.attisdropped AND a.attname NOT LIKE '%ltv%') AS performance_columns
          FROM unnest(gcanalytics.dashboard_views() || 'escalation_insights'::text) v
    LOOP
        EXECUTE format('GRANT SELECT ON gcanalytics.%I TO gcanalytics_reader', c.v);
        EXECUTE format('GRANT SELECT (%s) ON gcanalytics.%I TO gcanalytics_supervisor', c.performance_columns, c.v);
        IF c.v <> 'agent_quality' THEN
            EXECUTE format('GRANT SELECT (%s) ON gcanalytics.%I TO gcanalytics_finance',
                           (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                              FROM pg_catalog.pg_attribute a
                             WHERE a.attrelid = format('gcanalytics.%I', c.v)::regclass AND a.attnum > 0
                               AND NOT a.attisdropped), c.v);
        END IF;
    END LOOP;
END
$$;
-- The privilege model (README "Privileges").  Superusers and the roles a
-- DBA grants to do the rest; PUBLIC gets what cannot reach an API or
-- change shared state:
--   schema gcanalytics              USAGE to PUBLIC
--   version(), the KPI functions,   EXECUTE to PUBLIC (PostgreSQL's default
--   weht_weights_json(),            for functions): pure or read-only
--   weht_default_weights(), http_stats()
--   weht_weights                    SELECT to PUBLIC; INSERT, UPDATE, DELETE
--                                   for the extension owner and whom it grants
--   weht_weights_default, _edit     nobody but the owner (the view and its
--                                   trigger reach them)
--   http_request(), http_request_many(), http_stats_reset()
--                                   revoked from PUBLIC (15_http.sql): they
--                                   send any method to any path with the
--                                   caller's user mapping, which may be a
--                                   shared PUBLIC mapping, or reset counters
--                                   everyone sees
--   gcanalytics_fdw                 USAGE not granted: defining servers
--                                   (which name the URLs credentials go to)
--                                   needs a superuser or a grant; a foreign
--                                   server's USAGE and a user mapping are
--                                   what reading a foreign table needs
GRANT USAGE ON SCHEMA gcanalytics TO PUBLIC;
GRANT SELECT ON gcanalytics.weht_weights TO PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.weht_weights_write() FROM PUBLIC;
