-- The HTTP core without the network: the SQL surface of http_stats(),
-- http_request() and http_request_many(), their permissions, and errors
-- that need no API (unknown server, bad method, foreign origin, refused
-- connection).
\set VERBOSITY terse

-- the columns of http_stats()
SELECT proname, pg_get_function_result(oid) AS result
  FROM pg_proc
 WHERE pronamespace = 'gcanalytics'::regnamespace AND proname LIKE 'http%'
 ORDER BY 1;
SELECT count(*) >= 0 AS stats_readable FROM gcanalytics.http_stats();
SELECT gcanalytics.http_stats_reset();

-- the request functions are not for PUBLIC
SELECT has_function_privilege('public', 'gcanalytics.http_request(name, text, text, text)', 'EXECUTE') AS public_request,
       has_function_privilege('public', 'gcanalytics.http_request_many(name, text, text[])', 'EXECUTE') AS public_request_many,
       has_function_privilege('public', 'gcanalytics.http_stats()', 'EXECUTE') AS public_stats,
       has_function_privilege('public', 'gcanalytics.http_stats_reset()', 'EXECUTE') AS public_stats_reset;
CREATE ROLE regress_http_user;
GRANT USAGE ON SCHEMA gcanalytics TO regress_http_user;
SET ROLE regress_http_user;
SELECT * FROM gcanalytics.http_request('nowhere', 'GET', '/');
SELECT count(*) >= 0 AS stats_readable FROM gcanalytics.http_stats();
RESET ROLE;
REVOKE USAGE ON SCHEMA gcanalytics FROM regress_http_user;
DROP ROLE regress_http_user;

-- errors before any request
SELECT * FROM gcanalytics.http_request('nowhere', 'GET', '/api/v2/routing/queues');
CREATE FOREIGN DATA WRAPPER regress_other_fdw;
CREATE SERVER regress_other FOREIGN DATA WRAPPER regress_other_fdw;
SELECT * FROM gcanalytics.http_request('regress_other', 'GET', '/');
DROP SERVER regress_other;
DROP FOREIGN DATA WRAPPER regress_other_fdw;

-- port 1 on loopback refuses connections: a transport error, not retried
-- past max_retries, naming the token endpoint
CREATE SERVER regress_http_closed FOREIGN DATA WRAPPER gcanalytics_fdw
  OPTIONS (service 'genesys', api_url 'http://127.0.0.1:1', login_url 'http://127.0.0.1:1',
           max_retries '0', connect_timeout_ms '1000');
SELECT * FROM gcanalytics.http_request('regress_http_closed', 'GET', '/api/v2/routing/queues');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_http_closed
  OPTIONS (client_id 'regress-id', client_secret 'regress-secret-not-shown');
SELECT * FROM gcanalytics.http_request('regress_http_closed', 'PATCH', '/api/v2/routing/queues');
SELECT * FROM gcanalytics.http_request('regress_http_closed', 'GET', NULL);
SELECT * FROM gcanalytics.http_request('regress_http_closed', 'GET', '/api/v2/routing/queues');
SELECT * FROM gcanalytics.http_request_many('regress_http_closed', 'GET', ARRAY['/a', '/b']);
-- an error caught in a subtransaction leaves nothing started behind
DO $$
BEGIN
    PERFORM * FROM gcanalytics.http_request_many('regress_http_closed', 'GET', ARRAY['/a']);
EXCEPTION WHEN fdw_unable_to_establish_connection THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
SELECT server, requests, retries, errors, token_requests,
       shared = (current_setting('shared_preload_libraries') LIKE '%gcanalytics%') AS shared_when_preloaded
  FROM gcanalytics.http_stats() WHERE server = 'regress_http_closed';

-- salesforce: the token comes from login_url (default: instance_url)
CREATE SERVER regress_http_sf FOREIGN DATA WRAPPER gcanalytics_fdw
  OPTIONS (service 'salesforce', instance_url 'http://127.0.0.1:1', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_http_sf
  OPTIONS (client_id 'regress-id', refresh_token 'regress-refresh-not-shown');
SELECT * FROM gcanalytics.http_request('regress_http_sf', 'GET', '/services/data/v62.0/limits');

DROP SERVER regress_http_closed CASCADE;
DROP SERVER regress_http_sf CASCADE;
