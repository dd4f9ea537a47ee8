-- The warehouse tables (README "The warehouse").  Configuration tables are
-- empty at CREATE EXTENSION and filled with their defaults by configure(),
-- so that pg_dump dumps them whole (pg_extension_config_dump) and a restore
-- never collides with seeded rows.  Every unique key of the tables that
-- grow with traffic includes conversation_id, and no constraint refers to
-- another table, so that interactions and evaluations can be distributed
-- by conversation_id with Citus (README "Scaling out").

CREATE TABLE gcanalytics.settings (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    description text
);
COMMENT ON TABLE gcanalytics.settings IS
    'warehouse settings (name, value); configure() records the servers and adds every missing default';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.settings', '');

CREATE TABLE gcanalytics.crm_field_map (
    target  text PRIMARY KEY
        CHECK (target IN ('tier', 'industry', 'ltv', 'phone', 'owner', 'name')),
    sobject text NOT NULL DEFAULT 'Account',
    field   text NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_field_map IS
    'where each CRM value of the warehouse comes from (Account field, dotted for parents such as Owner.Name); checked by configure()';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_field_map', '');

CREATE TABLE gcanalytics.escalation_rules (
    kind  text NOT NULL CONSTRAINT escalation_rules_kind_check CHECK (kind IN ('attribute', 'wrapup_code', 'queue', 'handoff')),
    value text NOT NULL,
    PRIMARY KEY (kind, value)
);
COMMENT ON TABLE gcanalytics.escalation_rules IS
    'a conversation is escalated when any rule matches: a participant attribute that is true, a wrap-up code (name or id), a transfer into a queue (name or id), a handoff from a self-service flow to an agent (value bot, ivr or any)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.escalation_rules', '');

CREATE TABLE gcanalytics.excluded_queues (
    queue_id text PRIMARY KEY,
    reason   text
);
COMMENT ON TABLE gcanalytics.excluded_queues IS
    'internal queues (QA review, training, health checks): conversations whose first queue is listed are not loaded';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.excluded_queues', '');

CREATE TABLE gcanalytics.releases (
    release_name text PRIMARY KEY,
    released_at  timestamptz NOT NULL,
    description  text
);
COMMENT ON TABLE gcanalytics.releases IS
    'the product release calendar, maintained by you; the escalation insight names the releases of a week';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.releases', '');

-- Reference data, replaced whole by sync_reference().
CREATE TABLE gcanalytics.queues (
    queue_id    text PRIMARY KEY,
    name        text,
    division_id text,
    loaded_at   timestamptz NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.queues', '');

CREATE TABLE gcanalytics.users (
    user_id     text PRIMARY KEY,
    name        text,
    email       text,
    state       text,
    department  text,
    title       text,
    division_id text,
    loaded_at   timestamptz NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.users', '');

CREATE TABLE gcanalytics.wrapup_codes (
    wrapup_code text PRIMARY KEY,
    name        text,
    loaded_at   timestamptz NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.wrapup_codes', '');

-- one queue entry of a conversation (interactions.queue_entries, from
-- _queue_entries()): the session metrics of an ACD session and of the agent
-- session that answered it (README "Dashboards")
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

-- One row per conversation.  Partitions (one per month,
-- interactions_YYYY_MM) are created by the load as data arrives; pg_dump
-- dumps them as ordinary tables attached to this one.
CREATE TABLE gcanalytics.interactions (
    conversation_id        text NOT NULL,
    conversation_start     timestamptz NOT NULL,
    conversation_end       timestamptz,
    duration_ms            bigint,
    originating_direction  text,
    media_type             text,
    queue_id               text,
    queue_name             text,
    queue_ids              text[],
    agent_id               text,
    agent_name             text,
    agent_ids              text[],
    wrapup_code            text,
    wrapup_name            text,
    ani                    text,
    customer_key           text,
    next_contact_at        timestamptz,
    talk_ms                bigint,
    customer_hold_ms       bigint,
    system_hold_ms         bigint,
    acw_ms                 bigint,
    acd_ms                 bigint,
    ivr_ms                 bigint,
    alert_ms               bigint,
    handle_ms              bigint,
    weighted_handle_ms     float8,
    transfers              integer,
    transferred            boolean,
    abandoned              boolean,
    handled                boolean,
    in_progress            boolean,
    timeline_valid         boolean,
    timeline_anomaly       text,
    qa_score               float8,
    crm_account_id         text,
    crm_link               text CHECK (crm_link IN ('attribute', 'phone')),
    customer_tier          text,
    industry               text,
    account_name           text,
    account_owner          text,
    ltv                    numeric,
    open_case_count        integer,
    open_opportunity_count integer,
    was_escalated          boolean,
    handled_by_bot_only    boolean,
    attributes             jsonb,
    loaded_at              timestamptz NOT NULL,
    queue_entries          gcanalytics.queue_entry[],
    self_service           text,
    contained              boolean,
    PRIMARY KEY (conversation_id, conversation_start)
) PARTITION BY RANGE (conversation_start);
COMMENT ON TABLE gcanalytics.interactions IS
    'one row per conversation: Genesys fields, timeline(), weighted handle time, CRM fields; partitioned by month';
CREATE INDEX interactions_start_idx ON gcanalytics.interactions (conversation_start);
CREATE INDEX interactions_queue_idx ON gcanalytics.interactions (queue_id, conversation_start);
CREATE INDEX interactions_agent_idx ON gcanalytics.interactions (agent_id, conversation_start);
CREATE INDEX interactions_account_idx ON gcanalytics.interactions (crm_account_id, conversation_start);
CREATE INDEX interactions_customer_idx ON gcanalytics.interactions (customer_key, conversation_start, conversation_id);
CREATE INDEX interactions_in_progress_idx ON gcanalytics.interactions (conversation_start) WHERE in_progress;

COMMENT ON COLUMN gcanalytics.interactions.conversation_id IS 'Genesys conversation id';
COMMENT ON COLUMN gcanalytics.interactions.conversation_start IS 'when the conversation started';
COMMENT ON COLUMN gcanalytics.interactions.conversation_end IS 'when it ended (NULL while in progress)';
COMMENT ON COLUMN gcanalytics.interactions.duration_ms IS 'conversation_end - conversation_start, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.originating_direction IS 'inbound or outbound';
COMMENT ON COLUMN gcanalytics.interactions.media_type IS 'the customer session''s media type (voice, chat, email, message, callback)';
COMMENT ON COLUMN gcanalytics.interactions.queue_id IS 'the first queue';
COMMENT ON COLUMN gcanalytics.interactions.queue_name IS 'name of the first queue';
COMMENT ON COLUMN gcanalytics.interactions.queue_ids IS 'every queue, in order of first entry';
COMMENT ON COLUMN gcanalytics.interactions.agent_id IS 'the agent with the longest talk';
COMMENT ON COLUMN gcanalytics.interactions.agent_name IS 'name of that agent';
COMMENT ON COLUMN gcanalytics.interactions.agent_ids IS 'every agent that took part';
COMMENT ON COLUMN gcanalytics.interactions.wrapup_code IS 'the last agent wrap-up code id';
COMMENT ON COLUMN gcanalytics.interactions.wrapup_name IS 'name of that wrap-up code';
COMMENT ON COLUMN gcanalytics.interactions.ani IS 'the caller''s address as Genesys reports it';
COMMENT ON COLUMN gcanalytics.interactions.customer_key IS 'who the customer is, for repeat contacts: the CRM account, else the inbound ANI in E.164, else NULL';
COMMENT ON COLUMN gcanalytics.interactions.next_contact_at IS 'start of the same customer''s next conversation (by start, then conversation id); NULL when none (yet) or the customer is unknown; kept by the load';
COMMENT ON COLUMN gcanalytics.interactions.talk_ms IS 'agent talk time, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.customer_hold_ms IS 'holds the agent placed, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.system_hold_ms IS 'holds the agent did not place (IVR, ACD, parking), milliseconds; never in handle time';
COMMENT ON COLUMN gcanalytics.interactions.acw_ms IS 'after-call work (wrap-up), milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.acd_ms IS 'queue wait, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.ivr_ms IS 'time in IVR flows, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.alert_ms IS 'agent alerting (ringing) time, milliseconds';
COMMENT ON COLUMN gcanalytics.interactions.handle_ms IS 'talk + customer hold + wrap-up, milliseconds; system holds never count';
COMMENT ON COLUMN gcanalytics.interactions.weighted_handle_ms IS 'handle time weighted by transfers and channel (weighted_handle_time(), weights in weht_weights)';
COMMENT ON COLUMN gcanalytics.interactions.transfers IS 'number of transfers';
COMMENT ON COLUMN gcanalytics.interactions.transferred IS 'transferred at least once';
COMMENT ON COLUMN gcanalytics.interactions.abandoned IS 'ended in queue without reaching an agent';
COMMENT ON COLUMN gcanalytics.interactions.handled IS 'an agent talked with the customer for at least the min_talk_ms setting';
COMMENT ON COLUMN gcanalytics.interactions.in_progress IS 'still running when loaded (re-read by the next run)';
COMMENT ON COLUMN gcanalytics.interactions.timeline_valid IS 'timeline() found the segments well formed';
COMMENT ON COLUMN gcanalytics.interactions.timeline_anomaly IS 'why the timeline is malformed, when it is';
COMMENT ON COLUMN gcanalytics.interactions.qa_score IS 'average total score of the finished, non-calibration evaluations of the conversation';
COMMENT ON COLUMN gcanalytics.interactions.crm_account_id IS 'Salesforce Account id';
COMMENT ON COLUMN gcanalytics.interactions.crm_link IS 'how the account was found: attribute (sfAccountId), phone (ANI = account phone) or NULL';
COMMENT ON COLUMN gcanalytics.interactions.customer_tier IS 'CRM tier of the account (crm_field_map target tier)';
COMMENT ON COLUMN gcanalytics.interactions.industry IS 'CRM industry of the account';
COMMENT ON COLUMN gcanalytics.interactions.account_name IS 'CRM account name';
COMMENT ON COLUMN gcanalytics.interactions.account_owner IS 'CRM account owner';
COMMENT ON COLUMN gcanalytics.interactions.ltv IS 'CRM lifetime value of the account (revenue)';
COMMENT ON COLUMN gcanalytics.interactions.open_case_count IS 'open CRM cases of the account when enriched';
COMMENT ON COLUMN gcanalytics.interactions.open_opportunity_count IS 'open CRM opportunities of the account when enriched (revenue)';
COMMENT ON COLUMN gcanalytics.interactions.was_escalated IS 'matches a rule of escalation_rules';
COMMENT ON COLUMN gcanalytics.interactions.handled_by_bot_only IS 'ended within a bot flow: no queue, no agent';
COMMENT ON COLUMN gcanalytics.interactions.attributes IS 'participant attributes, merged';
COMMENT ON COLUMN gcanalytics.interactions.self_service IS 'the self-service flow the conversation entered: bot (a bot flow), ivr (an IVR), NULL for none';
COMMENT ON COLUMN gcanalytics.interactions.contained IS 'entered a bot or IVR flow and ended there: no queue, no agent';
COMMENT ON COLUMN gcanalytics.interactions.queue_entries IS 'every queue entry (ACD session) and what answered it, in order (type queue_entry); NULL for rows loaded before 0.3.0 until reloaded';
COMMENT ON COLUMN gcanalytics.interactions.loaded_at IS 'when this row last changed';

CREATE TABLE gcanalytics.evaluations (
    evaluation_id            text NOT NULL,
    conversation_id          text NOT NULL,
    conversation_start       timestamptz,
    agent_id                 text,
    evaluator_id             text,
    queue_id                 text,
    form_id                  text,
    form_name                text,
    status                   text,
    total_score              float8,
    total_critical_score     float8,
    total_non_critical_score float8,
    any_failed_kill_questions boolean,
    is_calibration           boolean,
    calibration_id           text,
    release_date             timestamptz,
    assigned_date            timestamptz,
    changed_date             timestamptz,
    answers                  jsonb,
    loaded_at                timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, evaluation_id)
);
COMMENT ON TABLE gcanalytics.evaluations IS
    'quality evaluations, upserted by evaluation id; calibrations kept and flagged (is_calibration), left out of agent scoring';
CREATE INDEX evaluations_agent_idx ON gcanalytics.evaluations (agent_id, form_id);
CREATE INDEX evaluations_start_idx ON gcanalytics.evaluations (conversation_start);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.evaluations', '');

CREATE TABLE gcanalytics.queue_metrics (
    granularity     text NOT NULL CONSTRAINT queue_metrics_granularity_check CHECK (granularity IN ('PT15M', 'PT1H', 'P1D')),
    interval_start  timestamptz NOT NULL,
    queue_id        text NOT NULL,
    media_type      text NOT NULL,
    n_offered       bigint,
    n_connected     bigint,
    n_abandoned     bigint,
    n_transferred   bigint,
    t_handle_sum    float8,
    t_handle_count  bigint,
    t_talk_sum      float8,
    t_talk_count    bigint,
    t_held_sum      float8,
    t_acw_sum       float8,
    t_acd_sum       float8,
    t_acd_count     bigint,
    t_abandon_sum   float8,
    loaded_at       timestamptz NOT NULL,
    PRIMARY KEY (granularity, interval_start, queue_id, media_type)
);
COMMENT ON TABLE gcanalytics.queue_metrics IS
    'the aggregates API per queue and media type, by 15 minutes (PT15M; PT1H: hours loaded by 0.2.0) and daily (P1D, UTC days); counts and sums in milliseconds';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.queue_metrics', '');

CREATE TABLE gcanalytics.crm_accounts (
    account_id             text PRIMARY KEY,
    name                   text,
    tier                   text,
    industry               text,
    owner                  text,
    ltv                    numeric,
    phone                  text,
    phone_e164             text,
    open_case_count        integer NOT NULL DEFAULT 0,
    open_opportunity_count integer NOT NULL DEFAULT 0,
    system_modstamp        timestamptz,
    loaded_at              timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.crm_accounts IS
    'snapshot of the Salesforce Accounts (fields from crm_field_map), incremental on SystemModstamp';
CREATE INDEX crm_accounts_phone_idx ON gcanalytics.crm_accounts (phone_e164);
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.crm_accounts', '');

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


CREATE TABLE gcanalytics.sync_windows (
    resource       text NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    rows           bigint,
    expected_rows  bigint,
    error          text,
    error_sqlstate text,
    started_at     timestamptz,
    finished_at    timestamptz,
    seconds        float8,
    recheck        boolean NOT NULL DEFAULT false,
    checked_at     timestamptz,
    PRIMARY KEY (resource, window_start),
    CHECK (window_end > window_start)
);
COMMENT ON TABLE gcanalytics.sync_windows IS
    'one row per resource and time window loaded: status, attempts, rows, the error of a failed window (the dead-letter list)';
-- the windows not loaded yet (few): complete_until() finds the earliest
-- without reading the loaded ones
CREATE INDEX sync_windows_open_idx ON gcanalytics.sync_windows (resource, window_start) WHERE status <> 'done';
COMMENT ON COLUMN gcanalytics.sync_windows.resource IS 'conversations, evaluations or queue_metrics';
COMMENT ON COLUMN gcanalytics.sync_windows.window_start IS 'start of the window (inclusive)';
COMMENT ON COLUMN gcanalytics.sync_windows.window_end IS 'end of the window (exclusive)';
COMMENT ON COLUMN gcanalytics.sync_windows.status IS 'pending, running (committed before the load starts), done or failed';
COMMENT ON COLUMN gcanalytics.sync_windows.attempts IS 'how many times the window was loaded';
COMMENT ON COLUMN gcanalytics.sync_windows.rows IS 'rows the last successful load read';
COMMENT ON COLUMN gcanalytics.sync_windows.expected_rows IS 'conversations the aggregates API counts for the window (check_window())';
COMMENT ON COLUMN gcanalytics.sync_windows.error IS 'the error of the last failed load';
COMMENT ON COLUMN gcanalytics.sync_windows.error_sqlstate IS 'its SQLSTATE';
COMMENT ON COLUMN gcanalytics.sync_windows.started_at IS 'when the last load started';
COMMENT ON COLUMN gcanalytics.sync_windows.finished_at IS 'when the last load ended';
COMMENT ON COLUMN gcanalytics.sync_windows.seconds IS 'how long the last load took';
COMMENT ON COLUMN gcanalytics.sync_windows.recheck IS 'check_window() found the loaded volume off: the next run() loads the window again';
COMMENT ON COLUMN gcanalytics.sync_windows.checked_at IS 'when check_window() last compared the window';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.sync_windows', '');

CREATE TABLE gcanalytics.sync_state (
    resource        text PRIMARY KEY,
    high_water_mark timestamptz,
    updated_at      timestamptz NOT NULL
);
COMMENT ON TABLE gcanalytics.sync_state IS
    'high-water marks: how far each resource is loaded (conversations, evaluations, queue_metrics: by conversation time; crm: by SystemModstamp)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.sync_state', '');

-- The load lock (33_warehouse_run.sql): one row naming the session that
-- loads.  Claiming it takes a lock on this table that only roles with
-- UPDATE on it can take, so that no other role can stop the load.
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

-- one row of a customer's contact sequence (32_warehouse_load.sql)
CREATE TYPE gcanalytics._contact_place AS (customer_key text, conversation_start timestamptz, conversation_id text);

CREATE TABLE gcanalytics.service_levels (
    queue_id      text NOT NULL,
    answer_within interval NOT NULL CHECK (answer_within >= interval '0'),
    description   text,
    media_type    text NOT NULL DEFAULT '*',
    PRIMARY KEY (queue_id, media_type)
);
COMMENT ON TABLE gcanalytics.service_levels IS
    'service level target per queue and media type (''*'': any): a queue entry is answered in time when its wait in that queue is at most answer_within; the most specific row applies (queue and medium, queue, medium), else the setting service_level_default (20 seconds)';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.service_levels', '');

-- The groups kpi_daily aggregates by: with these statistics the planner
-- knows there are a few thousand of them and hashes, instead of sorting
-- every row (run() ANALYZEs interactions after loading).
CREATE STATISTICS gcanalytics.interactions_day_groups (ndistinct)
    ON ((conversation_start AT TIME ZONE 'UTC')::date), coalesce(queue_id, '(no queue)'),
       coalesce(media_type, '(unknown)')
    FROM gcanalytics.interactions;
