-- Cases and pipeline (README "Cases and pipeline"): the foreign tables of
-- the Cases and Opportunities, their load, case resolution and revenue by
-- tier and week.

-- _create_crm_pipeline_tables(server): gcanalytics_source.crm_case and
-- crm_opportunity (called by _create_crm_tables()).
CREATE OR REPLACE PROCEDURE gcanalytics._create_crm_pipeline_tables(salesforce_server text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_case (
             case_id text OPTIONS (field %L, field_type ''id''), case_number text OPTIONS (field %L, field_type ''string''),
             account_id text OPTIONS (field %L, field_type ''reference''),
             category text OPTIONS (field %L, field_type ''anyType''), status text OPTIONS (field %L, field_type ''anyType''),
             is_closed boolean OPTIONS (field %L, field_type ''boolean''),
             created_date timestamptz OPTIONS (field %L, field_type ''datetime''),
             closed_date timestamptz OPTIONS (field %L, field_type ''datetime''),
             system_modstamp timestamptz OPTIONS (field %L, field_type ''datetime''),
             is_deleted boolean OPTIONS (field %L, field_type ''boolean''))
         SERVER %I OPTIONS (sobject %L, include_deleted ''true'')',
        'Id', 'CaseNumber', 'AccountId', gcanalytics._crm_field('case_category'), gcanalytics._crm_field('case_status'),
        'IsClosed', 'CreatedDate', 'ClosedDate', 'SystemModstamp', 'IsDeleted', salesforce_server, 'Case');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_opportunity (
             opportunity_id text OPTIONS (field %L, field_type ''id''), account_id text OPTIONS (field %L, field_type ''reference''),
             name text OPTIONS (field %L, field_type ''string''), stage_name text OPTIONS (field %L, field_type ''picklist''),
             amount numeric OPTIONS (field %L, field_type ''currency''), close_date date OPTIONS (field %L, field_type ''date''),
             is_won boolean OPTIONS (field %L, field_type ''boolean''), is_closed boolean OPTIONS (field %L, field_type ''boolean''),
             created_date timestamptz OPTIONS (field %L, field_type ''datetime''),
             system_modstamp timestamptz OPTIONS (field %L, field_type ''datetime''),
             is_deleted boolean OPTIONS (field %L, field_type ''boolean''))
         SERVER %I OPTIONS (sobject %L, include_deleted ''true'')',
        'Id', 'AccountId', 'Name', 'StageName', 'Amount', 'CloseDate', 'IsWon', 'IsClosed', 'CreatedDate',
        'SystemModstamp', 'IsDeleted', salesforce_server, 'Opportunity');
END
$$;

-- _sync_crm_pipeline(): the Cases and Opportunities.  Read whole (the
-- deleted left out) on the first sync and when crm_full_read has passed
-- since the last whole read: upserted, and those no longer there deleted,
-- records deleted for good (gone from the Recycle Bin) included.  In
-- between, only the records whose SystemModstamp is at or after the
-- newest read before (>=: several may share it; the upsert makes the
-- overlap harmless), through queryAll (the foreign tables' option
-- include_deleted): changed ones upserted, soft-deleted ones deleted.
-- Returns the rows read.
CREATE OR REPLACE FUNCTION gcanalytics._sync_crm_pipeline()
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    r record;
    n bigint := 0;
    ids text[];
    -- when they were last read whole (the row's updated_at, as for 'reference')
    last_whole timestamptz := (SELECT s.updated_at FROM gcanalytics.sync_state s WHERE s.resource = 'crm_pipeline');
    case_mark timestamptz := (SELECT s.high_water_mark FROM gcanalytics.sync_state s WHERE s.resource = 'crm_cases');
    opp_mark timestamptz := (SELECT s.high_water_mark FROM gcanalytics.sync_state s WHERE s.resource = 'crm_opportunities');
    whole boolean;
BEGIN
    whole := last_whole IS NULL OR case_mark IS NULL OR opp_mark IS NULL
             OR last_whole <= now() - gcanalytics.setting('crm_full_read')::interval;
    -- the condition as literals, so that it is sent (IsDeleted = false, or
    -- SystemModstamp >= the mark) whatever plan the session caches
    EXECUTE format('CREATE TEMP TABLE gca_crm_case ON COMMIT DROP AS
                    SELECT case_id, case_number, account_id, category, status, is_closed, created_date, closed_date,
                           system_modstamp, is_deleted
                      FROM gcanalytics_source.crm_case WHERE %s',
                   CASE WHEN whole THEN 'NOT is_deleted' ELSE format('system_modstamp >= %L', case_mark) END);
    EXECUTE format('CREATE TEMP TABLE gca_crm_opportunity ON COMMIT DROP AS
                    SELECT opportunity_id, account_id, name, stage_name, amount, close_date, is_won, is_closed,
                           created_date, system_modstamp, is_deleted
                      FROM gcanalytics_source.crm_opportunity WHERE %s',
                   CASE WHEN whole THEN 'NOT is_deleted' ELSE format('system_modstamp >= %L', opp_mark) END);
    r := gcanalytics._upsert('gcanalytics.crm_cases', ARRAY['case_id'],
        'SELECT case_id, case_number, account_id, category, status, is_closed, created_date, closed_date, system_modstamp
           FROM pg_temp.gca_crm_case WHERE NOT is_deleted');
    n := n + r.source_rows;
    r := gcanalytics._upsert('gcanalytics.crm_opportunities', ARRAY['opportunity_id'],
        'SELECT opportunity_id, account_id, name, stage_name, amount, close_date, is_won, is_closed, created_date, system_modstamp
           FROM pg_temp.gca_crm_opportunity WHERE NOT is_deleted');
    n := n + r.source_rows;
    -- the ids read into an array first: Citus runs no DELETE of a reference
    -- table whose subquery reads a temporary table
    IF whole THEN
        ids := ARRAY(SELECT c.case_id FROM pg_temp.gca_crm_case c);
        DELETE FROM gcanalytics.crm_cases t WHERE NOT t.case_id OPERATOR(pg_catalog.=) ANY (ids);
        ids := ARRAY(SELECT o.opportunity_id FROM pg_temp.gca_crm_opportunity o);
        DELETE FROM gcanalytics.crm_opportunities t WHERE NOT t.opportunity_id OPERATOR(pg_catalog.=) ANY (ids);
        PERFORM gcanalytics._advance_high_water_mark('crm_pipeline', NULL);
    ELSE
        ids := ARRAY(SELECT c.case_id FROM pg_temp.gca_crm_case c WHERE c.is_deleted);
        DELETE FROM gcanalytics.crm_cases t WHERE t.case_id OPERATOR(pg_catalog.=) ANY (ids);
        ids := ARRAY(SELECT o.opportunity_id FROM pg_temp.gca_crm_opportunity o WHERE o.is_deleted);
        DELETE FROM gcanalytics.crm_opportunities t WHERE t.opportunity_id OPERATOR(pg_catalog.=) ANY (ids);
    END IF;
    PERFORM gcanalytics._advance_high_water_mark('crm_cases', (SELECT max(c.system_modstamp) FROM pg_temp.gca_crm_case c));
    PERFORM gcanalytics._advance_high_water_mark('crm_opportunities',
                                                 (SELECT max(o.system_modstamp) FROM pg_temp.gca_crm_opportunity o));
    DROP TABLE pg_temp.gca_crm_case, pg_temp.gca_crm_opportunity;
    RETURN n;
END
$$;

-- _case_deadline(created, days): the end of a case's resolution time, days
-- of 24 hours after its creation (elapsed time, the same in every session
-- time zone): a case is resolved when closed by then.  The one definition
-- behind case_resolution_weekly, cx_overview and cx_insights.
CREATE OR REPLACE FUNCTION gcanalytics._case_deadline(created timestamptz, days integer) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN created + make_interval(hours => 24 * days);
COMMENT ON FUNCTION gcanalytics._case_deadline(timestamptz, integer) IS
    'a case''s creation plus days of 24 hours: a case closed by then is resolved (case_resolution_days)';

-- Case resolution by the ISO week (reporting_time_zone) of the case's
-- creation and the tier of its account: cases created, resolved (closed
-- within case_resolution_days of creation), the rate; provisional while a
-- case of the week can still close within the limit.
CREATE OR REPLACE VIEW gcanalytics.case_resolution_weekly AS
WITH d AS MATERIALIZED (   -- read once, not once per case
    SELECT gcanalytics.setting('case_resolution_days')::int AS days, gcanalytics.reporting_time_zone() AS tz,
           (SELECT max(k.system_modstamp) FROM gcanalytics.crm_cases k) AS snapshot
)
SELECT date_trunc('week', c.created_date AT TIME ZONE d.tz)::date AS week,
       a.tier,
       count(*) AS cases,
       count(*) FILTER (WHERE c.closed_date <= gcanalytics._case_deadline(c.created_date, d.days)) AS resolved,
       round(count(*) FILTER (WHERE c.closed_date <= gcanalytics._case_deadline(c.created_date, d.days))::numeric
             / count(*), 4) AS case_resolution_rate,
       -- as of the cases read (their newest SystemModstamp), not the clock
       bool_or(gcanalytics._case_deadline(c.created_date, d.days) > d.snapshot AND c.closed_date IS NULL) AS provisional
  FROM gcanalytics.crm_cases c
  LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = c.account_id
 CROSS JOIN d
 GROUP BY 1, 2;
COMMENT ON VIEW gcanalytics.case_resolution_weekly IS
    'cases by creation week (reporting_time_zone, Monday) and account tier: resolved within case_resolution_days, the rate';
COMMENT ON COLUMN gcanalytics.case_resolution_weekly.case_resolution_rate IS 'resolved / cases, a fraction of 1';
COMMENT ON COLUMN gcanalytics.case_resolution_weekly.provisional IS 'a case of the week is open and was younger than case_resolution_days when the cases were read (their newest SystemModstamp): the rate can still rise';

-- Revenue by the ISO week (UTC) of the close date and the account tier:
-- closed-won amount and count, open pipeline (open opportunities expected
-- to close that week) and its amount; exact numeric amounts.
CREATE OR REPLACE VIEW gcanalytics.revenue_weekly AS
SELECT date_trunc('week', o.close_date::timestamp)::date AS week,
       a.tier,
       count(*) FILTER (WHERE o.is_won) AS won,
       coalesce(sum(o.amount) FILTER (WHERE o.is_won), 0) AS closed_won_amount,
       count(*) FILTER (WHERE NOT o.is_closed) AS open_opportunities,
       coalesce(sum(o.amount) FILTER (WHERE NOT o.is_closed), 0) AS open_pipeline_amount
  FROM gcanalytics.crm_opportunities o
  LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = o.account_id
 WHERE o.close_date IS NOT NULL
 GROUP BY 1, 2;
COMMENT ON VIEW gcanalytics.revenue_weekly IS
    'opportunities by close week (Monday) and account tier: closed-won revenue and the open pipeline, exact amounts';
COMMENT ON COLUMN gcanalytics.revenue_weekly.closed_won_amount IS 'sum of Amount of the won opportunities (revenue)';
COMMENT ON COLUMN gcanalytics.revenue_weekly.open_pipeline_amount IS 'sum of Amount of the open opportunities expected to close that week (revenue)';
