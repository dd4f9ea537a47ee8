-- Warehouse configuration: settings with their defaults, configure() and
-- the checks every load makes first (README "The warehouse").

-- The settings gcanalytics knows, with their defaults.  configure() adds
-- every one missing from gcanalytics.settings.
CREATE OR REPLACE FUNCTION gcanalytics.setting_defaults()
    RETURNS TABLE (name text, value text, description text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    VALUES
        ('genesys_server', '', 'the Genesys Cloud foreign server the warehouse reads (configure())'),
        ('salesforce_server', '', 'the Salesforce foreign server, empty for none (configure())'),
        ('initial_sync_from', '14 days', 'where the first run() starts: an interval before its end, or a timestamp'),
        ('min_talk_ms', '3000', 'an agent who talked less than this (ms) did not handle the conversation'),
        ('lag_window', '2 hours', 'data this recent is not final at Genesys and is read again by the next run()'),
        ('evaluation_lookback', '3 days', 'each run() re-reads the evaluations of conversations this far back (new ones, status changes)'),
        ('survey_lookback', '3 days', 'each run() re-reads by id the conversations whose survey, sent this far back (a length of time: a day 24 hours), is not answered yet'),
        ('run_workers', 'true', 'run() loads the reference data and the CRM, then the evaluations and the adherence, in background workers beside its own steps; false: one step after another'),
        ('load_adherence', 'true', 'run() loads schedule adherence (workforce management) daily; false for an organisation without it'),
        ('case_resolution_days', '7', 'case_resolution_weekly: a case is resolved when it closed within this many days of its creation'),
        ('crm_relink_days', '30', 'a CRM account change re-enriches its interactions of this many days before the newest loaded'),
        ('join_quality_warn_pct', '30', 'join_quality warns when more than this share (%) of interactions has no CRM account'),
        ('validation_tolerance_pct', '0.5', 'check_window() marks a window for reloading when loaded and expected volume differ by more than this (%)'),
        ('window_max_conversations', '25000', 'automatic conversation windows hold at most this many conversations (by the aggregates count)'),
        ('window_max_length', '1 day', 'automatic conversation windows are at most this long'),
        ('max_attempts', '5', 'run() retries a failed window until it has failed this many times; retry_failed() always retries'),
        ('default_country_code', '1', 'country code of national phone numbers when matching the ANI to CRM phones'),
        ('internal_queue_pattern', '(qa review|training|health.?check)', 'configure() lists queues whose name matches (case-insensitive) in excluded_queues, once'),
        ('service_level_default', '20 seconds', 'kpi_*: a queue entry is answered in time when its wait in that queue is at most this (queues and media types without a row in service_levels; configure() adds a row per medium)'),
        ('short_abandon_threshold', '', 'kpi_*: abandons after waiting at most this long are short abandons, left out of abandoned and of the service level (empty: off)'),
        ('fcr_window', '7 days', 'kpi_*: a conversation is resolved at first contact when the same customer does not call again within this (a length of time: a day is 24 hours, a month 30 days)'),
        ('containment_window', '24 hours', 'bot_containment_by_industry: a contained conversation held when the same customer does not come back within this (a length of time: a day is 24 hours)'),
        ('crm_stale_after', '1 day', 'join_quality flags the CRM snapshot as stale when the last CRM sync is older than this'),
        ('crm_full_read', '1 day', 'run() reads the Salesforce Cases and Opportunities whole again when this long has passed since it last did (records deleted for good); in between only those changed since, soft deletions included'),
        ('reference_refresh', '1 day', 'run() reads the queues, users and wrap-up codes again when this long has passed since it last did (or when loaded data names one it lacks)'),
        ('insight_max_p', '0.01', 'escalation_insights writes a sentence only for changes with a p-value below this'),
        ('insight_min_conversations', '30', 'escalation_insights writes a sentence only when both weeks have at least this many conversations'),
        ('interval_minutes', '15', 'queue_interval: the length of its intervals, 15 or 30 minutes'),
        ('reporting_time_zone', 'UTC', 'the dashboards'' days, ISO weeks and intervals are in this IANA time zone (America/New_York, ...); refresh_dashboards() re-buckets after a change'),
        ('tier_reporting', 'at_call_time', 'escalation_*: the CRM tier of a conversation is the one valid when it started (the default, from crm_account_history) or, with current, the account''s tier today')
$$;
COMMENT ON FUNCTION gcanalytics.setting_defaults() IS 'the warehouse settings and their defaults';

-- setting(name): the value of a setting, its default when unset.
CREATE OR REPLACE FUNCTION gcanalytics.setting(setting_name text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT coalesce((SELECT s.value FROM gcanalytics.settings s WHERE s.name = setting_name),
                    (SELECT d.value FROM gcanalytics.setting_defaults() d WHERE d.name = setting_name))
$$;
COMMENT ON FUNCTION gcanalytics.setting(text) IS 'the value of a warehouse setting (its default when not set)';

-- _short_abandon_ms(): short_abandon_threshold in milliseconds (NULL: off):
-- an abandon that waited at most this long is a short abandon.
CREATE OR REPLACE FUNCTION gcanalytics._short_abandon_ms()
    RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT 1000 * extract(epoch FROM nullif(gcanalytics.setting('short_abandon_threshold'), '')::interval) $$;
COMMENT ON FUNCTION gcanalytics._short_abandon_ms() IS 'short_abandon_threshold in milliseconds (NULL when off)';

-- _window_length(name): the window of a setting (fcr_window,
-- containment_window, survey_lookback) as a length of time: a day 24 hours, a month 30 days
-- (as extract(epoch) counts them).  Added to a timestamptz it moves it by
-- that many microseconds, the same in every session time zone (an
-- interval with days is added in the session's zone, 23 or 25 hours across
-- its DST changes), and without a time zone conversion a row.
CREATE OR REPLACE FUNCTION gcanalytics._window_length(setting_name text)
    RETURNS interval
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT make_interval(secs => extract(epoch FROM gcanalytics.setting(setting_name)::interval)::float8) $$;
COMMENT ON FUNCTION gcanalytics._window_length(text) IS
    'a window setting (fcr_window, containment_window, survey_lookback) as a length of time (a day 24 hours, a month 30 days): the same in every session time zone';

-- reporting_time_zone(): the setting reporting_time_zone, checked as it
-- is when written (_setting_check()): a zone name of the IANA database
-- PostgreSQL knows (pg_timezone_names); numeric offsets and POSIX strings
-- are refused: they follow no DST rules.
CREATE OR REPLACE FUNCTION gcanalytics.reporting_time_zone()
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz text := gcanalytics.setting('reporting_time_zone');
BEGIN
    PERFORM gcanalytics._setting_check('reporting_time_zone', tz);
    RETURN tz;
END
$$;
COMMENT ON FUNCTION gcanalytics.reporting_time_zone() IS
    'the setting reporting_time_zone (default UTC), an IANA zone name; an error names a value that is not one';

-- current_tier_reporting(): whether the setting tier_reporting asks for
-- today's tiers (current) instead of those valid at each conversation's
-- start (at_call_time); an error names any other value.
CREATE OR REPLACE FUNCTION gcanalytics.current_tier_reporting()
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v text := gcanalytics.setting('tier_reporting');
BEGIN
    PERFORM gcanalytics._setting_check('tier_reporting', v);
    RETURN v = 'current';
END
$$;
COMMENT ON FUNCTION gcanalytics.current_tier_reporting() IS
    'true when the setting tier_reporting is current (today''s CRM tiers), false for its default (the tier valid at each conversation''s start)';

-- _time_zone_known(name): whether pg_timezone_names has the name; a name
-- found is remembered for the session (pg_timezone_names reads the whole
-- time zone directory, and the load checks reporting_time_zone several
-- times a window).
CREATE OR REPLACE FUNCTION gcanalytics._time_zone_known(name text)
    RETURNS boolean
    LANGUAGE c STABLE STRICT
    AS 'MODULE_PATHNAME', 'gca_time_zone_known';

-- _setting_check(name, value): an error unless value suits the setting:
-- intervals of at least 0 (window_max_length above 0), whole numbers in
-- range, percentages from 0 to 100, a probability, a regular expression
-- that compiles, a country code, an IANA time zone (a setting named
-- *time_zone).  Settings gcanalytics does not know are not checked.
CREATE OR REPLACE FUNCTION gcanalytics._setting_check(setting_name text, setting_value text)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    rule text;
    ok boolean;
    n numeric;
BEGIN
    rule := CASE
        WHEN setting_name IN ('lag_window', 'evaluation_lookback', 'service_level_default', 'fcr_window',
                              'containment_window', 'crm_stale_after', 'reference_refresh', 'crm_full_read')
            THEN 'an interval of at least 0'
        WHEN setting_name = 'window_max_length' THEN 'an interval longer than 0'
        WHEN setting_name = 'initial_sync_from' THEN 'an interval of at least 0 or a timestamp'
        WHEN setting_name IN ('min_talk_ms', 'crm_relink_days', 'insight_min_conversations') THEN 'a whole number of at least 0'
        WHEN setting_name IN ('window_max_conversations', 'max_attempts') THEN 'a whole number of at least 1'
        WHEN setting_name IN ('join_quality_warn_pct', 'validation_tolerance_pct') THEN 'a number from 0 to 100'
        WHEN setting_name = 'insight_max_p' THEN 'a number from 0 to 1'
        WHEN setting_name = 'default_country_code' THEN 'a country calling code of 1 to 3 digits'
        WHEN setting_name = 'internal_queue_pattern' THEN 'a regular expression'
        WHEN setting_name = 'short_abandon_threshold' THEN 'empty (off) or an interval of at least 0'
        WHEN setting_name = 'interval_minutes' THEN '15 or 30'
        WHEN setting_name = 'tier_reporting' THEN 'at_call_time or current'
        WHEN setting_name IN ('run_workers', 'load_adherence') THEN 'true or false'
        WHEN setting_name LIKE '%time\_zone' THEN 'a time zone name of pg_timezone_names'
    END;
    IF rule IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        ok := CASE rule
            WHEN 'an interval of at least 0' THEN setting_value::interval >= interval '0'
            WHEN 'an interval longer than 0' THEN setting_value::interval > interval '0'
            WHEN 'an interval of at least 0 or a timestamp' THEN
                CASE WHEN setting_value ~ '^\s*\d{4}-' THEN setting_value::timestamptz IS NOT NULL
                     ELSE setting_value::interval >= interval '0' END
            WHEN 'empty (off) or an interval of at least 0' THEN
                setting_value = '' OR setting_value::interval >= interval '0'
            WHEN '15 or 30' THEN setting_value IN ('15', '30')
            WHEN 'at_call_time or current' THEN setting_value IN ('at_call_time', 'current')
            WHEN 'true or false' THEN setting_value::boolean IS NOT NULL
            WHEN 'a whole number of at least 0' THEN setting_value::bigint >= 0
            WHEN 'a whole number of at least 1' THEN setting_value::bigint >= 1
            WHEN 'a number from 0 to 100' THEN setting_value::numeric BETWEEN 0 AND 100
            WHEN 'a number from 0 to 1' THEN setting_value::numeric BETWEEN 0 AND 1
            WHEN 'a country calling code of 1 to 3 digits' THEN setting_value ~ '^[1-9][0-9]{0,2}$'
            WHEN 'a regular expression' THEN ('' ~* setting_value) IS NOT NULL
            WHEN 'a time zone name of pg_timezone_names' THEN gcanalytics._time_zone_known(setting_value)
        END;
    EXCEPTION WHEN data_exception OR invalid_regular_expression OR invalid_datetime_format
                   OR datetime_field_overflow OR invalid_text_representation THEN
        ok := false;
    END;
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'invalid value for setting "%": "%"', setting_name, setting_value
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Setting %s takes %s.', setting_name, rule),
                  HINT = format('Its default is %s.',
                                coalesce(quote_literal((SELECT d.value FROM gcanalytics.setting_defaults() d
                                                         WHERE d.name = setting_name)), 'none'));
    END IF;
END
$$;

-- settings_check(): the trigger that checks a setting when it is written.
CREATE OR REPLACE FUNCTION gcanalytics._settings_check()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM gcanalytics._setting_check(NEW.name, NEW.value);
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS settings_check ON gcanalytics.settings;
CREATE TRIGGER settings_check BEFORE INSERT OR UPDATE ON gcanalytics.settings
    FOR EACH ROW EXECUTE FUNCTION gcanalytics._settings_check();

-- The source schema's foreign tables for the CRM, built from
-- crm_field_map.  Only the fields the warehouse uses are selected.
CREATE OR REPLACE FUNCTION gcanalytics._crm_field(crm_target text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT field FROM gcanalytics.crm_field_map WHERE target = crm_target $$;

CREATE OR REPLACE PROCEDURE gcanalytics._create_crm_tables(salesforce_server text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m record;
BEGIN
    FOR m IN SELECT target, sobject, field FROM gcanalytics.crm_field_map
              WHERE sobject <> CASE WHEN target LIKE 'case\_%' THEN 'Case' ELSE 'Account' END LOOP
        RAISE EXCEPTION 'crm_field_map target "%" reads sObject "%"', m.target, m.sobject
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The warehouse reads the case_* targets from the Case, every other CRM value from the Account of the conversation.',
                  HINT = 'Name a field of that sObject, dotted for parent fields (such as Owner.Name).';
    END LOOP;
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_account (
             account_id text OPTIONS (field %L, field_type ''id''),
             system_modstamp timestamptz OPTIONS (field %L, field_type ''datetime''),
             name text OPTIONS (field %L, field_type ''anyType''), tier text OPTIONS (field %L, field_type ''anyType''),
             industry text OPTIONS (field %L, field_type ''anyType''), ltv numeric OPTIONS (field %L, field_type ''anyType''),
             phone text OPTIONS (field %L, field_type ''anyType''), owner text OPTIONS (field %L, field_type ''anyType''))
         SERVER %I OPTIONS (sobject %L)',
        'Id', 'SystemModstamp', gcanalytics._crm_field('name'), gcanalytics._crm_field('tier'),
        gcanalytics._crm_field('industry'), gcanalytics._crm_field('ltv'), gcanalytics._crm_field('phone'),
        gcanalytics._crm_field('owner'), salesforce_server, 'Account');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_open_case (account_id text OPTIONS (field %L, field_type ''reference''),
             is_closed boolean OPTIONS (field %L, field_type ''boolean''))
         SERVER %I OPTIONS (sobject %L)', 'AccountId', 'IsClosed', salesforce_server, 'Case');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_open_opportunity (account_id text OPTIONS (field %L, field_type ''reference''),
             is_closed boolean OPTIONS (field %L, field_type ''boolean''))
         SERVER %I OPTIONS (sobject %L)', 'AccountId', 'IsClosed', salesforce_server, 'Opportunity');
    CALL gcanalytics._create_crm_pipeline_tables(salesforce_server);
END
$$;

-- _configure_check_servers(genesys, salesforce): each named server is a
-- server of gcanalytics_fdw for its service, and a Genesys one is named;
-- an error with a hint otherwise.
CREATE OR REPLACE FUNCTION gcanalytics._configure_check_servers(genesys_server text, salesforce_server text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    srv record;
BEGIN
    FOR srv IN SELECT s.name, s.service
                 FROM (VALUES (genesys_server, 'genesys'), (salesforce_server, 'salesforce')) s (name, service)
                WHERE s.name IS NOT NULL LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server fs
                         JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = fs.srvfdw
                        WHERE fs.srvname = srv.name AND w.fdwname = 'gcanalytics_fdw'
                          AND coalesce((SELECT split_part(o, '=', 2) FROM unnest(fs.srvoptions) o
                                         WHERE o LIKE 'service=%'), 'genesys') = srv.service) THEN
            RAISE EXCEPTION 'server "%" is not a % server of gcanalytics_fdw', srv.name, srv.service
                USING ERRCODE = 'undefined_object',
                      HINT = format('CREATE SERVER %s FOREIGN DATA WRAPPER gcanalytics_fdw OPTIONS (service %L, ...) first.',
                                    srv.name, srv.service);
        END IF;
    END LOOP;
    IF genesys_server IS NULL THEN
        RAISE EXCEPTION 'configure() needs a Genesys server' USING ERRCODE = 'null_value_not_allowed';
    END IF;

END
$$;

-- _configure_defaults(genesys, salesforce): records the servers and adds
-- the settings, CRM field map, default escalation rule and service level
-- targets per medium missing (the rule and the targets once: the user's
-- edits of escalation_rules and service_levels stay).
CREATE OR REPLACE FUNCTION gcanalytics._configure_defaults(genesys_server text, salesforce_server text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO gcanalytics.settings (name, value, description)
    SELECT d.name, d.value, d.description FROM gcanalytics.setting_defaults() d
    ON CONFLICT (name) DO NOTHING;
    UPDATE gcanalytics.settings SET value = genesys_server WHERE name = 'genesys_server';
    UPDATE gcanalytics.settings SET value = coalesce(salesforce_server, '') WHERE name = 'salesforce_server';
    INSERT INTO gcanalytics.crm_field_map (target, sobject, field)
    VALUES ('tier', 'Account', 'Tier__c'), ('industry', 'Account', 'Industry'),
           ('ltv', 'Account', 'Lifetime_Value__c'), ('phone', 'Account', 'Phone'),
           ('owner', 'Account', 'Owner.Name'), ('name', 'Account', 'Name'),
           ('case_category', 'Case', 'Type'), ('case_status', 'Case', 'Status')
    ON CONFLICT (target) DO NOTHING;
    IF NOT EXISTS (SELECT 1 FROM gcanalytics.settings WHERE name = 'escalation_rules_seeded') THEN
        INSERT INTO gcanalytics.escalation_rules VALUES ('attribute', 'escalated') ON CONFLICT DO NOTHING;
        INSERT INTO gcanalytics.settings VALUES ('escalation_rules_seeded', 'true',
            'the default escalation rule was added once; edit escalation_rules freely');
    END IF;
    -- the usual targets per medium (README "Dashboards"), once: the user's
    -- edits of service_levels stay
    IF NOT EXISTS (SELECT 1 FROM gcanalytics.settings WHERE name = 'service_levels_seeded') THEN
        INSERT INTO gcanalytics.service_levels (queue_id, media_type, answer_within, description)
        VALUES ('*', 'voice', '20 seconds', 'default for voice: answered within 20 s (the 80/20 target)'),
               ('*', 'callback', '20 seconds', 'default for callbacks: offered to an agent within 20 s'),
               ('*', 'chat', '60 seconds', 'default for chat: answered within 60 s'),
               ('*', 'message', '60 seconds', 'default for messaging: answered within 60 s'),
               ('*', 'email', '24 hours', 'default for email: answered within 24 hours')
        ON CONFLICT (queue_id, media_type) DO NOTHING;
        INSERT INTO gcanalytics.settings VALUES ('service_levels_seeded', 'true',
            'the default service level targets per medium were added once; edit service_levels freely');
    END IF;

END
$$;

-- _configure_source(genesys, salesforce): (re)creates the foreign tables
-- of gcanalytics_source; each CRM field is checked against the org's
-- describe (through the FDW): a field the org lacks is an error naming
-- its crm_field_map target.
CREATE OR REPLACE FUNCTION gcanalytics._configure_source(genesys_server text, salesforce_server text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m record;
    line text;
    canonical text;
BEGIN
    DROP SCHEMA IF EXISTS gcanalytics_source CASCADE;
    CREATE SCHEMA gcanalytics_source;
    COMMENT ON SCHEMA gcanalytics_source IS 'the foreign tables the warehouse reads, (re)created by gcanalytics.configure()';
    EXECUTE format('IMPORT FOREIGN SCHEMA analytics FROM SERVER %I INTO gcanalytics_source', genesys_server);
    IF salesforce_server IS NOT NULL THEN
        FOR m IN SELECT target, sobject, field FROM gcanalytics.crm_field_map ORDER BY target LOOP
            EXECUTE format('CREATE FOREIGN TABLE gcanalytics_source.crm_field_probe (v text OPTIONS (field %L)) SERVER %I OPTIONS (sobject %L)',
                           m.field, salesforce_server, m.sobject);
            BEGIN
                -- the field in the API's spelling (the SOQL describe wrote):
                -- the tables below declare their fields' types and are read
                -- without describe, by the names they give
                FOR line IN EXECUTE 'EXPLAIN (VERBOSE) SELECT v FROM gcanalytics_source.crm_field_probe' LOOP
                    canonical := (regexp_match(line, 'SOQL: SELECT (\S+) FROM'))[1];
                    IF canonical IS NOT NULL AND canonical <> m.field AND lower(canonical) = lower(m.field) THEN
                        UPDATE gcanalytics.crm_field_map SET field = canonical WHERE target = m.target;
                    END IF;
                END LOOP;
            EXCEPTION WHEN fdw_column_name_not_found THEN
                RAISE EXCEPTION 'crm_field_map target "%" names %.%, a field the Salesforce org does not have',
                    m.target, m.sobject, m.field
                    USING ERRCODE = 'fdw_column_name_not_found',
                          DETAIL = format('Describe of %s on server %s has no readable field %s.', m.sobject, salesforce_server, m.field),
                          HINT = format('UPDATE gcanalytics.crm_field_map SET field = ''<your field>'' WHERE target = %L; then CALL gcanalytics.configure(...) again.', m.target);
            END;
            DROP FOREIGN TABLE gcanalytics_source.crm_field_probe;
        END LOOP;
        CALL gcanalytics._create_crm_tables(salesforce_server);
    END IF;

END
$$;

-- _configure_exclusions(): lists the internal queues (name matching the
-- setting internal_queue_pattern) in excluded_queues, once: the user's
-- edits of excluded_queues stay.
CREATE OR REPLACE FUNCTION gcanalytics._configure_exclusions()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    pattern text;
    n int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM gcanalytics.settings WHERE name = 'excluded_queues_seeded') THEN
        pattern := gcanalytics.setting('internal_queue_pattern');
        INSERT INTO gcanalytics.excluded_queues (queue_id, reason)
        SELECT q.id, format('internal queue "%s" (name matched at configure())', q.name)
          FROM gcanalytics_source.queues q
         WHERE q.name ~* pattern
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        INSERT INTO gcanalytics.settings VALUES ('excluded_queues_seeded', 'true',
            'internal queues were listed in excluded_queues once; edit excluded_queues freely');
        RAISE NOTICE 'excluded_queues: % internal queue(s) whose name matches %', n, pattern
            USING HINT = 'Their conversations are not loaded; edit gcanalytics.excluded_queues to change that.';
    END IF;
END
$$;

-- configure(): records the servers, adds the missing defaults,
-- (re)creates the foreign tables of gcanalytics_source and lists the
-- internal queues once.
CREATE OR REPLACE PROCEDURE gcanalytics.configure(genesys_server text, salesforce_server text DEFAULT NULL)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- on a Citus coordinator (README "Scaling out with Citus") this one
    -- transaction reads reference tables and re-creates the foreign tables:
    -- Citus runs that only through its connections, not locally
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_local_execution', 'off', true);
    END IF;
    PERFORM gcanalytics._configure_check_servers(genesys_server, salesforce_server);
    PERFORM gcanalytics._configure_defaults(genesys_server, salesforce_server);
    PERFORM gcanalytics._configure_source(genesys_server, salesforce_server);
    PERFORM gcanalytics._configure_exclusions();
    RAISE NOTICE 'gcanalytics configured: Genesys server %, Salesforce server %', genesys_server,
        coalesce(salesforce_server, 'none (CRM columns stay NULL)');
END
$$;
COMMENT ON PROCEDURE gcanalytics.configure(text, text) IS
    'record the servers, add missing defaults, (re)create the foreign tables of gcanalytics_source';

-- _check_ready(): the warehouse is configured and the current role can
-- read through every configured server (a user mapping of its own or
-- PUBLIC's); an error with a hint otherwise, before anything is loaded.
CREATE OR REPLACE FUNCTION gcanalytics._check_ready()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    srv text;
BEGIN
    IF coalesce(gcanalytics.setting('genesys_server'), '') = '' THEN
        RAISE EXCEPTION 'the gcanalytics warehouse is not configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'CALL gcanalytics.configure(genesys_server => ''genesys'', salesforce_server => ''salesforce'') first.';
    END IF;
    FOREACH srv IN ARRAY array_remove(ARRAY[gcanalytics.setting('genesys_server'), gcanalytics.setting('salesforce_server')], '') LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_user_mappings um
                        WHERE um.srvname = srv
                          AND (um.usename = current_user OR um.usename = 'public')) THEN
            RAISE EXCEPTION 'role "%" has no user mapping for server "%"', current_user, srv
                USING ERRCODE = 'undefined_object',
                      DETAIL = 'The warehouse reads the APIs with the credentials of the role that runs the load; without them nothing can be loaded.',
                      HINT = format('CREATE USER MAPPING FOR %I SERVER %I OPTIONS (client_id ''...'', client_secret ''...''), or run the load as a role that has one.',
                                    current_user, srv);
        END IF;
        IF NOT has_server_privilege(srv, 'USAGE') THEN
            RAISE EXCEPTION 'role "%" may not use server "%"', current_user, srv
                USING ERRCODE = 'insufficient_privilege',
                      HINT = format('GRANT USAGE ON FOREIGN SERVER %I TO %I;', srv, current_user);
        END IF;
    END LOOP;
    IF to_regclass('gcanalytics_source.conversations') IS NULL THEN
        RAISE EXCEPTION 'the source tables of the warehouse are missing'
            USING ERRCODE = 'undefined_table',
                  HINT = 'CALL gcanalytics.configure(...) again; it recreates schema gcanalytics_source.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = 'gcanalytics_source.conversations'::regclass AND a.attname = 'surveys'
                      AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'the source tables of the warehouse predate this version of gcanalytics'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'gcanalytics_source.conversations has no column "surveys".',
                  HINT = 'CALL gcanalytics.configure(...) again; it recreates schema gcanalytics_source.';
    END IF;
END
$$;
