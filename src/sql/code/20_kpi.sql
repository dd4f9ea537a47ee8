-- In-database KPI functions (README "KPI functions").

CREATE OR REPLACE FUNCTION gcanalytics.timeline(conversation jsonb,
    OUT queue_wait_ms bigint, OUT talk_ms bigint, OUT customer_hold_ms bigint,
    OUT system_hold_ms bigint, OUT acw_ms bigint, OUT ivr_ms bigint,
    OUT alert_ms bigint, OUT transfers integer, OUT handle_ms bigint,
    OUT first_queue_id text, OUT last_agent_id text,
    OUT valid boolean, OUT anomaly text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.timeline(jsonb) IS
    'KPIs of one conversation detail record; valid is false and anomaly says why when the timeline is malformed';

CREATE OR REPLACE FUNCTION gcanalytics.timeline_events(conversation jsonb)
    RETURNS TABLE (seq integer, purpose text, user_id text, queue_id text,
                   segment_type text, segment_start timestamptz,
                   segment_end timestamptz, duration_ms bigint, flag text,
                   kind text, participant_id text, session_id text,
                   media_type text, disconnect_type text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline_events'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION gcanalytics.timeline_events(jsonb) IS
    'segments of one conversation detail record in timeline order, with the KPI each counts toward and a flag';



CREATE OR REPLACE FUNCTION gcanalytics.weht_default_weights() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'gcanalytics_weht_default_weights'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weht_default_weights() IS
    'the built-in weights that the three-argument weighted_handle_time() uses';

CREATE OR REPLACE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text) IS
    'handle_ms times the transfer and channel multipliers of the built-in weights';

CREATE OR REPLACE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text, weights jsonb)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text, jsonb) IS
    'handle_ms times the transfer and channel multipliers of weights (see weht_weights_json())';

CREATE OR REPLACE FUNCTION gcanalytics.evaluation_scores(answers jsonb)
    RETURNS TABLE (question_group_id text, question_id text, answer_id text,
                   score integer, max_score integer, marked_na boolean,
                   failed_kill_question boolean)
    AS 'MODULE_PATHNAME', 'gcanalytics_evaluation_scores'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION gcanalytics.evaluation_scores(jsonb) IS
    'one row per question score of a Quality API evaluation''s answers';

CREATE OR REPLACE FUNCTION gcanalytics.interpolate(value float8, at timestamptz) RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_interpolate'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.interpolate(float8, timestamptz) IS
    'window function: NULL values filled linearly in "at" between the nearest non-NULL values of the partition; edges take the nearest value';

CREATE OR REPLACE FUNCTION gcanalytics.normalize_phone(phone text, default_country_code text DEFAULT '1')
    RETURNS text
    AS 'MODULE_PATHNAME', 'gcanalytics_normalize_phone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.normalize_phone(text, text) IS
    'a phone number in E.164 (+15551234567), or NULL when it cannot be one; national numbers take default_country_code (1 = NANP)';
