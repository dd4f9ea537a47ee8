-- The reporting views (code/50_reports.sql) read the dashboards, which
-- code/40_dashboards.sql drops and creates again on every install and
-- upgrade: the reporting views go first (50_reports.sql makes them again
-- from the new dashboards).  A user's own view over a reporting view stops
-- the upgrade (PostgreSQL's error names it) rather than being dropped.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.oid::regclass AS name
               FROM pg_catalog.pg_class c
              WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'gcanalytics_reports')
                AND c.relkind = 'v'
    LOOP
        EXECUTE format('DROP VIEW %s', v.name);
    END LOOP;
END
$$;
DROP VIEW IF EXISTS gcanalytics.dashboard_status;
