-- gcanalytics 0.1.0 -> 0.2.0
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.2.0'" to load this file. \quit

-- 1. The weights become the view gcanalytics.weht_weights over the shipped
-- defaults and the user's edits (see src/sql/20_kpi.sql), so that pg_dump
-- dumps only the edits and a restore no longer collides with the seeded
-- rows.  The 0.1.0 table is renamed, its differences from the 0.1.0
-- defaults become edits, and it is dropped.
ALTER TABLE gcanalytics.weht_weights RENAME TO weht_weights_0_1_0;
ALTER EXTENSION gcanalytics DROP TABLE gcanalytics.weht_weights_0_1_0;

CREATE TABLE gcanalytics.weht_weights_default (
    dimension   text NOT NULL,
    key         text NOT NULL,
    multiplier  float8 NOT NULL,
    description text,
    PRIMARY KEY (dimension, key)
);
COMMENT ON TABLE gcanalytics.weht_weights_default IS
    'the weighted handle time multipliers this version of gcanalytics ships; edit gcanalytics.weht_weights instead';
-- keep in step with WEHT_DEFAULTS in src/kpi/weht.c
INSERT INTO gcanalytics.weht_weights_default VALUES
    ('transfers', '0', 1.0, 'handled without transfer'),
    ('transfers', '1', 1.2, 'one transfer'),
    ('transfers', '2', 1.5, 'two or more transfers'),
    ('media_type', 'voice', 1.0, NULL),
    ('media_type', 'callback', 1.0, NULL),
    ('media_type', 'chat', 0.9, 'agents handle chats concurrently'),
    ('media_type', 'message', 0.9, 'agents handle messages concurrently'),
    ('media_type', 'email', 1.1, 'written answers take more care'),
    ('media_type', 'video', 1.2, NULL),
    ('media_type', 'default', 1.0, 'any other media type');

CREATE TABLE gcanalytics.weht_weights_edit (
    dimension   text NOT NULL CHECK (dimension IN ('transfers', 'media_type')),
    key         text NOT NULL,
    multiplier  float8 CHECK (multiplier > 0 AND multiplier < 'Infinity'),
    description text,
    PRIMARY KEY (dimension, key),
    CHECK (dimension <> 'transfers' OR key ~ '^[0-9]+$')
);
COMMENT ON TABLE gcanalytics.weht_weights_edit IS
    'the user''s edits of gcanalytics.weht_weights (a NULL multiplier deletes a default); dumped by pg_dump';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.weht_weights_edit', '');

CREATE VIEW gcanalytics.weht_weights AS
SELECT e.dimension, e.key, e.multiplier, e.description
  FROM gcanalytics.weht_weights_edit e
 WHERE e.multiplier IS NOT NULL
UNION ALL
SELECT d.dimension, d.key, d.multiplier, d.description
  FROM gcanalytics.weht_weights_default d
 WHERE NOT EXISTS (SELECT FROM gcanalytics.weht_weights_edit e
                    WHERE e.dimension OPERATOR(pg_catalog.=) d.dimension
                      AND e.key OPERATOR(pg_catalog.=) d.key);
COMMENT ON VIEW gcanalytics.weht_weights IS
    'multipliers of weighted handle time: by transfer count (key "2" serves 2 or more) and by media type ("default" for the rest); editable';

-- INSTEAD OF trigger of the view.  Runs as the extension's owner so that
-- a role granted INSERT, UPDATE or DELETE on the view needs no privilege on
-- the tables behind it; only this trigger can call it.
CREATE FUNCTION gcanalytics.weht_weights_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key)) THEN
        -- the old key goes: a default is masked, an added key removed
        IF EXISTS (SELECT FROM gcanalytics.weht_weights_default d
                    WHERE d.dimension = OLD.dimension AND d.key = OLD.key) THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (OLD.dimension, OLD.key, NULL, NULL)
                ON CONFLICT (dimension, key) DO UPDATE SET multiplier = NULL, description = NULL;
        ELSE
            DELETE FROM gcanalytics.weht_weights_edit e WHERE e.dimension = OLD.dimension AND e.key = OLD.key;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF NEW.multiplier IS NULL THEN
        RAISE not_null_violation USING
            MESSAGE = 'null value in column "multiplier" of relation "weht_weights" violates not-null constraint';
    END IF;
    IF (TG_OP = 'INSERT' OR (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key))
       AND EXISTS (SELECT FROM gcanalytics.weht_weights w WHERE w.dimension = NEW.dimension AND w.key = NEW.key) THEN
        RAISE unique_violation USING
            MESSAGE = 'duplicate key value violates unique constraint "weht_weights_pkey"',
            DETAIL = format('Key (dimension, key)=(%s, %s) already exists.', NEW.dimension, NEW.key);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS NOT DISTINCT FROM (NEW.dimension, NEW.key) THEN
        INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description)
            ON CONFLICT (dimension, key) DO UPDATE SET multiplier = EXCLUDED.multiplier, description = EXCLUDED.description;
    ELSE
        -- a new key: re-adds a deleted default, or is added (two sessions
        -- adding one key meet the edit table's primary key)
        UPDATE gcanalytics.weht_weights_edit e SET multiplier = NEW.multiplier, description = NEW.description
         WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND e.multiplier IS NULL;
        IF NOT FOUND THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description);
        END IF;
    END IF;
    -- an edit that equals its default is no edit
    DELETE FROM gcanalytics.weht_weights_edit e USING gcanalytics.weht_weights_default d
     WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND d.dimension = e.dimension AND d.key = e.key
       AND e.multiplier = d.multiplier AND e.description IS NOT DISTINCT FROM d.description;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION gcanalytics.weht_weights_write() IS
    'INSTEAD OF trigger of gcanalytics.weht_weights: turns INSERT, UPDATE and DELETE into rows of weht_weights_edit';
CREATE TRIGGER weht_weights_write INSTEAD OF INSERT OR UPDATE OR DELETE ON gcanalytics.weht_weights
    FOR EACH ROW EXECUTE FUNCTION gcanalytics.weht_weights_write();

-- the 0.1.0 table's rows that differ from the defaults, and the defaults it lacks
INSERT INTO gcanalytics.weht_weights_edit
SELECT o.dimension, o.key, o.multiplier, o.description
  FROM gcanalytics.weht_weights_0_1_0 o
  LEFT JOIN gcanalytics.weht_weights_default d USING (dimension, key)
 WHERE d.key IS NULL OR d.multiplier IS DISTINCT FROM o.multiplier
    OR d.description IS DISTINCT FROM o.description
UNION ALL
SELECT d.dimension, d.key, NULL, NULL
  FROM gcanalytics.weht_weights_default d
 WHERE NOT EXISTS (SELECT FROM gcanalytics.weht_weights_0_1_0 o
                    WHERE o.dimension = d.dimension AND o.key = d.key);
DROP TABLE gcanalytics.weht_weights_0_1_0;

-- 2. Privileges (src/sql/90_privileges.sql)
GRANT USAGE ON SCHEMA gcanalytics TO PUBLIC;
GRANT SELECT ON gcanalytics.weht_weights TO PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.weht_weights_write() FROM PUBLIC;

-- 3. Scan progress and the resource registry (src/sql/10_fdw.sql)
-- What the running foreign scans of every backend are doing (progress.c).
CREATE FUNCTION gcanalytics.scan_progress(
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
CREATE FUNCTION gcanalytics.resources(
    OUT resource text,
    OUT service text,
    OUT needs_time_bound boolean,
    OUT description text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_resources'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION gcanalytics.resources() IS
    'the resources a foreign table can read (option resource), with their service and description';

CREATE FUNCTION gcanalytics.resource_columns(
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
CREATE FUNCTION gcanalytics.describe_foreign_tables() RETURNS event_trigger
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
CREATE EVENT TRIGGER gcanalytics_describe_foreign_tables ON ddl_command_end
    WHEN TAG IN ('CREATE FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA')
    EXECUTE FUNCTION gcanalytics.describe_foreign_tables();
