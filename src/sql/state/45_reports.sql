-- The reporting schema (README "BI tools"): the views BI tools read,
-- created by code/50_reports.sql over the dashboards; the schema itself
-- and the record of the dashboards' refreshes hold state, so they are
-- created here by a fresh install and by the delta on an upgrade.
CREATE SCHEMA gcanalytics_reports;
COMMENT ON SCHEMA gcanalytics_reports IS
    'what the reporting roles read: the dashboards with rates as fractions of 1 and durations in seconds, the insight, dashboard_status (README "BI tools")';

-- one row per dashboard: its last refresh by refresh_dashboards()
CREATE TABLE gcanalytics.dashboard_refreshes (
    view_name           text PRIMARY KEY,
    refreshed_at        timestamptz NOT NULL,
    refresh             text NOT NULL CHECK (refresh IN ('full', 'incremental')),
    concurrent          boolean NOT NULL,
    seconds             float8,
    row_count           bigint,
    data_complete_until timestamptz,
    reason              text
);
COMMENT ON TABLE gcanalytics.dashboard_refreshes IS
    'the last refresh of each dashboard by refresh_dashboards(): when, how and why, and up to when the data it read was complete (read through dashboard_status)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.dashboard_refreshes', '');

