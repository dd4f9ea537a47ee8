-- Every description names real objects: each table, view, function or
-- setting that a setting's description (gcanalytics.setting_defaults())
-- or a comment on an object of schema gcanalytics names must exist.  A
-- name is a lower-case word with an underscore (service_levels, kpi_*,
-- check_window()); with "()" it is a function or procedure of gcanalytics,
-- with "*" a pattern that some relation of gcanalytics must match, else a
-- relation of gcanalytics or a setting (setting descriptions).  Comments
-- also name columns (of gcanalytics and of the reporting views of
-- gcanalytics_reports), the described function's parameters, schemas, types,
-- extensions, catalog views, and a few words that are no database object
-- (listed below: a program, server options).
CREATE SCHEMA descriptions;
SET search_path = descriptions, public;
\set VERBOSITY terse

CREATE TABLE described AS
SELECT 'setting ' || d.name AS what, d.description AS text, true AS strict
  FROM gcanalytics.setting_defaults() d
UNION ALL
SELECT pg_describe_object(c.classoid, c.objoid, c.objsubid), c.description, false
  FROM pg_description c
  JOIN pg_depend e ON e.classid = c.classoid AND e.objid = c.objoid AND e.deptype = 'e'
                  AND e.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gcanalytics');

CREATE TABLE named AS
SELECT d.what, d.strict, m[1] AS name, m[2] = '()' AS called
  FROM described d, regexp_matches(d.text, '\m(_?[a-z][a-z0-9]*(?:_[a-z0-9*]+)+\*?)(\(\))?', 'g') m;

CREATE FUNCTION exists_named(name text, called boolean, strict boolean, what text DEFAULT '') RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN called THEN EXISTS (SELECT FROM pg_proc p
                                  WHERE p.pronamespace = 'gcanalytics'::regnamespace AND p.proname = name)
        ELSE EXISTS (SELECT FROM pg_class c
                      WHERE c.relnamespace = 'gcanalytics'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                        AND c.relname LIKE replace(replace(name, '_', '\_'), '*', '%'))
          OR EXISTS (SELECT FROM gcanalytics.setting_defaults() s WHERE s.name = exists_named.name)
          OR (NOT strict AND (
                 EXISTS (SELECT FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          WHERE c.relnamespace IN ('gcanalytics'::regnamespace, 'gcanalytics_reports'::regnamespace)
                            AND a.attname = exists_named.name AND NOT a.attisdropped)
              OR EXISTS (SELECT FROM pg_proc p WHERE what = 'function ' || p.oid::regprocedure::text
                                                 AND exists_named.name = ANY (p.proargnames))
              OR EXISTS (SELECT FROM pg_namespace n WHERE n.nspname = exists_named.name)
              OR EXISTS (SELECT FROM pg_type t WHERE t.typnamespace = 'gcanalytics'::regnamespace
                                                 AND t.typname = exists_named.name)
              OR EXISTS (SELECT FROM pg_available_extensions x WHERE x.name = exists_named.name)
              OR EXISTS (SELECT FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace
                                                  AND c.relname = exists_named.name)
              OR name IN ('pg_dump',                            -- a program
                          'gcanalytics_source',                 -- the schema configure() creates
                          'instance_url', 'max_concurrency')))  -- server options (sql/validator.sql)
    END
$$;

-- the check sees names: the settings name tables, views and functions
SELECT count(*) > 20 AS many_names, count(*) FILTER (WHERE strict) >= 10 AS settings_name_objects,
       bool_or(name = 'service_levels') AS service_levels_named, bool_or(called) AS functions_named
  FROM named;
-- and it would find a wrong one
SELECT exists_named('service_level_targets', false, true) AS old_name_exists,
       exists_named('service_levels', false, true) AS table_exists,
       exists_named('kpi_*', false, true) AS pattern_matches,
       exists_named('check_window', true, true) AS function_exists;

-- names that do not exist: none
SELECT what, name FROM named WHERE NOT exists_named(name, called, strict, what) ORDER BY 1, 2;

DROP SCHEMA descriptions CASCADE;
