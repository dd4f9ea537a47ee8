-- _survey_pending_last() (C) against the query that defines it: the last
-- eventTime of the surveys neither Finished nor closed otherwise (Expired,
-- OptOut, Error), taken as ->> gives it and read as a timestamptz; NULL
-- without one.  Every case compared with the query, and the two columns
-- shown: arrays with open and closed surveys, a status missing, null or
-- not a string, an eventTime missing, null, numeric (read as a date, as
-- the cast reads its text) or with an offset, elements that are no
-- object, and no array at all.
\set VERBOSITY terse
SET timezone = 'America/New_York';
CREATE TEMP TABLE cases (n int, surveys jsonb);
INSERT INTO cases VALUES
    (1, '[{"surveyStatus": "Sent", "eventTime": "2026-03-07T14:00:00Z"}]'),
    (2, '[{"surveyStatus": "Finished", "eventTime": "2026-03-07T14:00:00Z"},
          {"surveyStatus": "Sent", "eventTime": "2026-03-06T10:00:00Z"},
          {"surveyStatus": "Pending", "eventTime": "2026-03-06T11:00:00.250+01:00"}]'),
    (3, '[{"surveyStatus": "Expired", "eventTime": "2026-03-07T14:00:00Z"},
          {"surveyStatus": "OptOut", "eventTime": "2026-03-07T15:00:00Z"},
          {"surveyStatus": "Error", "eventTime": "2026-03-07T16:00:00Z"}]'),
    (4, '[{"eventTime": "2026-03-07T14:00:00Z"}, {"surveyStatus": null, "eventTime": "2026-03-08T14:00:00Z"}]'),
    (5, '[{"surveyStatus": 3, "eventTime": "2026-03-09T14:00:00Z"}, {"surveyStatus": "finished", "eventTime": "2026-03-10T14:00:00Z"}]'),
    (6, '[{"surveyStatus": "Sent"}, {"surveyStatus": "Sent", "eventTime": null}]'),
    (7, '[{"surveyStatus": "Sent", "eventTime": 20260311}]'),
    (8, '[1, "x", null, [{"surveyStatus": "Sent", "eventTime": "2026-03-07T14:00:00Z"}], {"surveyStatus": "Sent", "eventTime": "2026-03-12 08:00"}]'),
    (9, '{"surveyStatus": "Sent", "eventTime": "2026-03-07T14:00:00Z"}'),
    (10, '"2026-03-07T14:00:00Z"'),
    (11, '[]'),
    (12, NULL),
    (13, '[{"surveyStatus": "Sent", "eventTime": "infinity"}, {"surveyStatus": "Sent", "eventTime": "2026-03-07T14:00:00Z"}]');
CREATE TEMP VIEW compared AS
SELECT c.n, gcanalytics._survey_pending_last(c.surveys) AS c_function,
       (SELECT max((s->>'eventTime')::timestamptz)
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.surveys) = 'array' THEN c.surveys ELSE '[]' END) s
         WHERE coalesce(s->>'surveyStatus', '') NOT IN ('Finished', 'Expired', 'OptOut', 'Error')) AS query
  FROM cases c;
SELECT n, c_function, c_function IS NOT DISTINCT FROM query AS same FROM compared ORDER BY n;
-- an eventTime that is no time: the cast's error
SELECT gcanalytics._survey_pending_last('[{"surveyStatus": "Sent", "eventTime": "soon"}]');
SELECT gcanalytics._survey_pending_last('[{"surveyStatus": "Sent", "eventTime": true}]');
RESET timezone;
