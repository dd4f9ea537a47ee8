-- The privilege model (README "Privileges"), tried as an ordinary role,
-- as a BI read-only role and as a role granted editing of the weights.
-- No request reaches an API: what is checked is who may call, read, write
-- and define what.
\set VERBOSITY terse

-- what PUBLIC may use, object by object of the extension
SELECT pg_describe_object(d.classid, d.objid, 0) AS object,
       CASE d.classid
           WHEN 'pg_proc'::regclass THEN has_function_privilege('public', d.objid, 'EXECUTE')::text
           WHEN 'pg_class'::regclass THEN
               concat_ws(',', CASE WHEN has_table_privilege('public', d.objid, 'SELECT') THEN 'select' END,
                              CASE WHEN has_table_privilege('public', d.objid, 'INSERT,UPDATE,DELETE') THEN 'write' END)
           WHEN 'pg_foreign_data_wrapper'::regclass THEN has_foreign_data_wrapper_privilege('public', d.objid, 'USAGE')::text
       END AS public_may
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gcanalytics')
   AND d.classid IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_foreign_data_wrapper'::regclass)
   AND NOT (d.classid = 'pg_class'::regclass AND (SELECT relkind FROM pg_class WHERE oid = d.objid) NOT IN ('r', 'v'))
 ORDER BY 1;
SELECT has_schema_privilege('public', 'gcanalytics', 'USAGE') AS public_schema_usage,
       has_schema_privilege('public', 'gcanalytics', 'CREATE') AS public_schema_create;

CREATE ROLE regress_gca_user;
CREATE ROLE regress_gca_bi;
CREATE ROLE regress_gca_editor;
GRANT INSERT, UPDATE, DELETE ON gcanalytics.weht_weights TO regress_gca_editor;

-- a DBA's server, mapping and foreign tables, and a local table of
-- interactions with a view over it for BI
CREATE SERVER regress_priv_gc FOREIGN DATA WRAPPER gcanalytics_fdw
    OPTIONS (service 'genesys', api_url 'http://127.0.0.1:9', login_url 'http://127.0.0.1:9');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_priv_gc
    OPTIONS (client_id 'dba', client_secret 'dba-secret');
CREATE SCHEMA regress_priv;
IMPORT FOREIGN SCHEMA analytics FROM SERVER regress_priv_gc INTO regress_priv;
CREATE TABLE regress_priv.interactions (id int, handle_ms bigint, transfers int, media_type text);
INSERT INTO regress_priv.interactions VALUES
    (1, 100000, 0, 'voice'),   -- 100000 * 1.0 * 1.0
    (2, 100000, 1, 'chat'),    -- 100000 * 1.2 * 0.9 = 108000
    (3, 200000, 2, 'email');   -- 200000 * 1.5 * 1.1 = 330000
CREATE VIEW regress_priv.weighted AS
    SELECT id, gcanalytics.weighted_handle_time(handle_ms, transfers, media_type,
                                                gcanalytics.weht_weights_json()) AS weighted_ms
      FROM regress_priv.interactions;
GRANT USAGE ON SCHEMA regress_priv TO regress_gca_bi, regress_gca_user;
GRANT SELECT ON ALL TABLES IN SCHEMA regress_priv TO regress_gca_bi;

-- 1. an ordinary role: every KPI function, the weights and their jsonb;
--    no writes, no diagnostics, no servers
SET ROLE regress_gca_user;
SELECT gcanalytics.version() = (SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics') AS version_ok;
SELECT gcanalytics.weighted_handle_time(300000, 1, 'voice') AS builtin,               -- 300000 * 1.2 = 360000
       gcanalytics.weighted_handle_time(300000, 1, 'chat', gcanalytics.weht_weights_json()) AS from_table, -- * 0.9 = 324000
       gcanalytics.weht_weights_json() = gcanalytics.weht_default_weights() AS json_is_default,
       gcanalytics.normalize_phone('555.123.4567') AS phone;
SELECT valid, anomaly FROM gcanalytics.timeline('{"participants": []}');
SELECT count(*) AS events FROM gcanalytics.timeline_events('{"participants": []}');
SELECT count(*) AS scores FROM gcanalytics.evaluation_scores('{}');
SELECT gcanalytics.interpolate(v, t) OVER (ORDER BY t) AS filled
  FROM (VALUES (1.0, timestamptz '2026-03-02 00:00Z'), (NULL, '2026-03-02 00:30Z'), (3.0, '2026-03-02 01:00Z')) x(v, t);
SELECT count(*) AS weights FROM gcanalytics.weht_weights;
SELECT count(*) >= 0 AS stats_readable FROM gcanalytics.http_stats();
UPDATE gcanalytics.weht_weights SET multiplier = 2 WHERE dimension = 'media_type' AND key = 'chat';
INSERT INTO gcanalytics.weht_weights VALUES ('media_type', 'sms', 1.0, NULL);
SELECT count(*) FROM gcanalytics.weht_weights_edit;
INSERT INTO gcanalytics.weht_weights_edit VALUES ('media_type', 'chat', 2, NULL);
DELETE FROM gcanalytics.weht_weights_default;
SELECT * FROM gcanalytics.http_request('regress_priv_gc', 'GET', '/api/v2/routing/queues');
SELECT * FROM gcanalytics.http_request_many('regress_priv_gc', 'GET', ARRAY['/api/v2/users']);
SELECT gcanalytics.http_stats_reset();
CREATE SERVER regress_priv_own FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_priv_gc OPTIONS (client_id 'u', client_secret 'u-secret');
SELECT count(*) FROM regress_priv.interactions;
-- the DBA's secret is not readable
SELECT usename, umoptions FROM pg_user_mappings WHERE srvname = 'regress_priv_gc';
RESET ROLE;

-- USAGE on the server lets the role keep its own credentials there
GRANT USAGE ON FOREIGN SERVER regress_priv_gc TO regress_gca_user;
SET ROLE regress_gca_user;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_priv_gc OPTIONS (client_id 'u', client_secret 'u-secret');
SELECT usename, umoptions FROM pg_user_mappings WHERE srvname = 'regress_priv_gc' ORDER BY 1;
DROP USER MAPPING FOR CURRENT_USER SERVER regress_priv_gc;
RESET ROLE;
REVOKE USAGE ON FOREIGN SERVER regress_priv_gc FROM regress_gca_user;

-- 2. a BI read-only role: reads what it is granted, views that compute
--    KPIs included; writes nothing
SET ROLE regress_gca_bi;
SELECT id, weighted_ms FROM regress_priv.weighted ORDER BY id;   -- 100000, 108000, 330000
SELECT has_table_privilege('regress_priv.conversations', 'SELECT') AS may_read_conversations;
UPDATE gcanalytics.weht_weights SET multiplier = 2 WHERE dimension = 'media_type' AND key = 'chat';
INSERT INTO regress_priv.interactions VALUES (4, 1, 0, 'voice');
SELECT * FROM gcanalytics.http_request('regress_priv_gc', 'GET', '/api/v2/routing/queues');
RESET ROLE;

-- 3. a role granted editing of the weights edits them through the view
--    (the trigger writes the table behind it), and everyone sees the edit;
--    the table behind stays closed to it
SET ROLE regress_gca_editor;
BEGIN;
UPDATE gcanalytics.weht_weights SET multiplier = 0.5 WHERE dimension = 'media_type' AND key = 'chat';
INSERT INTO gcanalytics.weht_weights VALUES ('transfers', '3', 2.0, 'three or more');
DELETE FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key = 'video';
SET LOCAL ROLE regress_gca_bi;
SELECT id, weighted_ms FROM regress_priv.weighted ORDER BY id;   -- chat now 100000 * 1.2 * 0.5 = 60000
SELECT gcanalytics.weht_weights_json()->'transfers' AS transfers, gcanalytics.weht_weights_json()->'media_type' ? 'video' AS has_video;
ROLLBACK;
SELECT count(*) FROM gcanalytics.weht_weights_edit;
RESET ROLE;
SELECT count(*) AS edits_left FROM gcanalytics.weht_weights_edit;

SET client_min_messages = warning;
DROP SCHEMA regress_priv CASCADE;
DROP SERVER regress_priv_gc CASCADE;
REVOKE ALL ON gcanalytics.weht_weights FROM regress_gca_editor;
DROP ROLE regress_gca_user;
DROP ROLE regress_gca_bi;
DROP ROLE regress_gca_editor;
RESET client_min_messages;
