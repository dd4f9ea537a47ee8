-- The privilege model (README "Privileges").  Superusers and the roles a
-- DBA grants to do the rest; PUBLIC gets what cannot reach an API or
-- change shared state:
--   schema gcanalytics              USAGE to PUBLIC
--   version(), the KPI functions,   EXECUTE to PUBLIC (PostgreSQL's default
--   weht_weights_json(),            for functions): pure or read-only
--   weht_default_weights(), http_stats()
--   weht_weights                    SELECT to PUBLIC; INSERT, UPDATE, DELETE
--                                   for the extension owner and whom it grants
--   weht_weights_default, _edit     nobody but the owner (the view and its
--                                   trigger reach them)
--   http_request(), http_request_many(), http_stats_reset()
--                                   revoked from PUBLIC (15_http.sql): they
--                                   send any method to any path with the
--                                   caller's user mapping, which may be a
--                                   shared PUBLIC mapping, or reset counters
--                                   everyone sees
--   gcanalytics_fdw                 USAGE not granted: defining servers
--                                   (which name the URLs credentials go to)
--                                   needs a superuser or a grant; a foreign
--                                   server's USAGE and a user mapping are
--                                   what reading a foreign table needs
GRANT USAGE ON SCHEMA gcanalytics TO PUBLIC;
GRANT SELECT ON gcanalytics.weht_weights TO PUBLIC;
REVOKE ALL ON FUNCTION gcanalytics.weht_weights_write() FROM PUBLIC;
