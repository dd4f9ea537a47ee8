-- The foreign data wrapper.
CREATE FUNCTION gcanalytics.gcanalytics_fdw_handler() RETURNS fdw_handler
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_handler'
    LANGUAGE C STRICT;

CREATE FUNCTION gcanalytics.gcanalytics_fdw_validator(text[], oid) RETURNS void
    AS 'MODULE_PATHNAME', 'gcanalytics_fdw_validator'
    LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER gcanalytics_fdw
    HANDLER gcanalytics.gcanalytics_fdw_handler
    VALIDATOR gcanalytics.gcanalytics_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gcanalytics_fdw IS 'Genesys Cloud and Salesforce APIs as foreign tables';
