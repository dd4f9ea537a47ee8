-- gcanalytics 0.1.0 install script, frozen as released (do not edit: later
-- changes go into src/sql/*.sql and an upgrade script gcanalytics--A--B.sql).
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

-- Weighted effective handle time.  The multipliers live in an editable
-- table; the function reads a weights jsonb so that it stays IMMUTABLE.
CREATE TABLE gcanalytics.weht_weights (
    dimension   text NOT NULL CHECK (dimension IN ('transfers', 'media_type')),
    key         text NOT NULL,
    multiplier  float8 NOT NULL CHECK (multiplier > 0 AND multiplier < 'Infinity'),
    description text,
    PRIMARY KEY (dimension, key),
    CHECK (dimension <> 'transfers' OR key ~ '^[0-9]+$')
);
COMMENT ON TABLE gcanalytics.weht_weights IS
    'multipliers of weighted handle time: by transfer count (key "2" serves 2 or more) and by media type ("default" for the rest)';
-- keep in step with WEHT_DEFAULTS in src/kpi/weht.c
INSERT INTO gcanalytics.weht_weights VALUES
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
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.weht_weights', '');

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
