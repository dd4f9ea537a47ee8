-- Schedule adherence (README "Schedule adherence"): each agent's scheduled
-- day as workforce management's historical adherence reports it.
CREATE TABLE gcanalytics.adherence (
    user_id                text NOT NULL,
    day                    date NOT NULL,
    management_unit_id     text,
    schedule_length_s      integer,
    adherence_schedule_s   integer,
    conformance_schedule_s integer,
    conformance_actual_s   integer,
    exception_count        integer,
    exception_duration_s   integer,
    impact_s               integer,
    actual_length_s        integer,
    loaded_at              timestamptz NOT NULL,
    PRIMARY KEY (user_id, day)
);
-- its table and column comments: code/36_warehouse_adherence.sql
COMMENT ON COLUMN gcanalytics.adherence.adherence_schedule_s IS 'scheduled time adherence is measured over, seconds';
COMMENT ON COLUMN gcanalytics.adherence.conformance_schedule_s IS 'time scheduled on queue, seconds';
COMMENT ON COLUMN gcanalytics.adherence.conformance_actual_s IS 'time actually on queue, seconds';
COMMENT ON COLUMN gcanalytics.adherence.exception_duration_s IS 'time out of adherence (the exceptions), seconds';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.adherence', '');
