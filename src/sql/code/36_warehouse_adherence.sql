-- Schedule adherence (README "Schedule adherence"): the daily load of the
-- foreign table adherence into gcanalytics.adherence, and the weekly view
-- by agent, management unit and main queue.

-- _load_adherence(from, to): the agent days of reporting_time_zone whose
-- midnight falls in [from, to) (the query asked in that zone) upserted; a
-- day of the range no longer reported is deleted.  Returns the rows read.
CREATE OR REPLACE FUNCTION gcanalytics._load_adherence(range_from timestamptz, range_to timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r record;
    read_users text[];
    read_days date[];
    tz text := gcanalytics.reporting_time_zone();
BEGIN
    CREATE TEMP TABLE gca_adherence_read ON COMMIT DROP AS
    SELECT a.user_id, (a.day_start AT TIME ZONE tz)::date AS day, a.management_unit_id, a.schedule_length_s,
           a.adherence_schedule_s, a.conformance_schedule_s, a.conformance_actual_s, a.exception_count,
           a.exception_duration_s, a.impact_s, a.actual_length_s
      FROM gcanalytics_source.adherence a
     WHERE a.time_zone = tz AND a.day_start >= range_from AND a.day_start < range_to AND a.user_id IS NOT NULL;
    r := gcanalytics._upsert('gcanalytics.adherence', ARRAY['user_id', 'day'], 'SELECT * FROM gca_adherence_read');
    -- the days read into arrays first: Citus runs no DELETE of a
    -- reference table whose subquery reads a temporary table
    SELECT coalesce(array_agg(n.user_id), '{}'), coalesce(array_agg(n.day), '{}') INTO read_users, read_days
      FROM gca_adherence_read n;
    DELETE FROM gcanalytics.adherence t
     WHERE t.day::timestamp AT TIME ZONE tz >= range_from AND t.day::timestamp AT TIME ZONE tz < range_to
       AND NOT EXISTS (SELECT 1 FROM unnest(read_users, read_days) n (user_id, day) WHERE n.user_id = t.user_id AND n.day = t.day);
    DROP TABLE gca_adherence_read;
    RETURN r.source_rows;
END
$$;

CREATE OR REPLACE PROCEDURE gcanalytics.sync_adherence(since timestamptz, until timestamptz, "window" interval DEFAULT '1 day')
    LANGUAGE plpgsql
    AS $$ BEGIN CALL gcanalytics._sync_public('adherence'::pg_catalog.text, since, until, "window"); END $$;
COMMENT ON PROCEDURE gcanalytics.sync_adherence(timestamptz, timestamptz, interval) IS
    'load the schedule adherence of the days (of reporting_time_zone) starting in [since, until), window by window';

-- Adherence by the ISO week (Monday) of the day (reporting_time_zone),
-- agent and management unit (the team), with the agent's main queue of the
-- week: the queue of most of the conversations the agent handled that week
-- (the lowest id on a tie; NULL when none).  Rates are fractions of 1 over
-- the week's days.  The zone is read from the settings here, not through
-- setting(): a view reads its tables as its owner.
CREATE OR REPLACE VIEW gcanalytics.adherence_weekly AS
WITH z AS (
    SELECT coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'reporting_time_zone'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'reporting_time_zone')) AS tz
), days AS (
    SELECT date_trunc('week', a.day)::date AS week, a.user_id, a.management_unit_id,
           count(*) AS days,
           sum(a.adherence_schedule_s) AS adherence_schedule_s,
           sum(a.exception_duration_s) AS exception_duration_s,
           sum(a.exception_count) AS exceptions,
           sum(a.conformance_schedule_s) AS conformance_schedule_s,
           sum(a.conformance_actual_s) AS conformance_actual_s
      FROM gcanalytics.adherence a
     GROUP BY 1, 2, 3
), queues AS (
    SELECT DISTINCT ON (1, 2) date_trunc('week', i.conversation_start AT TIME ZONE z.tz)::date AS week,
           i.agent_id, i.queue_id
      FROM gcanalytics.interactions i CROSS JOIN z
     WHERE i.agent_id IS NOT NULL AND i.queue_id IS NOT NULL AND i.handled
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, count(*) DESC, 3
)
SELECT d.week, d.user_id AS agent_id, u.name AS agent_name, d.management_unit_id, q.queue_id AS main_queue_id,
       qn.name AS main_queue_name, d.days, d.adherence_schedule_s, d.exception_duration_s, d.exceptions,
       round(1 - d.exception_duration_s::numeric / nullif(d.adherence_schedule_s, 0), 4) AS adherence_rate,
       round(d.conformance_actual_s::numeric / nullif(d.conformance_schedule_s, 0), 4) AS conformance_rate,
       (d.week + 7)::timestamp AT TIME ZONE z.tz > now() AS provisional
  FROM days d
 CROSS JOIN z
  LEFT JOIN gcanalytics.users u ON u.user_id = d.user_id
  LEFT JOIN queues q ON q.week = d.week AND q.agent_id = d.user_id
  LEFT JOIN gcanalytics.queues qn ON qn.queue_id = q.queue_id;
COMMENT ON VIEW gcanalytics.adherence_weekly IS
    'schedule adherence by ISO week (Monday, reporting_time_zone), agent and management unit, with the agent''s main queue of the week';
COMMENT ON COLUMN gcanalytics.adherence_weekly.management_unit_id IS 'the agent''s management unit (the team adherence is scheduled by)';
COMMENT ON COLUMN gcanalytics.adherence_weekly.main_queue_id IS 'the queue of most of the conversations the agent handled that week';
COMMENT ON COLUMN gcanalytics.adherence_weekly.adherence_rate IS '1 - time out of adherence / scheduled time, over the week''s scheduled days, a fraction of 1';
COMMENT ON COLUMN gcanalytics.adherence_weekly.conformance_rate IS 'time on queue / time scheduled on queue, a fraction of 1 (above 1: more than scheduled)';
COMMENT ON COLUMN gcanalytics.adherence_weekly.provisional IS 'the week is not over: days are still to come';
COMMENT ON TABLE gcanalytics.adherence IS
    'schedule adherence per agent and scheduled day of reporting_time_zone (historical adherence of workforce management, asked in that zone), loaded daily by run()';
COMMENT ON COLUMN gcanalytics.adherence.day IS 'the day of reporting_time_zone as of the load (the query''s days are that zone''s days; after a change of the zone, sync_adherence() reloads the days in the new one)';
