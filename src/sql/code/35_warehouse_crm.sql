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
             system_modstamp timestamptz OPTIONS (field %L, field_type ''datetime''))
         SERVER %I OPTIONS (sobject %L)',
        'Id', 'CaseNumber', 'AccountId', gcanalytics._crm_field('case_category'), gcanalytics._crm_field('case_status'),
        'IsClosed', 'CreatedDate', 'ClosedDate', 'SystemModstamp', salesforce_server, 'Case');
    EXECUTE format(
        'CREATE FOREIGN TABLE gcanalytics_source.crm_opportunity (
             opportunity_id text OPTIONS (field %L, field_type ''id''), account_id text OPTIONS (field %L, field_type ''reference''),
             name text OPTIONS (field %L, field_type ''string''), stage_name text OPTIONS (field %L, field_type ''picklist''),
             amount numeric OPTIONS (field %L, field_type ''currency''), close_date date OPTIONS (field %L, field_type ''date''),
             is_won boolean OPTIONS (field %L, field_type ''boolean''), is_closed boolean OPTIONS (field %L, field_type ''boolean''),
             created_date timestamptz OPTIONS (field %L, field_type ''datetime''),
             system_modstamp timestamptz OPTIONS (field %L, field_type ''datetime''))
         SERVER %I OPTIONS (sobject %L)',
        'Id', 'AccountId', 'Name', 'StageName', 'Amount', 'CloseDate', 'IsWon', 'IsClosed', 'CreatedDate',
        'SystemModstamp', salesforce_server, 'Opportunity');
END
$$;

-- _sync_crm_pipeline(): every Case and Opportunity read whole and
-- upserted; those no longer there (deleted) are deleted.  Returns the rows
-- read.
CREATE OR REPLACE FUNCTION gcanalytics._sync_crm_pipeline()
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r record;
    n bigint := 0;
    ids text[];
BEGIN
    CREATE TEMP TABLE gca_crm_case ON COMMIT DROP AS
    SELECT c.case_id, c.case_number, c.account_id, c.category, c.status, c.is_closed, c.created_date, c.closed_date,
           c.system_modstamp
      FROM gcanalytics_source.crm_case c;
    CREATE TEMP TABLE gca_crm_opportunity ON COMMIT DROP AS
    SELECT o.opportunity_id, o.account_id, o.name, o.stage_name, o.amount, o.close_date, o.is_won, o.is_closed,
           o.created_date, o.system_modstamp
      FROM gcanalytics_source.crm_opportunity o;
    r := gcanalytics._upsert('gcanalytics.crm_cases', ARRAY['case_id'], 'SELECT * FROM pg_temp.gca_crm_case');
    n := n + r.source_rows;
    -- the ids read into an array first: Citus runs no DELETE of a reference
    -- table whose subquery reads a temporary table
    ids := ARRAY(SELECT c.case_id FROM pg_temp.gca_crm_case c);
    DELETE FROM gcanalytics.crm_cases t WHERE NOT t.case_id = ANY (ids);
    r := gcanalytics._upsert('gcanalytics.crm_opportunities', ARRAY['opportunity_id'], 'SELECT * FROM pg_temp.gca_crm_opportunity');
    n := n + r.source_rows;
    ids := ARRAY(SELECT o.opportunity_id FROM pg_temp.gca_crm_opportunity o);
    DELETE FROM gcanalytics.crm_opportunities t WHERE NOT t.opportunity_id = ANY (ids);
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
