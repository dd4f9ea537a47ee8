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
