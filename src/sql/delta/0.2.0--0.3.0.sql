-- gcanalytics 0.2.0 -> 0.3.0: the changes of state (tables, columns, types,
-- data moves, objects dropped).  The code pieces (src/sql/code/) follow it
-- in the built upgrade script and replace every function, view, dashboard
-- and grant.
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.3.0'" to load this file. \quit

-- the reporting schema and the record of refreshes (state/45_reports.sql)
CREATE SCHEMA gcanalytics_reports;
COMMENT ON SCHEMA gcanalytics_reports IS
    'what the reporting roles read: the dashboards with rates as fractions of 1 and durations in seconds, the insight, dashboard_status (README "BI tools")';
CREATE TABLE gcanalytics.dashboard_refreshes (
    view_name           text PRIMARY KEY,
    refreshed_at        timestamptz NOT NULL,
    refresh             text NOT NULL CHECK (refresh IN ('full', 'incremental')),
    concurrent          boolean NOT NULL,
    seconds             float8,
    row_count           bigint,
    data_complete_until timestamptz
);
COMMENT ON TABLE gcanalytics.dashboard_refreshes IS
    'the last refresh of each dashboard by refresh_dashboards(): when, how, and up to when the data it read was complete (read through dashboard_status)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.dashboard_refreshes', '');
