-- The foreign data wrapper (its handler and validator: code/10_fdw.sql).
CREATE FOREIGN DATA WRAPPER gcanalytics_fdw
    HANDLER gcanalytics.gcanalytics_fdw_handler
    VALIDATOR gcanalytics.gcanalytics_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gcanalytics_fdw IS 'Genesys Cloud and Salesforce APIs as foreign tables';
