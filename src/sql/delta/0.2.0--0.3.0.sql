-- gcanalytics 0.2.0 -> 0.3.0: the changes of state (tables, columns, types,
-- data moves, objects dropped).  The code pieces (src/sql/code/) follow it
-- in the built upgrade script and replace every function, view, dashboard
-- and grant.
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.3.0'" to load this file. \quit

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
    'the Salesforce Cases (not deleted), read whole by every CRM sync; category and status from crm_field_map';
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
    'the Salesforce Opportunities (not deleted), read whole by every CRM sync';
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
