-- The foreign data wrapper.
CREATE OR REPLACE FUNCTION gcanalytics.gcanalytics_fdw_handler() RETURNS fdw_handler
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_handler'
    LANGUAGE C STRICT;

CREATE OR REPLACE FUNCTION gcanalytics.gcanalytics_fdw_validator(text[], oid) RETURNS void
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_validator'
    LANGUAGE C STRICT;


-- What the running foreign scans of every backend are doing (progress.c).
CREATE OR REPLACE FUNCTION gcanalytics.scan_progress(
    OUT pid integer,
    OUT relid regclass,
    OUT resource text,
    OUT started timestamptz,
    OUT windows_done integer,
    OUT windows_total integer,
    OUT requests bigint,
    OUT pages bigint,
    OUT rows bigint,
    OUT wait_ms bigint,
    OUT throttled_ms bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_scan_progress'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.scan_progress() IS
    'running gcanalytics foreign scans, one row per backend (join pg_stat_activity on pid): windows done of total, requests, pages, rows, wall-clock ms waiting for responses, ms held back by the rate budget and Retry-After (summed over requests); every backend''s when gcanalytics is preloaded, else this session''s';

-- The resource registry: what every foreign table and column holds.
CREATE OR REPLACE FUNCTION gcanalytics.resources(
    OUT resource text,
    OUT service text,
    OUT needs_time_bound boolean,
    OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_resources'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION gcanalytics.resources() IS
    'the resources a foreign table can read (option resource), with their service and description';

CREATE OR REPLACE FUNCTION gcanalytics.resource_columns(
    OUT resource text,
    OUT ordinal integer,
    OUT column_name text,
    OUT type text,
    OUT pushdown text,
    OUT api_name text,
    OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_resource_columns'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION gcanalytics.resource_columns() IS
    'the columns of each resource as IMPORT FOREIGN SCHEMA creates them: type, which conditions on them are sent to the API, the API name, what they hold';

-- Foreign tables of gcanalytics_fdw get the registry's descriptions as
-- comments when they are created (also by IMPORT FOREIGN SCHEMA), so that
-- psql's \d+ and BI tools show them; comments already set are kept.
CREATE OR REPLACE FUNCTION gcanalytics.describe_foreign_tables() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t record;
    comments text;
BEGIN
    FOR t IN
        SELECT c.oid AS relid, r.resource, r.description
          FROM pg_event_trigger_ddl_commands() cmd
          JOIN pg_class c ON c.oid = cmd.objid AND cmd.classid = 'pg_class'::regclass
          JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
          JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
          JOIN pg_foreign_data_wrapper w ON w.oid = fs.srvfdw AND w.fdwname = 'gcanalytics_fdw'
          JOIN pg_options_to_table(ft.ftoptions) o ON o.option_name = 'resource'
          JOIN gcanalytics.resources() r ON r.resource = o.option_value
         WHERE cmd.objsubid = 0
    LOOP
        IF obj_description(t.relid, 'pg_class') IS NULL THEN
            EXECUTE format('COMMENT ON FOREIGN TABLE %s IS %L', t.relid::regclass, t.description);
        END IF;
        comments := (SELECT string_agg(format('COMMENT ON COLUMN %s.%I IS %L',
                                              t.relid::regclass, a.attname, rc.description), '; ')
                       FROM pg_attribute a
                       JOIN gcanalytics.resource_columns() rc
                         ON rc.resource = t.resource AND rc.column_name = a.attname
                      WHERE a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
                        AND col_description(t.relid, a.attnum) IS NULL
                        AND rc.description IS NOT NULL);
        IF comments IS NOT NULL THEN
            EXECUTE comments;
        END IF;
    END LOOP;
END
$$;
DROP EVENT TRIGGER IF EXISTS gcanalytics_describe_foreign_tables;
CREATE EVENT TRIGGER gcanalytics_describe_foreign_tables ON ddl_command_end
    WHEN TAG IN ('CREATE FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA')
    EXECUTE FUNCTION gcanalytics.describe_foreign_tables();
