-- Scaling out with Citus (README "Scaling out with Citus").  The
-- extension does not depend on Citus: distribute() names its functions
-- (pg_catalog.create_distributed_table, ...) only when Citus is there.

-- _citus_placement(table): where distribute() puts each warehouse table:
-- 'distributed' (hash by the column distribute() names), 'reference' (a
-- copy on every node) or 'local' (the coordinator only).  Tables the list
-- does not name are reference tables: configuration and reference data
-- are small and joined with the large tables on every worker.
CREATE OR REPLACE FUNCTION gcanalytics._citus_plan()
    RETURNS TABLE (table_name regclass, placement text, distribution_column text, colocate_with text, why text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH planned (tab, placement, col, colocate_with, why) AS (VALUES
        ('interactions', 'distributed', 'conversation_id', 'none',
         'grows with traffic; every unique key includes conversation_id, so each upsert of the load routes to one shard'),
        ('evaluations', 'distributed', 'conversation_id', 'gcanalytics.interactions',
         'grows with traffic; co-located with interactions, so the QA score of a conversation is computed on its shard'),
        ('surveys', 'distributed', 'conversation_id', 'gcanalytics.interactions',
         'grows with traffic; co-located with interactions, so the surveys of a conversation are kept from its row on its shard'),
        ('queue_metrics', 'distributed', 'queue_id', 'none',
         'grows with queues x media types x quarter hours; the daily rows are summed from the 15-minute ones of the same queue, on its shard'),
        ('settings', 'local', NULL, NULL,
         'read through setting(), which the coordinator evaluates before it sends a query to the workers; written with a check of each value that Citus''s copies to reference placements cannot run'),
        ('sync_windows', 'local', NULL, NULL,
         'bookkeeping of the load, written with clock_timestamp() as each window starts and ends; read only by the coordinator'),
        ('sync_state', 'local', NULL, NULL,
         'the high-water marks, one row per resource; read only by the coordinator'),
        ('load_lock', 'local', NULL, NULL,
         'the load lock, claimed with the process id of the session loading; read only by the coordinator'),
        ('load_refusals', 'local', NULL, NULL,
         'the loads that found the load lock held, with their process ids; written and read only by the coordinator'),
        ('dashboard_refreshes', 'local', NULL, NULL,
         'the record of refresh_dashboards(), beside the materialized views it describes, which stay on the coordinator; read only there'),
        ('kpi_daily_parts', 'local', NULL, NULL,
         'a rollup (days x queues x media types): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('queue_interval_parts', 'local', NULL, NULL,
         'a rollup (intervals x queues x media types): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('escalation_parts', 'local', NULL, NULL,
         'a rollup (days x accounts that called): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('bot_containment_parts', 'local', NULL, NULL,
         'a rollup (days x industries x media types x accounts contained): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('join_quality_parts', 'local', NULL, NULL,
         'a rollup (days x link methods): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('cx_overview_parts', 'local', NULL, NULL,
         'a rollup (days x tiers): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('cx_insights_parts', 'local', NULL, NULL,
         'a rollup (days x tiers): written by refresh_dashboards() from what the workers aggregate, read by the materialized views on the coordinator'),
        ('escalation_accounts', 'local', NULL, NULL,
         'a rollup (accounts that called x tiers at the call): written by refresh_dashboards() from escalation_parts, read by escalation_by_tier on the coordinator'),
        ('escalation_week_accounts', 'local', NULL, NULL,
         'a rollup (weeks x tiers x accounts that called): written by refresh_dashboards() from escalation_parts, read by escalation_weekly on the coordinator'),
        ('kpi_daily', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('kpi_weekly', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from kpi_daily, read by BI tools on the coordinator'),
        ('queue_interval', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('escalation_weekly', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('escalation_by_tier', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('bot_containment_by_industry', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('join_quality', 'local', NULL, NULL,
         'a dashboard kept as a table: written by refresh_dashboards() from its rollup, read by BI tools on the coordinator'),
        ('dashboard_changes', 'local', NULL, NULL,
         'bookkeeping: the days the load changed, written by the load and taken by refresh_dashboards(), both on the coordinator'),
        ('dashboard_conversation_changes', 'local', NULL, NULL,
         'bookkeeping: the conversations the load inserted or whose next contact it moved, written by the load and taken by refresh_dashboards(), both on the coordinator'),
        ('dashboard_rollups', 'local', NULL, NULL,
         'bookkeeping: each rollup''s signature, read and written by refresh_dashboards() on the coordinator'))
    SELECT c.oid::regclass, coalesce(p.placement, 'reference'), p.col, p.colocate_with,
           coalesce(p.why, 'small; joined with the distributed tables, or read by functions the workers run')
      FROM pg_class c
      JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'gcanalytics'
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'gcanalytics'
      LEFT JOIN planned p ON p.tab = c.relname
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
     -- the distributed ones first: evaluations is co-located with interactions
     ORDER BY coalesce(p.placement, 'reference') <> 'distributed', p.colocate_with <> 'none', c.relname
$$;

-- distribute(): on a Citus coordinator, the large tables distributed and
-- the small ones made reference tables (_citus_plan()); the dashboards
-- read them unchanged.  A table already placed as planned is left as it
-- is, so a second call changes nothing.  Returns one row per table.
CREATE OR REPLACE FUNCTION gcanalytics.distribute()
    RETURNS TABLE (table_name regclass, placement text, distribution_column text, action text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- Citus's NOTICEs on each table copied say nothing the result does not
    SET client_min_messages = warning
    AS $$
DECLARE
    p record;
    current_method "char";
    current_column text;
    my_version text := (SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics');
    bad text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'distribute() needs Citus, which is not installed in database "%"', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Without Citus the warehouse stays on this node, where it works as it is.',
                  HINT = 'On every node: add citus (first), pg_cron and gcanalytics to shared_preload_libraries, restart, and CREATE EXTENSION citus; on the coordinator add the workers with citus_add_node(), then CREATE EXTENSION gcanalytics and call distribute() there.';
    END IF;
    IF NOT pg_catalog.citus_is_coordinator() THEN
        RAISE EXCEPTION 'distribute() runs on the Citus coordinator'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('This node (database "%s") is not registered as the coordinator.', current_database()),
                  HINT = 'Connect to the coordinator (or register this node with citus_set_coordinator_host()) and call gcanalytics.distribute() there.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE noderole = 'primary' AND shouldhaveshards AND isactive) THEN
        RAISE EXCEPTION 'the Citus cluster has no node to place shards on'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add the workers on the coordinator: SELECT citus_add_node(''worker-host'', 5432);';
    END IF;
    -- every worker must run the same gcanalytics: the queries the
    -- coordinator sends them call its functions and read its reference tables
    SELECT string_agg(format('%s:%s (%s)', r.nodename, r.nodeport, coalesce(nullif(r.result, ''), 'not installed')), ', ')
      INTO bad
      FROM pg_catalog.run_command_on_workers(
               $c$SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'), '')
                  || CASE WHEN current_setting('shared_preload_libraries') ~ 'gcanalytics' THEN '' ELSE ' not preloaded' END$c$) r
     WHERE NOT r.success OR r.result IS DISTINCT FROM my_version;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'gcanalytics % is not installed and preloaded on every worker', my_version
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Workers without it: %s.', bad),
                  HINT = 'Install the same gcanalytics package on every node and add it to shared_preload_libraries (after citus); CREATE EXTENSION on the coordinator creates it on the workers.';
    END IF;

    FOR p IN SELECT * FROM gcanalytics._citus_plan() LOOP
        table_name := p.table_name;
        placement := p.placement;
        distribution_column := p.distribution_column;
        SELECT d.partmethod, CASE WHEN d.partmethod = 'h' THEN pg_catalog.column_to_column_name(d.logicalrelid, d.partkey) END
          INTO current_method, current_column
          FROM pg_dist_partition d
         WHERE d.logicalrelid = p.table_name;
        IF p.placement = 'local' THEN
            IF current_method IS NOT NULL THEN
                RAISE EXCEPTION 'table % is managed by Citus but is meant to stay local to the coordinator', p.table_name
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          DETAIL = p.why,
                          HINT = format('SELECT undistribute_table(%L); then call gcanalytics.distribute() again.', p.table_name);
            END IF;
            action := 'kept local';
        ELSIF current_method IS NULL THEN
            IF p.placement = 'distributed' THEN
                PERFORM pg_catalog.create_distributed_table(p.table_name, p.distribution_column,
                                                            colocate_with => p.colocate_with);
            ELSE
                PERFORM pg_catalog.create_reference_table(p.table_name);
            END IF;
            -- the rows now live in the shards; the coordinator's copy goes
            PERFORM pg_catalog.truncate_local_data_after_distributing_table(p.table_name);
            action := 'created';
        ELSIF (p.placement = 'distributed' AND current_method = 'h' AND current_column = p.distribution_column)
           OR (p.placement = 'reference' AND current_method = 'n'
               AND EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = p.table_name AND d.repmodel = 't')) THEN
            action := 'already';
        ELSE
            RAISE EXCEPTION 'table % is already managed by Citus in another way than distribute() places it', p.table_name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('distribute() makes it %s%s: %s.', p.placement,
                                      CASE WHEN p.distribution_column IS NOT NULL THEN ' by ' || p.distribution_column ELSE '' END, p.why),
                      HINT = format('SELECT undistribute_table(%L); then call gcanalytics.distribute() again.', p.table_name);
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics.distribute() IS
    'on a Citus coordinator: distributes interactions and evaluations (by conversation_id, co-located) and queue_metrics (by queue_id), makes the other tables reference tables but settings, sync_windows, sync_state, load_lock, load_refusals, dashboard_refreshes, the dashboards'' rollups, the dashboards kept as tables and dashboard_changes, dashboard_conversation_changes, dashboard_rollups (local); idempotent';
