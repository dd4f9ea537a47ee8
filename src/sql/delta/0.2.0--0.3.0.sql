-- gcanalytics 0.2.0 -> 0.3.0: the changes of state (tables, columns, types,
-- data moves, objects dropped).  The code pieces (src/sql/code/) follow it
-- in the built upgrade script and replace every function, view, dashboard
-- and grant.
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.3.0'" to load this file. \quit

-- the load lock is a row only load roles can claim (0.2.0: an advisory
-- lock any role could take)
CREATE TABLE gcanalytics.load_lock (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    pid           integer,
    role          name,
    backend_start timestamptz,
    held_since    timestamptz
);
INSERT INTO gcanalytics.load_lock (id) VALUES (true);
-- the loads that found the load lock held and did not load (a log of 30
-- days), in a table of its own: written even while a session holds a
-- lock on load_lock
CREATE TABLE gcanalytics.load_refusals (
    refused_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    pid              integer NOT NULL,
    role             name NOT NULL,
    application_name text,
    scheduled        boolean NOT NULL,
    holder_pid       integer,
    holder_role      name,
    held             text NOT NULL CHECK (held IN ('load', 'lock table'))
);

-- queue entries of each conversation (issue 22): the KPIs per queue entered
CREATE TYPE gcanalytics.queue_entry AS (
    queue_id     text,
    media_type   text,
    offered_at   timestamptz,
    wait_ms      bigint,
    abandoned_at timestamptz,
    answered_at  timestamptz,
    answer_ms    bigint,
    agent_id     text,
    handle_ms    bigint
);
COMMENT ON TYPE gcanalytics.queue_entry IS
    'a queue entry: queue, media type, nOffered time, tAcd, tAbandon time, tAnswered time and value, answering agent, its tHandle';
ALTER TABLE gcanalytics.interactions ADD COLUMN queue_entries gcanalytics.queue_entry[];
COMMENT ON COLUMN gcanalytics.interactions.queue_entries IS 'every queue entry (ACD session) and what answered it, in order (type queue_entry); NULL for rows loaded before 0.3.0 until reloaded';

-- service level targets per queue and media type (issue 22): the rows of
-- 0.2.0 hold for every medium of their queue
ALTER TABLE gcanalytics.service_levels ADD COLUMN media_type text NOT NULL DEFAULT '*';
ALTER TABLE gcanalytics.service_levels DROP CONSTRAINT service_levels_pkey;
ALTER TABLE gcanalytics.service_levels ADD PRIMARY KEY (queue_id, media_type);
COMMENT ON TABLE gcanalytics.service_levels IS
    'service level target per queue and media type (''*'': any): a queue entry is answered in time when its wait in that queue is at most answer_within; the most specific row applies (queue and medium, queue, medium), else the setting service_level_default (20 seconds)';

-- kpi_rates() takes the counts of queue entries: the dashboards over it
-- first (code/40_dashboards.sql creates them again)
DROP MATERIALIZED VIEW IF EXISTS gcanalytics.kpi_weekly, gcanalytics.kpi_daily;
DROP FUNCTION gcanalytics.kpi_rates(bigint, bigint, bigint, numeric, bigint, numeric, float8, bigint, bigint, bigint, numeric, numeric);

-- self-service containment and the escalation rule kind handoff (issue 22)
ALTER TABLE gcanalytics.interactions ADD COLUMN self_service text, ADD COLUMN contained boolean;
COMMENT ON COLUMN gcanalytics.interactions.self_service IS 'the self-service flow the conversation entered: bot (a bot flow), ivr (an IVR), NULL for none';
COMMENT ON COLUMN gcanalytics.interactions.contained IS 'entered a bot or IVR flow and ended there: no queue, no agent';
ALTER TABLE gcanalytics.escalation_rules DROP CONSTRAINT escalation_rules_kind_check;
ALTER TABLE gcanalytics.escalation_rules ADD CONSTRAINT escalation_rules_kind_check
    CHECK (kind IN ('attribute', 'wrapup_code', 'queue', 'handoff'));
COMMENT ON TABLE gcanalytics.escalation_rules IS
    'a conversation is escalated when any rule matches: a participant attribute that is true, a wrap-up code (name or id), a transfer into a queue (name or id), a handoff from a self-service flow to an agent (value bot, ivr or any)';

-- _crm_match() became joins of the load and the relink, over
-- crm_account_history for the values at the time of the call (Citus plans
-- no SQL function with parameters reading a reference table)
DROP FUNCTION gcanalytics._crm_match(text, text);

-- the reporting schema and the record of refreshes (state/45_reports.sql)
CREATE SCHEMA gcanalytics_reports;
COMMENT ON SCHEMA gcanalytics_reports IS
    'what the reporting roles read: the dashboards with rates as fractions of 1 and durations in seconds, the insight, dashboard_status (README "BI tools")';
CREATE TABLE gcanalytics.dashboard_refreshes (
    view_name           text PRIMARY KEY,
    refreshed_at        timestamptz NOT NULL,
    refresh             text NOT NULL CHECK (refresh IN ('full', 'incremental')),
    concurrent          boolean NOT NULL,
    seconds             float8,
    row_count           bigint,
    data_complete_until timestamptz,
    reason              text
);
COMMENT ON TABLE gcanalytics.dashboard_refreshes IS
    'the last refresh of each dashboard by refresh_dashboards(): when, how and why, and up to when the data it read was complete (read through dashboard_status)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.dashboard_refreshes', '');

-- The rollups of the dashboards refreshed incrementally (README
-- "Incremental refresh"): derived data, rebuilt by refresh_dashboards(full
-- => true) and whenever their signature differs, so pg_dump leaves their
-- rows out.
CREATE TABLE gcanalytics.kpi_daily_parts (
    start_day              date NOT NULL,
    day                    date NOT NULL,
    queue_id               text NOT NULL,
    media_type             text NOT NULL,
    direction              text NOT NULL,
    queue_name             text,
    conversations          bigint NOT NULL,
    handled                bigint NOT NULL,
    handle_ms_sum          numeric NOT NULL,
    weighted_handle_ms_sum numeric NOT NULL,
    transferred            bigint NOT NULL,
    fcr_eligible           bigint NOT NULL,
    fcr_resolved           bigint NOT NULL,
    talk_ms_sum            numeric NOT NULL,
    hold_ms_sum            numeric NOT NULL,
    in_progress            boolean NOT NULL,
    last_handled_start     timestamptz,
    wrapup_codes           text[],
    offered                bigint NOT NULL,
    answered               bigint NOT NULL,
    answered_in_sl         bigint NOT NULL,
    sl_entries             bigint NOT NULL,
    abandoned              bigint NOT NULL,
    short_abandoned        bigint NOT NULL,
    wait_ms_sum            numeric NOT NULL,
    answer_ms_sum          numeric NOT NULL,
    PRIMARY KEY (start_day, day, queue_id, media_type, direction)
);
COMMENT ON TABLE gcanalytics.kpi_daily_parts IS
    'kpi_daily''s rollup: its counts and exact sums per day the conversations started (start_day, reporting_time_zone) and day of the figure, queue, media type and direction';
CREATE TABLE gcanalytics.queue_interval_parts (
    start_day      date NOT NULL,
    interval_start timestamptz NOT NULL,
    queue_id       text NOT NULL,
    media_type     text NOT NULL,
    offered        bigint NOT NULL,
    answered       bigint NOT NULL,
    answered_in_sl bigint NOT NULL,
    sl_entries     bigint NOT NULL,
    abandoned      bigint NOT NULL,
    short_abandoned bigint NOT NULL,
    wait_ms_sum    numeric NOT NULL,
    answer_ms_sum  numeric NOT NULL,
    handled        bigint NOT NULL,
    handle_ms_sum  numeric NOT NULL,
    PRIMARY KEY (start_day, interval_start, queue_id, media_type)
);
COMMENT ON TABLE gcanalytics.queue_interval_parts IS
    'queue_interval''s rollup: its counts and exact sums per day the conversations started (start_day, reporting_time_zone), interval, queue and media type';
CREATE TABLE gcanalytics.escalation_parts (
    start_day      date NOT NULL,
    crm_account_id text,
    customer_tier  text,
    conversations  bigint NOT NULL,
    escalated      bigint NOT NULL,
    escalated_ltv  numeric,
    in_progress    boolean NOT NULL,
    first_start    timestamptz NOT NULL,
    last_start     timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (start_day, crm_account_id, customer_tier)
);
COMMENT ON TABLE gcanalytics.escalation_parts IS
    'the escalation views'' rollup: conversations, escalations and the lifetime value of escalated ones per day the conversations started (reporting_time_zone), account and tier';
CREATE TABLE gcanalytics.bot_containment_parts (
    start_day       date NOT NULL,
    industry        text NOT NULL,
    media_type      text NOT NULL,
    crm_account_id  text,
    conversations   bigint NOT NULL,
    contained       bigint NOT NULL,
    contained_known bigint NOT NULL,
    contained_held  bigint NOT NULL,
    in_progress     boolean NOT NULL,
    last_start      timestamptz NOT NULL,
    contained_ltv   numeric,
    UNIQUE NULLS NOT DISTINCT (start_day, industry, media_type, crm_account_id)
);
COMMENT ON TABLE gcanalytics.bot_containment_parts IS
    'bot_containment_by_industry''s rollup: self-service conversations per day they started (reporting_time_zone), industry, media type and account of the contained ones (NULL for the others)';
CREATE TABLE gcanalytics.join_quality_parts (
    start_day         date NOT NULL,
    link_method       text NOT NULL,
    conversations     bigint NOT NULL,
    stale_enrichments bigint NOT NULL,
    PRIMARY KEY (start_day, link_method)
);
COMMENT ON TABLE gcanalytics.join_quality_parts IS
    'join_quality''s rollup: conversations and stale enrichments per day the conversations started (reporting_time_zone) and link method';
CREATE TABLE gcanalytics.cx_overview_parts (
    start_day        date NOT NULL,
    tier             text NOT NULL,
    conversations    bigint NOT NULL,
    escalated        bigint NOT NULL,
    handled          bigint NOT NULL,
    handle_ms_sum    numeric,
    surveys_answered bigint NOT NULL,
    csat_sum         numeric,
    nps_responses    bigint NOT NULL,
    promoters        bigint NOT NULL,
    detractors       bigint NOT NULL,
    qa_scored        bigint NOT NULL,
    qa_sum           numeric,
    in_progress      boolean NOT NULL,
    pending_last     timestamptz,   -- the last eventTime of a survey not answered, expired or refused yet
    answered_in_sl   bigint NOT NULL,
    sl_entries       bigint NOT NULL,
    agents           text[],      -- the agents who handled conversations (adherence), in order
    agent_handled    bigint[],    -- how many each
    PRIMARY KEY (start_day, tier)
);
COMMENT ON TABLE gcanalytics.cx_overview_parts IS
    'cx_overview''s rollup: the conversations'' figures (counts and exact sums) per day they started (reporting_time_zone) and tier at the time of the call, and the conversations each agent handled';
-- cx_insights' rollup: its CSAT samples per day they started and tier they
-- are reported under, and what finds the part of a week whose CSAT is
-- final (the first conversation in progress or with a survey that may still
-- be answered)
CREATE TABLE gcanalytics.cx_insights_parts (
    start_day    date NOT NULL,
    tier         text NOT NULL,
    surveys      bigint NOT NULL,
    csat_sum     numeric NOT NULL,
    csat_squares numeric NOT NULL,
    open_first   timestamptz,   -- the first start of a conversation in progress
    pending_last timestamptz,   -- the last eventTime of a survey not answered, expired or refused yet
    PRIMARY KEY (start_day, tier)
);
COMMENT ON TABLE gcanalytics.cx_insights_parts IS
    'cx_insights'' rollup: the answered surveys (count, exact sum and sum of squares of csat_score) per day the conversations started (reporting_time_zone) and tier reported (tier_reporting), the first conversation in progress and the last survey not final';
-- the escalation rollup summed over days per account and tier at the call,
-- with the tier escalation_by_tier counts it under (tier_reporting): kept
-- for the accounts a refresh touches, so that escalation_by_tier (every
-- account once per tier, over everything loaded) is summed from it
CREATE TABLE gcanalytics.escalation_accounts (
    crm_account_id text,
    customer_tier  text,
    tier           text NOT NULL,
    conversations  bigint NOT NULL,
    escalated      bigint NOT NULL,
    escalated_ltv  numeric,
    in_progress    boolean NOT NULL,
    first_start    timestamptz NOT NULL,
    last_start     timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (crm_account_id, customer_tier)
);
COMMENT ON TABLE gcanalytics.escalation_accounts IS
    'escalation_by_tier''s rollup: escalation_parts summed over every day per account and tier at the call, with the tier it is reported under (tier_reporting) when last refreshed';
-- escalation_weekly's rollup: escalation_parts summed per week, tier
-- reported and account (conversations without one: a NULL account), kept
-- for the weeks and accounts a refresh touches, so that a week's counts of
-- accounts change by those of its rows replaced, not summed again from
-- every account's days
CREATE TABLE gcanalytics.escalation_week_accounts (
    week           date NOT NULL,
    tier           text NOT NULL,
    crm_account_id text,
    conversations  bigint NOT NULL,
    escalated      bigint NOT NULL,
    escalated_ltv  numeric,
    in_progress    boolean NOT NULL,
    UNIQUE NULLS NOT DISTINCT (week, tier, crm_account_id)
);
COMMENT ON TABLE gcanalytics.escalation_week_accounts IS
    'escalation_weekly''s rollup: escalation_parts summed per week (reporting_time_zone), tier reported (tier_reporting) when last refreshed and account';
-- an account's weeks (its tier changed); a week's flag
CREATE INDEX escalation_week_accounts_account ON gcanalytics.escalation_week_accounts (crm_account_id);
CREATE INDEX escalation_week_accounts_in_progress ON gcanalytics.escalation_week_accounts (week, tier) WHERE in_progress;
-- escalation_by_tier's first and last days and its flag, per tier
CREATE INDEX escalation_accounts_first ON gcanalytics.escalation_accounts (tier, first_start);
CREATE INDEX escalation_accounts_last ON gcanalytics.escalation_accounts (tier, last_start);
CREATE INDEX escalation_accounts_in_progress ON gcanalytics.escalation_accounts (tier) WHERE in_progress;
-- the accounts of a touched day, their weeks
CREATE INDEX escalation_parts_account ON gcanalytics.escalation_parts (crm_account_id);
-- the merge of a load's conversations into the parts (_apply_conversation_changes())
-- finds each row by its key, NULL keys matching NULL keys (escalation and bot containment:
-- the rollups whose keys can be NULL)
CREATE INDEX escalation_parts_merge ON gcanalytics.escalation_parts
    (start_day, (coalesce(crm_account_id, '')), (coalesce(customer_tier, '')));
CREATE INDEX bot_containment_parts_merge ON gcanalytics.bot_containment_parts
    (start_day, industry, media_type, (coalesce(crm_account_id, '')));
-- the intervals of a touched day
CREATE INDEX queue_interval_parts_interval ON gcanalytics.queue_interval_parts (interval_start);
-- the days (reporting_time_zone) of the conversations written since a
-- rollup was last brought up to date, per rollup (the load writes them,
-- _dashboard_changed())
CREATE TABLE gcanalytics.dashboard_changes (
    rollup     text NOT NULL,
    day        date NOT NULL,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (rollup, day)
);
COMMENT ON TABLE gcanalytics.dashboard_changes IS
    'the start days (reporting_time_zone) of the conversations written since each rollup was brought up to date: what the next refresh_dashboards() recomputes';
-- the conversations the load inserted, and those whose next contact
-- moved with the next contact their rollup rows were computed from (the
-- first old value since then), since a rollup was last brought up to
-- date, per rollup: the refresh merges the contributions of the ones
-- inserted into their parts rows, and adds the difference the moved next
-- contacts make, instead of recomputing their days
-- (_dashboard_conversations_written(), _dashboard_contacts_changed())
CREATE TABLE gcanalytics.dashboard_conversation_changes (
    rollup              text NOT NULL,
    conversation_id     text NOT NULL,
    conversation_start  timestamptz NOT NULL,
    inserted            boolean NOT NULL,
    old_next_contact_at timestamptz,
    changed_at          timestamptz NOT NULL,
    PRIMARY KEY (rollup, conversation_id)
);
COMMENT ON TABLE gcanalytics.dashboard_conversation_changes IS
    'the conversations inserted, and those whose next contact (FCR, containment held) moved with the next contact their rows were computed from, since each rollup was brought up to date: what the next refresh_dashboards() merges into the parts';
-- per rollup: the signature of what its rows were computed with
CREATE TABLE gcanalytics.dashboard_rollups (
    rollup    text PRIMARY KEY,
    signature text NOT NULL,
    built_at  timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.dashboard_rollups IS
    'each rollup''s signature (the version, settings and tables its rows depend on) at its last full rebuild; a different signature forces a full rebuild';

-- refresh_dashboards(full => ...) returns which refresh ran and why
DROP FUNCTION gcanalytics.refresh_dashboards();

-- Cases and pipeline (issue 26): as src/sql/state/31_crm_pipeline.sql.
CREATE TABLE gcanalytics.crm_cases (
    case_id         text PRIMARY KEY,
    case_number     text,
    account_id      text,
    category        text,
    status          text,
    is_closed       boolean,
    created_date    timestamptz,
    closed_date     timestamptz,
    system_modstamp timestamptz,
    loaded_at       timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_cases IS
    'the Salesforce Cases (not deleted), kept by every CRM sync (changes since the last, read whole every crm_full_read); category and status from crm_field_map';
COMMENT ON COLUMN gcanalytics.crm_cases.category IS 'the case''s category (from the Case field that crm_field_map names for the category, default Type)';
COMMENT ON COLUMN gcanalytics.crm_cases.status IS 'the case''s status (from the Case field that crm_field_map names for the status, default Status)';
COMMENT ON COLUMN gcanalytics.crm_cases.closed_date IS 'ClosedDate, NULL while open';
CREATE INDEX crm_cases_account_idx ON gcanalytics.crm_cases (account_id, created_date);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_cases', '');

CREATE TABLE gcanalytics.crm_opportunities (
    opportunity_id  text PRIMARY KEY,
    account_id      text,
    name            text,
    stage_name      text,
    amount          numeric,
    close_date      date,
    is_won          boolean,
    is_closed       boolean,
    created_date    timestamptz,
    system_modstamp timestamptz,
    loaded_at       timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_opportunities IS
    'the Salesforce Opportunities (not deleted), kept by every CRM sync (changes since the last, read whole every crm_full_read)';
COMMENT ON COLUMN gcanalytics.crm_opportunities.amount IS 'Amount, exact (revenue)';
COMMENT ON COLUMN gcanalytics.crm_opportunities.close_date IS 'CloseDate: expected while open, actual once closed';
CREATE INDEX crm_opportunities_account_idx ON gcanalytics.crm_opportunities (account_id);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_opportunities', '');

ALTER TABLE gcanalytics.interactions ADD COLUMN crm_case_id text;
COMMENT ON COLUMN gcanalytics.interactions.crm_case_id IS 'Salesforce Case id of the conversation (the sfCaseId participant attribute)';

ALTER TABLE gcanalytics.crm_field_map DROP CONSTRAINT crm_field_map_target_check;
ALTER TABLE gcanalytics.crm_field_map ADD CONSTRAINT crm_field_map_target_check
    CHECK (target IN ('tier', 'industry', 'ltv', 'phone', 'owner', 'name', 'case_category', 'case_status'));

-- Surveys (issue 26): as src/sql/state/31_surveys.sql.
CREATE TABLE gcanalytics.surveys (
    survey_id              text NOT NULL,
    conversation_id        text NOT NULL,
    conversation_start     timestamptz,
    survey_form_id         text,
    survey_form_name       text,
    survey_form_context_id text,
    event_time             timestamptz,
    agent_id               text,
    queue_id               text,
    status                 text,
    promoter_score         integer,
    completed_date         timestamptz,
    total_score            integer,
    loaded_at              timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, survey_id)
);
COMMENT ON TABLE gcanalytics.surveys IS
    'post-contact surveys (AnalyticsSurvey of the conversation detail records), upserted by survey id; re-read until finished or expired';
COMMENT ON COLUMN gcanalytics.surveys.event_time IS 'when the survey was sent (eventTime)';
COMMENT ON COLUMN gcanalytics.surveys.agent_id IS 'the user the survey is about (userId)';
COMMENT ON COLUMN gcanalytics.surveys.status IS 'surveyStatus: Sent, Finished, Expired, ...';
COMMENT ON COLUMN gcanalytics.surveys.promoter_score IS 'surveyPromoterScore, 0-10 (finished surveys)';
COMMENT ON COLUMN gcanalytics.surveys.completed_date IS 'surveyCompletedDate (finished surveys)';
COMMENT ON COLUMN gcanalytics.surveys.total_score IS 'oSurveyTotalScore, 0-100: the CSAT (finished surveys)';
CREATE INDEX surveys_start_idx ON gcanalytics.surveys (conversation_start);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.surveys', '');

ALTER TABLE gcanalytics.interactions
    ADD COLUMN surveys jsonb,
    ADD COLUMN csat_score float8,
    ADD COLUMN nps_score integer;
COMMENT ON COLUMN gcanalytics.interactions.surveys IS 'the surveys of the detail record as the API returns them';
COMMENT ON COLUMN gcanalytics.interactions.csat_score IS 'average total score (oSurveyTotalScore, 0-100) of the finished surveys of the conversation';
COMMENT ON COLUMN gcanalytics.interactions.nps_score IS 'promoter score (surveyPromoterScore, 0-10) of the last finished survey of the conversation';

-- Schedule adherence (issue 26): as src/sql/state/31_adherence.sql.
CREATE TABLE gcanalytics.adherence (
    user_id                text NOT NULL,
    day                    date NOT NULL,
    management_unit_id     text,
    schedule_length_s      integer,
    adherence_schedule_s   integer,
    conformance_schedule_s integer,
    conformance_actual_s   integer,
    exception_count        integer,
    exception_duration_s   integer,
    impact_s               integer,
    actual_length_s        integer,
    loaded_at              timestamptz NOT NULL,
    PRIMARY KEY (user_id, day)
);
COMMENT ON TABLE gcanalytics.adherence IS
    'schedule adherence per agent and scheduled UTC day (historical adherence of workforce management), loaded daily by run()';
COMMENT ON COLUMN gcanalytics.adherence.day IS 'the UTC day (the query''s days are UTC days)';
COMMENT ON COLUMN gcanalytics.adherence.adherence_schedule_s IS 'scheduled time adherence is measured over, seconds';
COMMENT ON COLUMN gcanalytics.adherence.conformance_schedule_s IS 'time scheduled on queue, seconds';
COMMENT ON COLUMN gcanalytics.adherence.conformance_actual_s IS 'time actually on queue, seconds';
COMMENT ON COLUMN gcanalytics.adherence.exception_duration_s IS 'time out of adherence (the exceptions), seconds';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.adherence', '');
-- the CRM values of each account over time (issue 22: the tier at the time
-- of the call); the accounts of 0.2.0 start with the values they hold now,
-- valid since ever, as a fresh install's first sync does
CREATE TABLE gcanalytics.crm_account_history (
    account_id  text NOT NULL,
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz NOT NULL DEFAULT 'infinity',
    name        text,
    tier        text,
    industry    text,
    owner       text,
    ltv         numeric,
    phone       text,
    phone_e164  text,
    loaded_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, valid_from),
    CHECK (valid_to > valid_from)
);
COMMENT ON TABLE gcanalytics.crm_account_history IS
    'the CRM values of each account over time, written by sync_crm() when they change: valid from the SystemModstamp of the change (-infinity for the values first read) to the next change (infinity while current)';
COMMENT ON COLUMN gcanalytics.crm_account_history.valid_from IS 'the values hold from here (inclusive): the SystemModstamp that carried them, -infinity for the values the first sync read';
COMMENT ON COLUMN gcanalytics.crm_account_history.valid_to IS 'until here (exclusive): the next change, infinity for the current values';
CREATE INDEX crm_account_history_phone_idx ON gcanalytics.crm_account_history (phone_e164, valid_from);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_account_history', '');
INSERT INTO gcanalytics.crm_account_history (account_id, valid_from, name, tier, industry, owner, ltv, phone, phone_e164, loaded_at)
SELECT account_id, '-infinity', name, tier, industry, owner, ltv, phone, phone_e164, loaded_at FROM gcanalytics.crm_accounts;

-- _sync_reference() says whether it read the reference data (it reads it
-- only when due: README "Reference data when due")
DROP FUNCTION gcanalytics._sync_reference();

-- queue_metrics by 15 minutes (issue 22): the days of any
-- reporting_time_zone are sums of them; the hours 0.2.0 loaded stay until
-- their window is loaded again
ALTER TABLE gcanalytics.queue_metrics DROP CONSTRAINT queue_metrics_granularity_check;
ALTER TABLE gcanalytics.queue_metrics ADD CONSTRAINT queue_metrics_granularity_check
    CHECK (granularity IN ('PT15M', 'PT1H', 'P1D'));
COMMENT ON TABLE gcanalytics.queue_metrics IS
    'the aggregates API per queue and media type, by 15 minutes (PT15M; PT1H: hours loaded by 0.2.0) and daily (P1D, UTC days); counts and sums in milliseconds';

-- complete_until() finds a resource's earliest window not loaded (issue
-- 24: a refresh's fixed cost) without reading the loaded ones
CREATE INDEX sync_windows_open_idx ON gcanalytics.sync_windows (resource, window_start) WHERE status <> 'done';
