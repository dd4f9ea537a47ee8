-- The validator of gcanalytics_fdw: every option (README "Options") accepted
-- where it belongs and rejected elsewhere, typo hints, URL rules.
\set VERBOSITY default
SELECT gcanalytics.version() ~ '^\d+\.\d+\.\d+$' AS version_ok;
SELECT extversion = gcanalytics.version() AS library_matches_extension
  FROM pg_extension WHERE extname = 'gcanalytics';

-- Genesys server: every server option it takes
CREATE SERVER v_gc FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (
    service 'genesys', region 'mypurecloud.ie',
    api_url 'https://api.mypurecloud.ie', login_url 'https://login.mypurecloud.ie/',
    requests_per_minute '300', max_concurrency '4', page_size '100',
    timeout_ms '30000', connect_timeout_ms '5000', max_retries '5',
    extraction 'auto', use_remote_estimate 'false');
-- loopback http is accepted (the simulator)
ALTER SERVER v_gc OPTIONS (SET api_url 'http://127.0.0.1:8080', SET login_url 'http://localhost:8080');
ALTER SERVER v_gc OPTIONS (SET api_url 'http://[::1]:8080');
-- Salesforce server: every server option it takes
CREATE SERVER v_sf FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (
    service 'salesforce', instance_url 'https://acme.my.salesforce.com',
    login_url 'https://acme.my.salesforce.com', api_version '62.0',
    requests_per_minute '1000', max_concurrency '2', page_size '2000',
    timeout_ms '60000', connect_timeout_ms '2000', max_retries '3',
    use_remote_estimate 'on');
SELECT srvname, array_length(srvoptions, 1) AS n_options
  FROM pg_foreign_server WHERE srvname IN ('v_gc', 'v_sf') ORDER BY 1;

-- user mappings
CREATE USER MAPPING FOR CURRENT_USER SERVER v_gc OPTIONS (client_id 'id', client_secret 's3cr3t');
CREATE USER MAPPING FOR PUBLIC SERVER v_sf OPTIONS (client_id 'id', refresh_token 'r3fr3sh');
-- foreign tables and columns
CREATE FOREIGN TABLE v_conv (conversation_id text, sf_account text OPTIONS (attribute 'sfAccountId'))
    SERVER v_gc OPTIONS (resource 'conversations', extraction 'job', use_remote_estimate 'true');
CREATE FOREIGN TABLE v_acct ("Id" text, owner text OPTIONS (field 'Owner.Name'))
    SERVER v_sf OPTIONS (sobject 'Account');
ALTER FOREIGN TABLE v_acct ALTER COLUMN "Id" OPTIONS (ADD field 'Id');

-- errors: missing or misspelt options get a clear error with a hint
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw;
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'zendesk');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', regoin 'mypurecloud.com');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', requests_per_minut '10');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', colour 'blue');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'salesforce');
-- options of one service on the other's server
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', instance_url 'https://x.my.salesforce.com');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', api_version '62.0');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'salesforce', instance_url 'https://x.my.salesforce.com', region 'mypurecloud.com');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'salesforce', instance_url 'https://x.my.salesforce.com', extraction 'job');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'salesforce', instance_url 'https://x.my.salesforce.com', api_url 'https://x');
-- options of another object
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', client_secret 'hunter2');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', resource 'conversations');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', attribute 'x');
CREATE SERVER bad FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service 'genesys', field 'Name');
CREATE FOREIGN DATA WRAPPER bad_fdw VALIDATOR gcanalytics.gcanalytics_fdw_validator OPTIONS (service 'genesys');
ALTER USER MAPPING FOR CURRENT_USER SERVER v_gc OPTIONS (ADD region 'mypurecloud.com');
ALTER USER MAPPING FOR CURRENT_USER SERVER v_gc OPTIONS (ADD client_secrte 'x');
ALTER FOREIGN TABLE v_conv OPTIONS (ADD region 'mypurecloud.com');
ALTER FOREIGN TABLE v_conv OPTIONS (ADD client_id 'x');
ALTER FOREIGN TABLE v_conv OPTIONS (ADD sobject 'Account');
ALTER FOREIGN TABLE v_conv OPTIONS (SET resource 'conversation');
ALTER FOREIGN TABLE v_conv OPTIONS (SET extraction 'bulk');
ALTER FOREIGN TABLE v_conv ALTER COLUMN conversation_id OPTIONS (ADD resource 'x');
ALTER FOREIGN TABLE v_conv ALTER COLUMN conversation_id OPTIONS (ADD atribute 'x');
ALTER FOREIGN TABLE v_acct ALTER COLUMN owner OPTIONS (SET field 'Owner..Name');
ALTER FOREIGN TABLE v_acct OPTIONS (SET sobject 'Account; DROP');
CREATE FOREIGN TABLE bad_t (x int) SERVER v_gc;

-- values
ALTER SERVER v_gc OPTIONS (SET requests_per_minute '0');
ALTER SERVER v_gc OPTIONS (SET max_concurrency 'many');
ALTER SERVER v_gc OPTIONS (SET timeout_ms '50');
ALTER SERVER v_gc OPTIONS (SET max_retries '-1');
ALTER SERVER v_gc OPTIONS (SET use_remote_estimate 'maybe');
ALTER SERVER v_gc OPTIONS (SET extraction 'fast');
ALTER SERVER v_gc OPTIONS (SET region 'my purecloud');
ALTER SERVER v_sf OPTIONS (SET api_version 'v62');
-- URLs: https anywhere, http only on loopback, no credentials or queries
ALTER SERVER v_gc OPTIONS (SET api_url 'http://api.mypurecloud.com');
ALTER SERVER v_gc OPTIONS (SET login_url 'http://10.0.0.1:8080');
ALTER SERVER v_gc OPTIONS (SET api_url 'ftp://api.mypurecloud.com');
ALTER SERVER v_gc OPTIONS (SET api_url 'https://user:pw@api.mypurecloud.com');
ALTER SERVER v_gc OPTIONS (SET api_url 'https://api.mypurecloud.com/?x=1');
ALTER SERVER v_gc OPTIONS (SET api_url 'https://');
ALTER SERVER v_sf OPTIONS (SET instance_url 'http://acme.my.salesforce.com');
ALTER SERVER v_gc OPTIONS (SET login_url 'http://127.0.0.1.evil.com');
-- secrets are never echoed, only checked for emptiness
ALTER USER MAPPING FOR CURRENT_USER SERVER v_gc OPTIONS (SET client_secret '');
CREATE ROLE regress_gca_user;
CREATE USER MAPPING FOR regress_gca_user SERVER v_gc OPTIONS (client_secret 'x');
ALTER USER MAPPING FOR CURRENT_USER SERVER v_gc OPTIONS (DROP client_secret);

SET client_min_messages = warning;
DROP SERVER v_gc, v_sf CASCADE;
DROP ROLE regress_gca_user;
RESET client_min_messages;
