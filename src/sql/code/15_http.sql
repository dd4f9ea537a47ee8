-- The HTTP core: request counters and a diagnostic request function.

CREATE OR REPLACE FUNCTION gcanalytics.http_stats(
    OUT server name,
    OUT requests bigint,
    OUT retries bigint,
    OUT errors jsonb,
    OUT bytes bigint,
    OUT wait_ms double precision,
    OUT token_requests bigint,
    OUT shared boolean,
    OUT limit_info text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_stats'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.http_stats() IS
    'HTTP requests per server of this database: attempts, retries, non-2xx responses by status, bytes, time waiting on the rate budget and backoff; across all sessions when gcanalytics is preloaded (shared), else this session''s';

CREATE OR REPLACE FUNCTION gcanalytics.http_stats_reset() RETURNS void
    AS 'MODULE_PATHNAME', 'gcanalytics_http_stats_reset'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION gcanalytics.http_stats_reset() IS
    'zeroes the counters of gcanalytics.http_stats() for this database';

CREATE OR REPLACE FUNCTION gcanalytics.http_request(
    server name,
    method text,
    path text,
    request_body text DEFAULT NULL,
    OUT status integer,
    OUT body text,
    OUT attempts integer,
    OUT correlation_id text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_request'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gcanalytics.http_request(name, text, text, text) IS
    'diagnostic: sends one API request with the calling user''s mapping (token, rate budget, retries) and returns the response; path is relative to the API base (Salesforce: instance_url)';

CREATE OR REPLACE FUNCTION gcanalytics.http_request_many(
    server name,
    method text,
    paths text[],
    OUT path text,
    OUT status integer,
    OUT body text,
    OUT attempts integer,
    OUT correlation_id text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'gcanalytics_http_request_many'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gcanalytics.http_request_many(name, text, text[]) IS
    'diagnostic: sends one request per path at once (max_concurrency at a time, under the rate budget) and returns the responses in order';

-- The Genesys server's data availability date (details jobs hold
-- conversations up to it; the load stops its marks there).
CREATE OR REPLACE FUNCTION gcanalytics.data_availability(server name)
    RETURNS timestamptz
    LANGUAGE C STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'gcanalytics_data_availability';
COMMENT ON FUNCTION gcanalytics.data_availability(name) IS
    'the Genesys server''s dataAvailabilityDate: details jobs (and participant attributes) hold conversations up to it';

-- The same as far as a load up to until needs it: the newest date any
-- session of the server has seen, without a request, when it is at or
-- after until (the date only moves forward); else asked.
CREATE OR REPLACE FUNCTION gcanalytics._data_availability_until(server name, until timestamptz)
    RETURNS timestamptz
    LANGUAGE C STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'gcanalytics_data_availability_until';
COMMENT ON FUNCTION gcanalytics._data_availability_until(name, timestamptz) IS
    'internal: the Genesys server''s dataAvailabilityDate, not asked when a date at or after until is known';
