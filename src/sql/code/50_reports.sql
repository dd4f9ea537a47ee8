-- The reporting schema gcanalytics_reports (README "BI tools"): one view
-- per dashboard, the insight and dashboard_status, generated from the
-- dashboards' columns by the rules of report_columns(), so that they follow
-- whatever the dashboards hold.  A BI tool's table list of this schema is
-- exactly what the reporting roles read (90_privileges.sql grants it).
-- code/39_reports_replace.sql drops these views before the dashboards are
-- created again; this piece creates them from the new dashboards.

-- ------------------------------------------------------------ freshness
-- dashboard_source(view): the loaded resource a dashboard is computed from
-- (sync_state, sync_windows), whose completeness is the dashboard's.
CREATE OR REPLACE FUNCTION gcanalytics.dashboard_source(view_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN view_name LIKE 'agent\_quality%' THEN 'evaluations'
                WHEN view_name = 'queue_daily' THEN 'queue_metrics'
                ELSE 'conversations' END
$$;
COMMENT ON FUNCTION gcanalytics.dashboard_source(text) IS
    'the loaded resource (conversations, evaluations, queue_metrics) a dashboard is computed from';

-- data_complete_until(resource): complete_until() as the dashboards'
-- status reports it: NULL before the first load.
CREATE OR REPLACE FUNCTION gcanalytics.data_complete_until(resource text) RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT nullif(gcanalytics.complete_until(resource), '-infinity')
$$;
COMMENT ON FUNCTION gcanalytics.data_complete_until(text) IS
    'up to when a loaded resource is complete: complete_until(), NULL before the first load';

-- _dashboard_refreshed(...): refresh_dashboards() records each refresh,
-- with the data_complete_until() of the view's source it read once
CREATE OR REPLACE FUNCTION gcanalytics._dashboard_refreshed(view_name text, refresh text, concurrent boolean,
                                                            seconds float8, row_count bigint, reason text,
                                                            data_complete_until timestamptz) RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO gcanalytics.dashboard_refreshes AS r
           (view_name, refreshed_at, refresh, concurrent, seconds, row_count, data_complete_until, reason)
    VALUES (view_name, now(), refresh, concurrent, seconds, row_count, data_complete_until, reason)
    ON CONFLICT ON CONSTRAINT dashboard_refreshes_pkey DO UPDATE
       SET refreshed_at = EXCLUDED.refreshed_at, refresh = EXCLUDED.refresh, concurrent = EXCLUDED.concurrent,
           seconds = EXCLUDED.seconds, row_count = EXCLUDED.row_count,
           data_complete_until = EXCLUDED.data_complete_until, reason = EXCLUDED.reason
$$;

-- dashboard_status: every dashboard, refreshed or not.  A view reads its
-- tables as its owner, so the setting is read here rather than through a
-- function the reader may not execute.
CREATE VIEW gcanalytics.dashboard_status AS
WITH z AS (
    SELECT coalesce((SELECT s.value FROM gcanalytics.settings s WHERE s.name = 'reporting_time_zone'),
                    (SELECT d.value FROM gcanalytics.setting_defaults() d WHERE d.name = 'reporting_time_zone'),
                    'UTC') AS tz
)
SELECT v.view_name, gcanalytics.dashboard_source(v.view_name) AS source,
       -- a dashboard kept as a table: once its rollup has been built
       CASE WHEN c.relkind = 'm' THEN c.relispopulated
            ELSE EXISTS (SELECT 1 FROM gcanalytics.dashboard_rollups b
                          WHERE b.rollup = gcanalytics.dashboard_rollup(v.view_name)) END AS populated,
       r.refreshed_at, r.refresh, r.row_count, round(r.seconds::numeric, 3) AS refresh_s, r.data_complete_until,
       ((r.data_complete_until AT TIME ZONE z.tz) - interval '1 day')::date AS complete_through, z.tz AS time_zone,
       r.reason AS refresh_reason
  FROM unnest(gcanalytics.dashboard_views()) WITH ORDINALITY v(view_name, n)
 CROSS JOIN z
  LEFT JOIN gcanalytics.dashboard_refreshes r ON r.view_name = v.view_name
  LEFT JOIN pg_catalog.pg_class c ON c.relname = v.view_name AND c.relkind IN ('m', 'r')
        AND c.relnamespace = (SELECT ns.oid FROM pg_catalog.pg_namespace ns WHERE ns.nspname = 'gcanalytics')
 ORDER BY v.n;
COMMENT ON VIEW gcanalytics.dashboard_status IS
    'per dashboard: when refresh_dashboards() last refreshed it, full or incremental, and up to when the data it holds is complete';
COMMENT ON COLUMN gcanalytics.dashboard_status.view_name IS 'the dashboard (gcanalytics.dashboard_views())';
COMMENT ON COLUMN gcanalytics.dashboard_status.source IS 'the loaded resource it is computed from: conversations, evaluations or queue_metrics';
COMMENT ON COLUMN gcanalytics.dashboard_status.populated IS 'the dashboard holds data (false until its first refresh)';
COMMENT ON COLUMN gcanalytics.dashboard_status.refreshed_at IS 'when refresh_dashboards() last refreshed it (NULL: never since install)';
COMMENT ON COLUMN gcanalytics.dashboard_status.refresh IS 'how: full (every row recomputed) or incremental (the changed days of its rollup recomputed)';
COMMENT ON COLUMN gcanalytics.dashboard_status.row_count IS 'rows after that refresh';
COMMENT ON COLUMN gcanalytics.dashboard_status.refresh_s IS 'how long that refresh took, seconds';
COMMENT ON COLUMN gcanalytics.dashboard_status.data_complete_until IS
    'up to when the source was final and loaded without a gap at that refresh (complete_until(), or the first window not loaded when earlier): later figures are provisional';
COMMENT ON COLUMN gcanalytics.dashboard_status.complete_through IS 'the last day (in the reporting time zone) whose data was complete at that refresh';
COMMENT ON COLUMN gcanalytics.dashboard_status.time_zone IS 'the reporting time zone of the days and weeks (UTC unless set)';
COMMENT ON COLUMN gcanalytics.dashboard_status.refresh_reason IS 'why that refresh was full or incremental (a full rebuild''s cause, or how many days changed)';

-- ------------------------------------------------------------ the rules
-- report_views(): what the reporting schema holds, each the reporting view
-- of the gcanalytics view of the same name.
CREATE OR REPLACE FUNCTION gcanalytics.report_views() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT gcanalytics.dashboard_views() || ARRAY['escalation_insights', 'dashboard_status'] $$;
COMMENT ON FUNCTION gcanalytics.report_views() IS
    'the views of the reporting schema gcanalytics_reports: the dashboards, the insight, dashboard_status';

-- report_columns(view): the columns of a reporting view from those of its
-- dashboard (README "BI tools"), in order:
--   *_pct              -> *_rate (x_rate_pct, rate_pct -> x_rate, rate):
--                         value / 100, numeric(7,4), a fraction of 1; left
--                         out when the dashboard has that *_rate already
--   *_rate             numeric(7,4)
--   *_points           -> *_rate: a difference of percentages / 100, numeric(7,4)
--   *_ms, *_ms_sum     -> *_s, *_sum_s: seconds, numeric(18,3)
--   *_s                numeric(14,3) seconds
--   *ltv               numeric(18,2) (money)
--   arrays             text, the elements joined by ', '
--   smallint, integer, bigint -> bigint
--   other numeric      numeric(18,2) unless the dashboard fixes a scale
--   anything else      as it is (boolean, text, date, timestamptz, double
--                      precision)
-- Comments follow: percent becomes fraction of 1, milliseconds seconds, and
-- the renamed columns their new names.
CREATE OR REPLACE FUNCTION gcanalytics.report_columns(dashboard regclass)
    RETURNS TABLE (column_name name, report_name text, report_type text, expression text, comment text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c record;
    cols name[] := '{}';
    names text[] := '{}';
    types text[] := '{}';
    exprs text[] := '{}';
    comments text[] := '{}';
    i int;
    j int;
BEGIN
    FOR c IN
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS src_type,
               coalesce(col_description(a.attrelid, a.attnum), '') AS src_comment, quote_ident(a.attname) AS q,
               CASE WHEN a.attname ~ '_pct$' THEN 'pct'
                    WHEN a.attname ~ '(^|_)rate$' AND t.typcategory = 'N' THEN 'rate'
                    WHEN a.attname ~ '_points$' AND t.typcategory = 'N' THEN 'points'
                    WHEN a.attname ~ '_ms(_sum)?$' AND t.typcategory = 'N' THEN 'ms'
                    WHEN a.attname ~ '_s$' AND t.typcategory = 'N' THEN 's'
                    WHEN a.attname ~ 'ltv$' AND t.typcategory = 'N' THEN 'money'
                    WHEN t.typcategory = 'A' THEN 'array'
                    WHEN t.typname IN ('int2', 'int4', 'int8') THEN 'count'
                    WHEN t.typname = 'numeric' AND a.atttypmod < 0 THEN 'numeric'
                    ELSE 'as is' END AS kind
          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = dashboard AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum
    LOOP
        report_name := c.attname;
        comment := c.src_comment;
        CASE c.kind
        WHEN 'pct' THEN
            report_name := CASE WHEN c.attname ~ '(^|_)rate_pct$' THEN left(c.attname, -4)
                                ELSE left(c.attname, -4) || '_rate' END;
            report_type := 'numeric(7,4)';
            expression := format('round(%s::numeric / 100, 4)::numeric(7,4)', c.q);
            comment := regexp_replace(comment, '\mpercent\M', 'fraction of 1', 'g');
        WHEN 'rate' THEN
            report_type := 'numeric(7,4)';
            expression := format('round(%s::numeric, 4)::numeric(7,4)', c.q);
        WHEN 'points' THEN
            report_name := left(c.attname, -7) || '_rate';
            report_type := 'numeric(7,4)';
            expression := format('round(%s::numeric / 100, 4)::numeric(7,4)', c.q);
            comment := regexp_replace(comment, '\mpercentage points\M', 'fraction of 1', 'g');
        WHEN 'ms' THEN
            report_name := regexp_replace(c.attname, '_ms(_sum)?$', '\1_s');
            report_type := 'numeric(18,3)';
            expression := format('round(%s::numeric / 1000, 3)::numeric(18,3)', c.q);
            comment := regexp_replace(comment, '\mmilliseconds\M', 'seconds', 'g');
        WHEN 's' THEN
            report_type := 'numeric(14,3)';
            expression := format('round(%s::numeric, 3)::numeric(14,3)', c.q);
        WHEN 'money' THEN
            report_type := 'numeric(18,2)';
            expression := format('round(%s::numeric, 2)::numeric(18,2)', c.q);
        WHEN 'array' THEN
            report_type := 'text';
            expression := format('array_to_string(%s, '', '')', c.q);
            comment := comment || ', as a list separated by '', ''';
        WHEN 'count' THEN
            report_type := 'bigint';
            expression := format('%s::bigint', c.q);
        WHEN 'numeric' THEN
            report_type := 'numeric(18,2)';
            expression := format('round(%s, 2)::numeric(18,2)', c.q);
        ELSE
            report_type := c.src_type;
            expression := c.q;
        END CASE;
        cols := cols || c.attname;
        names := names || report_name;
        types := types || report_type;
        exprs := exprs || expression;
        comments := comments || comment;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(cols, 1), 0)
    LOOP
        -- a *_pct whose *_rate the dashboard has already: the dashboard's own
        CONTINUE WHEN names[i] <> cols[i] AND names[i] = ANY (cols);
        comment := comments[i];
        -- the comments name the reporting columns
        FOR j IN 1 .. array_length(cols, 1)
        LOOP
            IF names[j] <> cols[j] THEN
                comment := regexp_replace(comment, '\m' || cols[j] || '\M', names[j], 'g');
            END IF;
        END LOOP;
        column_name := cols[i];
        report_name := names[i];
        report_type := types[i];
        expression := exprs[i];
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics.report_columns(regclass) IS
    'the columns of the reporting view of a dashboard: name, type, expression over the dashboard and comment (README "BI tools")';

-- ------------------------------------------------------------ the views
DO $$
DECLARE
    v text;
    cols text;
    r record;
BEGIN
    FOREACH v IN ARRAY gcanalytics.report_views()
    LOOP
        SELECT string_agg(format('%s AS %I', c.expression, c.report_name), ', ')
          INTO cols
          FROM gcanalytics.report_columns(format('gcanalytics.%I', v)::regclass) c;
        EXECUTE format('CREATE VIEW gcanalytics_reports.%I AS SELECT %s FROM gcanalytics.%I', v, cols, v);
        EXECUTE format('COMMENT ON VIEW gcanalytics_reports.%I IS %L', v,
                       obj_description(format('gcanalytics.%I', v)::regclass, 'pg_class')
                       || format(' (gcanalytics.%s for BI tools: rates as fractions of 1, durations in seconds; README "BI tools")', v));
        FOR r IN SELECT * FROM gcanalytics.report_columns(format('gcanalytics.%I', v)::regclass)
        LOOP
            EXECUTE format('COMMENT ON COLUMN gcanalytics_reports.%I.%I IS %L', v, r.report_name, r.comment);
        END LOOP;
    END LOOP;
END
$$;
