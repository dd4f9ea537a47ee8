-- gcanalytics install script: src/sql/state/*.sql and src/sql/code/*.sql in name order.
\echo Use "CREATE EXTENSION gcanalytics" to load this file. \quit

COMMENT ON SCHEMA gcanalytics IS 'gcanalytics: Genesys Cloud + Salesforce analytics warehouse';

CREATE OR REPLACE FUNCTION gcanalytics.version() RETURNS text
    AS 'MODULE_PATHNAME', 'gcanalytics_version'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.version() IS 'version of the loaded gcanalytics library';
