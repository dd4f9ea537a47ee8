-- Cases and pipeline (README "Cases and pipeline"): the Salesforce Cases
-- and Opportunities, the case of a conversation, and crm_field_map's Case
-- targets.
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
