-- Surveys (README "Surveys"): the survey figures of a detail record's
-- surveys array, the surveys table kept from the interactions' surveys,
-- and which conversations are read again for a survey not yet answered.

-- _survey_elements(surveys): the elements of a detail record's surveys
-- array, none when it is NULL or not an array.  A body bound when created
-- and no SET: the planner inlines it into the queries that read it
-- (_survey_csat() and _survey_nps() run once per conversation loaded; a
-- function called from them with a SET was parsed and planned again on
-- every call).
CREATE OR REPLACE FUNCTION gcanalytics._survey_elements(surveys jsonb)
    RETURNS SETOF jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s FROM jsonb_array_elements(CASE WHEN jsonb_typeof(surveys) = 'array' THEN surveys ELSE '[]'::jsonb END) s;
END;

-- _survey_csat(surveys): the average oSurveyTotalScore of the finished
-- surveys, NULL without one.
CREATE OR REPLACE FUNCTION gcanalytics._survey_csat(surveys jsonb)
    RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT avg((s->>'oSurveyTotalScore')::float8)
      FROM gcanalytics._survey_elements(surveys) s
     WHERE s->>'surveyStatus' = 'Finished' AND jsonb_typeof(s->'oSurveyTotalScore') = 'number'
$$;

-- _survey_nps(surveys): the surveyPromoterScore of the last finished
-- survey (by surveyCompletedDate, then surveyId), NULL without one.
CREATE OR REPLACE FUNCTION gcanalytics._survey_nps(surveys jsonb)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT (s->>'surveyPromoterScore')::integer
      FROM gcanalytics._survey_elements(surveys) s
     WHERE s->>'surveyStatus' = 'Finished' AND jsonb_typeof(s->'surveyPromoterScore') = 'number'
     ORDER BY s->>'surveyCompletedDate' DESC NULLS LAST, s->>'surveyId' DESC
     LIMIT 1
$$;

-- _survey_pending_last(surveys): when the last survey still open (neither
-- finished nor closed otherwise: its answer may come) was sent, NULL
-- without one: max((s->>'eventTime')::timestamptz) of the elements s whose
-- coalesce(s->>'surveyStatus', '') is not Finished, Expired, OptOut or
-- Error (src/kpi/survey.c; the regression test survey_pending compares it
-- with that query).  In C: the rollups of cx_overview and cx_insights call
-- it once per conversation with surveys, and the query cost some 4 us a call.
CREATE OR REPLACE FUNCTION gcanalytics._survey_pending_last(surveys jsonb)
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'gca_survey_pending_last'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics._survey_pending_last(jsonb) IS
    'when the last survey still open (not Finished, Expired, OptOut or Error) was sent, NULL without one';

-- _survey_pending(surveys, sent_after): a survey sent after sent_after is
-- still open: its answer may come.
CREATE OR REPLACE FUNCTION gcanalytics._survey_pending(surveys jsonb, sent_after timestamptz)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(gcanalytics._survey_pending_last(surveys) > sent_after, false);

-- _upsert_surveys(from, to, only_ids): the surveys of the interactions
-- started in [from, to) (only those of only_ids when given) upserted into
-- surveys; a survey no longer in its record is deleted.  Returns the rows
-- inserted or changed.
CREATE OR REPLACE FUNCTION gcanalytics._upsert_surveys(range_from timestamptz, range_to timestamptz,
                                                      only_ids text[] DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    r record;
BEGIN
    r := gcanalytics._upsert('gcanalytics.surveys', ARRAY['conversation_id', 'survey_id'], format($q$
        SELECT s->>'surveyId' AS survey_id, i.conversation_id, i.conversation_start,
               s->>'surveyFormId' AS survey_form_id, s->>'surveyFormName' AS survey_form_name,
               s->>'surveyFormContextId' AS survey_form_context_id, (s->>'eventTime')::timestamptz AS event_time,
               s->>'userId' AS agent_id, s->>'queueId' AS queue_id, s->>'surveyStatus' AS status,
               (s->>'surveyPromoterScore')::integer AS promoter_score,
               (s->>'surveyCompletedDate')::timestamptz AS completed_date,
               (s->>'oSurveyTotalScore')::integer AS total_score
          FROM gcanalytics.interactions i
          CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(i.surveys) s
         WHERE i.conversation_start >= %L AND i.conversation_start < %L
           AND pg_catalog.jsonb_typeof(i.surveys) = 'array' AND s ? 'surveyId'%s $q$,
        range_from, range_to,
        CASE WHEN only_ids IS NOT NULL THEN format(' AND i.conversation_id = ANY (%L::text[])', only_ids) ELSE '' END));
    DELETE FROM gcanalytics.surveys v
     WHERE v.conversation_start >= range_from AND v.conversation_start < range_to
       AND (only_ids IS NULL OR v.conversation_id = ANY (only_ids))
       AND NOT EXISTS (SELECT 1 FROM gcanalytics.interactions i
                        CROSS JOIN LATERAL gcanalytics._survey_elements(i.surveys) s
                        WHERE i.conversation_id = v.conversation_id AND i.conversation_start = v.conversation_start
                          AND s->>'surveyId' = v.survey_id);
    RETURN r.changed_rows;
END
$$;

-- _reread_selection(before, survey_sent_after): the conversations started
-- before before that are read again by id, their ids and first and last
-- start (the range of the by-id read): those loaded while in progress when
-- survey_sent_after is NULL, else those with a survey sent after it not
-- answered yet.  ids NULL when there is none.  PL/pgSQL: Citus plans no
-- SQL function with parameters over a distributed table.
CREATE OR REPLACE FUNCTION gcanalytics._reread_selection(before timestamptz, survey_sent_after timestamptz,
                                                        OUT ids text[], OUT first_start timestamptz,
                                                        OUT last_start timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    SELECT array_agg(i.conversation_id), min(i.conversation_start), max(i.conversation_start)
      INTO ids, first_start, last_start
      FROM gcanalytics.interactions i
     WHERE i.conversation_start < before
       AND CASE WHEN survey_sent_after IS NULL THEN coalesce(i.in_progress, false)
                ELSE i.surveys IS NOT NULL AND gcanalytics._survey_pending(i.surveys, survey_sent_after) END;
END
$$;

-- _surveys_open_since(at): the time survey_lookback before at; a survey
-- sent after it and not answered yet may still be answered (the load reads
-- its conversation again, cx_insights holds its day as not final).  The
-- same instant under every session TimeZone (_window_length()).
CREATE OR REPLACE FUNCTION gcanalytics._surveys_open_since(at timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT at - gcanalytics._window_length('survey_lookback') $$;
COMMENT ON FUNCTION gcanalytics._surveys_open_since(timestamptz) IS
    'survey_lookback (a length of time) before at: unanswered surveys sent after it may still be answered';

-- _refresh_surveys(before): the conversations started before before whose
-- survey, sent within survey_lookback before it, is not answered yet are
-- read again by id; only their surveys and survey columns are taken (the
-- by-id route carries no participant attributes, so the rest of the row
-- stays as the window that loaded it left it).  Returns the conversations
-- read.
CREATE OR REPLACE FUNCTION gcanalytics._refresh_surveys(before timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ids text[];
    first_start timestamptz;
    last_start timestamptz;
    sent_after timestamptz := gcanalytics._surveys_open_since(before);
    read_ids text[];
    read_starts timestamptz[];
    read_surveys jsonb[];
    days date[];
    -- one timestamp, and the records read into arrays first: Citus runs no
    -- UPDATE of a distributed table calling a volatile function such as
    -- clock_timestamp(), nor one whose subquery reads a temporary table
    stamp timestamptz := clock_timestamp();
BEGIN
    SELECT r.ids, r.first_start, r.last_start INTO ids, first_start, last_start
      FROM gcanalytics._reread_selection(before, sent_after) r;
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    SELECT coalesce(array_agg(c.conversation_id), '{}'), coalesce(array_agg(c.conversation_start), '{}'),
           coalesce(array_agg(c.surveys), '{}')
      INTO read_ids, read_starts, read_surveys
      FROM gcanalytics_source.conversations c
     WHERE c.conversation_start >= first_start AND c.conversation_start <= last_start
       AND c.conversation_id = ANY (ids);
    WITH u AS (
    UPDATE gcanalytics.interactions i
       SET surveys = r.surveys, csat_score = gcanalytics._survey_csat(r.surveys),
           nps_score = gcanalytics._survey_nps(r.surveys), loaded_at = stamp
      FROM unnest(read_ids, read_starts, read_surveys) r (conversation_id, conversation_start, surveys)
     WHERE i.conversation_id = r.conversation_id AND i.conversation_start = r.conversation_start
       AND i.surveys IS DISTINCT FROM r.surveys
    RETURNING i.conversation_start)
    SELECT array_agg(DISTINCT (u.conversation_start AT TIME ZONE gcanalytics.reporting_time_zone())::date) INTO days FROM u;
    PERFORM gcanalytics._dashboard_changed(days, ARRAY['cx_overview', 'cx_insights']);
    PERFORM gcanalytics._upsert_surveys(first_start, last_start + interval '1 millisecond', ids);
    RETURN pg_catalog.cardinality(read_ids);
END
$$;
