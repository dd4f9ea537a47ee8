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
