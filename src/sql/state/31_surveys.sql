-- Surveys (CSAT and NPS; README "Surveys"): the surveys of the conversation
-- detail records, and the interactions' survey columns.
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
