-- fcr_window and containment_window are lengths of time (a day 24 hours):
-- the first-contact resolution of a conversation does not depend on the
-- session's TimeZone, across a DST change either.  A customer calls on
-- 2026-03-05 15:00 UTC (10:00 in New York) and again 167.5 hours later,
-- 2026-03-12 14:30 UTC, after New York's spring change (2026-03-08): within
-- 7 days of 24 hours (which end 2026-03-12 15:00 UTC), so the first call is
-- not resolved at first contact, under UTC and under America/New_York
-- alike (7 calendar days in New York would end at 14:00 UTC).  The second
-- call has no next contact: resolved.  survey_lookback likewise (below).
\set VERBOSITY terse
SET timezone = 'UTC';
SELECT gcanalytics._ensure_partitions('2026-03-01', '2026-04-01');
INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, customer_key,
                                      handled, handle_ms, next_contact_at, originating_direction, loaded_at)
VALUES ('fcr-1', '2026-03-05 15:00Z', 'voice', 'QF', '+15550001', true, 1000, '2026-03-12 14:30Z', 'inbound', now()),
       ('fcr-2', '2026-03-12 14:30Z', 'voice', 'QF', '+15550001', true, 1000, NULL, 'inbound', now());

SELECT gcanalytics._window_length('fcr_window') AS fcr_window, gcanalytics._window_length('containment_window') AS containment_window;

-- the parts under each zone: (2026-03-05, 1 eligible, 0 resolved), (2026-03-12, 1, 1)
SET timezone = 'America/New_York';
SELECT day, fcr_eligible, fcr_resolved FROM gcanalytics._kpi_daily_parts() WHERE queue_id = 'QF' ORDER BY day;
SET timezone = 'UTC';
SELECT day, fcr_eligible, fcr_resolved FROM gcanalytics._kpi_daily_parts() WHERE queue_id = 'QF' ORDER BY day;

-- the same rows from the load's side: the first call's FCR flips when the
-- second is linked, under New York as under UTC (dashboard_conversation_changes
-- records the first call, its old next contact NULL)
UPDATE gcanalytics.interactions SET next_contact_at = NULL WHERE conversation_id = 'fcr-1';
SET timezone = 'America/New_York';
SELECT gcanalytics._link_next_contacts(ARRAY[ROW('+15550001', timestamptz '2026-03-12 14:30Z', 'fcr-2')::gcanalytics._contact_place]);
SET timezone = 'UTC';
SELECT conversation_id, next_contact_at FROM gcanalytics.interactions WHERE conversation_id LIKE 'fcr-%' ORDER BY 1;
SELECT rollup, conversation_id, old_next_contact_at FROM gcanalytics.dashboard_conversation_changes
 WHERE conversation_id LIKE 'fcr-%' AND rollup = 'kpi_daily' ORDER BY 1, 2;

-- a month is 30 days
INSERT INTO gcanalytics.settings (name, value) VALUES ('fcr_window', '1 mon 1 day');
SELECT gcanalytics._window_length('fcr_window') AS one_month_one_day;
DELETE FROM gcanalytics.settings WHERE name = 'fcr_window';

-- survey_lookback (3 days) alike: the load reads again the conversations
-- whose survey, sent within it before the re-read range, is not answered
-- yet.  With the range at 2026-03-10 13:30 UTC (09:30 in New York, after
-- its spring change), 72 hours back is 2026-03-07 13:30 UTC; 3 calendar
-- days in New York would be 14:30 UTC.  A survey sent at 14:00 UTC (71.5
-- hours back) is re-read under either zone; one sent at 13:00 UTC (72.5
-- hours back) under neither; an answered one (Finished) never.
INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, surveys, loaded_at)
VALUES ('srv-1', '2026-03-07 13:50Z', 'voice', 'QF', '[{"surveyId": "s1", "surveyStatus": "Pending", "eventTime": "2026-03-07T14:00:00Z"}]', now()),
       ('srv-2', '2026-03-07 12:50Z', 'voice', 'QF', '[{"surveyId": "s2", "surveyStatus": "Pending", "eventTime": "2026-03-07T13:00:00Z"}]', now()),
       ('srv-3', '2026-03-07 13:50Z', 'voice', 'QF', '[{"surveyId": "s3", "surveyStatus": "Finished", "eventTime": "2026-03-07T14:00:00Z"}]', now());
SET timezone = 'America/New_York';
SELECT r.ids FROM gcanalytics._reread_selection('2026-03-10 13:30Z', gcanalytics._surveys_open_since('2026-03-10 13:30Z')) r;
SET timezone = 'UTC';
SELECT r.ids FROM gcanalytics._reread_selection('2026-03-10 13:30Z', gcanalytics._surveys_open_since('2026-03-10 13:30Z')) r;
SELECT gcanalytics._surveys_open_since('2026-03-10 13:30Z') AS surveys_open_since;

DELETE FROM gcanalytics.interactions WHERE conversation_id LIKE 'srv-%';
DELETE FROM gcanalytics.dashboard_conversation_changes WHERE conversation_id LIKE 'fcr-%';
DELETE FROM gcanalytics.interactions WHERE conversation_id LIKE 'fcr-%';
DROP TABLE gcanalytics.interactions_2026_03;
