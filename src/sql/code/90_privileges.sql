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

-- The HTTP functions: they send any method to any path with the caller's
-- user mapping, or reset counters everyone sees.
REVOKE ALL ON FUNCTION gcanalytics.http_stats_reset() FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.http_request(name, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.http_request_many(name, text, text[]) FROM PUBLIC;

-- Loading changes the warehouse: the owner (or whom the owner grants) runs
-- it, like refresh_dashboards().  The helpers stay callable; they act with
-- the caller's table privileges, which PUBLIC lacks.
REVOKE ALL ON PROCEDURE gcanalytics.configure(text, text), gcanalytics.run(timestamptz),
    gcanalytics.sync_conversations(timestamptz, timestamptz, interval),
    gcanalytics.sync_evaluations(timestamptz, timestamptz, interval),
    gcanalytics.sync_queue_metrics(timestamptz, timestamptz, interval),
    gcanalytics.sync_adherence(timestamptz, timestamptz, interval),
    gcanalytics.sync_crm(), gcanalytics.retry_failed() FROM PUBLIC;
-- distribute() reshapes every table (Citus): the owner's, like the load
REVOKE ALL ON FUNCTION gcanalytics.distribute() FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.check_window(text, timestamptz, timestamptz) FROM PUBLIC;

-- Every internal routine (named _*) is the load's or the dashboards' own:
-- revoked from PUBLIC, like the procedures that call them; a load role is
-- granted EXECUTE on them with the procedures (README "Security").  The
-- load lock (table load_lock) is granted to nobody: a role needs UPDATE on
-- it to take the lock, so no role that may not load can stop the load;
-- nor is the log of refused loads (load_refusals).
DO $$
DECLARE
    r regprocedure;
BEGIN
    FOR r IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'gcanalytics'::regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) '\_%'
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', r);
    END LOOP;
END
$$;
REVOKE ALL ON gcanalytics.load_lock, gcanalytics.load_refusals FROM PUBLIC;

REVOKE ALL ON FUNCTION gcanalytics.refresh_dashboards(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics._dashboard_refreshed(text, text, boolean, float8, bigint, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.schedule(interval, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.unschedule() FROM PUBLIC;

-- ------------------------------------------------------------ roles
-- Roles are cluster-wide: created when missing, so that the extension can
-- be created in a second database.  The grants are per database.
--   gcanalytics_reader      every column of every dashboard
--   gcanalytics_supervisor  every column but the revenue ones (*_ltv,
--                           cx_overview's pipeline and revenue amounts)
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
        -- the reporting schema: only the reporting roles see into it
        EXECUTE format('GRANT USAGE ON SCHEMA gcanalytics_reports TO %I', r);
    END LOOP;
    -- the dashboards (and dashboard_status) in gcanalytics, and their
    -- reporting views in gcanalytics_reports (code/50_reports.sql), alike
    FOR c IN
        SELECT s.rel, v, (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                            FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = s.rel AND a.attnum > 0
                             AND NOT a.attisdropped AND a.attname NOT LIKE '%ltv%'
                             AND a.attname NOT IN ('open_pipeline_amount', 'closed_won_amount')) AS performance_columns,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                  FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = s.rel AND a.attnum > 0 AND NOT a.attisdropped) AS all_columns
          FROM unnest(gcanalytics.report_views()) v,
               LATERAL (VALUES (format('gcanalytics.%I', v)::regclass),
                               (format('gcanalytics_reports.%I', v)::regclass)) s(rel)
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO gcanalytics_reader', c.rel);
        EXECUTE format('GRANT SELECT (%s) ON %s TO gcanalytics_supervisor', c.performance_columns, c.rel);
        IF c.v NOT IN ('agent_quality', 'agent_quality_weekly') THEN
            EXECUTE format('GRANT SELECT (%s) ON %s TO gcanalytics_finance', c.all_columns, c.rel);
        END IF;
    END LOOP;
END
$$;

-- Cases and pipeline (35_warehouse_crm.sql): the reader and finance see
-- both views; the supervisor sees case resolution but no revenue.
GRANT SELECT ON gcanalytics.case_resolution_weekly TO gcanalytics_reader, gcanalytics_supervisor, gcanalytics_finance;
GRANT SELECT ON gcanalytics.revenue_weekly TO gcanalytics_reader, gcanalytics_finance;
-- Adherence by agent (36_warehouse_adherence.sql): agent-level rows, as
-- agent_quality: the reader and the supervisor.
GRANT SELECT ON gcanalytics.adherence_weekly TO gcanalytics_reader, gcanalytics_supervisor;
