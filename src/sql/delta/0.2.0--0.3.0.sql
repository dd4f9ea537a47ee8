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
    data_complete_until timestamptz
);
COMMENT ON TABLE gcanalytics.dashboard_refreshes IS
    'the last refresh of each dashboard by refresh_dashboards(): when, how, and up to when the data it read was complete (read through dashboard_status)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.dashboard_refreshes', '');

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
-- _crm_match() finds the account's values at the time of the call
DROP FUNCTION gcanalytics._crm_match(text, text);
