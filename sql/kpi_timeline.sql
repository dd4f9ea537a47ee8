-- gcanalytics.timeline() and timeline_events() on small hand-written
-- conversation detail records.  Every expected figure below is worked out
-- by hand in the comments and written into the "expect" table; the query at
-- the end prints "ok" per case or both rows when they differ.
--
-- Times: "@N" stands for 2026-03-02T10:00:00Z + N seconds (rec() expands
-- it), so a segment "@50" to "@170" lasts (170 - 50) * 1000 = 120000 ms.
CREATE SCHEMA kpi_timeline;
SET search_path = kpi_timeline, public;
\set VERBOSITY terse
SET timezone = 'UTC';

CREATE FUNCTION rec(j text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    m text[];
BEGIN
    LOOP
        m := regexp_match(j, '"@(\d+)"');
        EXIT WHEN m IS NULL;
        j := replace(j, '"@' || m[1] || '"',
                     to_json(to_char(timestamptz '2026-03-02 10:00:00+00'
                                      + make_interval(secs => m[1]::int),
                                      'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text);
    END LOOP;
    RETURN j::jsonb;
END $$;

CREATE TABLE cases (name text PRIMARY KEY, r jsonb);

-- 1. Blind transfer.  IVR 0-30, queue q1 30-50, agent u1 alerted 45-50,
-- talks 50-170 and transfers blind (disconnectType transfer), wrap-up
-- 170-200; queue q2 170-200; agent u2 alerted 195-200, talks 200-380,
-- wrap-up 380-400.
--   queue_wait = (50-30) + (200-170)        = 20000 + 30000   =  50000
--   talk       = (170-50) + (380-200)       = 120000 + 180000 = 300000
--   acw        = (200-170) + (400-380)      = 30000 + 20000   =  50000
--   ivr        = 30000; alert = 5000 + 5000 = 10000; transfers = 1
--   handle     = 300000 + 0 + 50000 = 350000; first q1; last u2
INSERT INTO cases VALUES ('blind transfer', rec($$
{"conversationId":"c1","conversationStart":"@0","conversationEnd":"@400",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"sessionId":"s0","mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@400","disconnectType":"endpoint"}]}]},
  {"participantId":"p1","purpose":"ivr","sessions":[{"sessionId":"s1","mediaType":"voice",
    "metrics":[{"name":"nFlow","value":1},{"name":"tIvr","value":30000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@30","disconnectType":"transfer"}]}]},
  {"participantId":"p2","purpose":"acd","sessions":[{"sessionId":"s2","mediaType":"voice",
    "metrics":[{"name":"nOffered","value":1},{"name":"tAcd","value":20000}],
    "segments":[{"segmentType":"interact","segmentStart":"@30","segmentEnd":"@50","queueId":"q1","disconnectType":"transfer"}]}]},
  {"participantId":"p3","purpose":"agent","userId":"u1","sessions":[{"sessionId":"s3","mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":120000},{"name":"tAcw","value":30000},
               {"name":"tHandle","value":150000},{"name":"nTransferred","value":1},{"name":"nBlindTransferred","value":1}],
    "segments":[{"segmentType":"alert","segmentStart":"@45","segmentEnd":"@50","queueId":"q1"},
                {"segmentType":"interact","segmentStart":"@50","segmentEnd":"@170","queueId":"q1","disconnectType":"transfer"},
                {"segmentType":"wrapup","segmentStart":"@170","segmentEnd":"@200","queueId":"q1","wrapUpCode":"w1"}]}]},
  {"participantId":"p4","purpose":"acd","sessions":[{"sessionId":"s4","mediaType":"voice",
    "metrics":[{"name":"tAcd","value":30000}],
    "segments":[{"segmentType":"interact","segmentStart":"@170","segmentEnd":"@200","queueId":"q2","disconnectType":"transfer"}]}]},
  {"participantId":"p5","purpose":"agent","userId":"u2","sessions":[{"sessionId":"s5","mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":180000},{"name":"tAcw","value":20000}],
    "segments":[{"segmentType":"alert","segmentStart":"@195","segmentEnd":"@200","queueId":"q2"},
                {"segmentType":"interact","segmentStart":"@200","segmentEnd":"@380","queueId":"q2","disconnectType":"peer"},
                {"segmentType":"wrapup","segmentStart":"@380","segmentEnd":"@400","queueId":"q2"}]}]}]}
$$));

-- 2. Consult transfer.  Queue q1 0-15; agent u1 alerted 10-15, talks 15-75,
-- holds the customer 75-105 while consulting u2 and completes the transfer,
-- wrap-up 105-125.  As in the API, the session's last segment (the
-- wrap-up) carries disconnectType consultTransfer; the transfer was made
-- during the segment before it (the hold from 75).  Agent u2 is alerted
-- 80-85 (after 75: the transfer is followed), talks 85-245, wrap-up
-- 245-265.
--   queue = 15000; talk = 60000 + 160000 = 220000; customer_hold = 30000
--   acw = 20000 + 20000 = 40000; alert = 5000 + 5000 = 10000; transfers 1
--   handle = 220000 + 30000 + 40000 = 290000; first q1; last u2
INSERT INTO cases VALUES ('consult transfer', rec($$
{"conversationId":"c2","conversationStart":"@0","conversationEnd":"@265",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"sessionId":"s0","mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@75"},
                {"segmentType":"hold","segmentStart":"@75","segmentEnd":"@105"},
                {"segmentType":"interact","segmentStart":"@105","segmentEnd":"@245","disconnectType":"endpoint"}]}]},
  {"participantId":"p1","purpose":"acd","sessions":[{"sessionId":"s1","mediaType":"voice",
    "metrics":[{"name":"tAcd","value":15000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@15","queueId":"q1","disconnectType":"transfer"}]}]},
  {"participantId":"p2","purpose":"agent","userId":"u1","sessions":[{"sessionId":"s2","mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":60000},{"name":"tHeld","value":30000},
               {"name":"tAcw","value":20000},{"name":"nTransferred","value":1},{"name":"nConsultTransferred","value":1}],
    "segments":[{"segmentType":"alert","segmentStart":"@10","segmentEnd":"@15","queueId":"q1"},
                {"segmentType":"interact","segmentStart":"@15","segmentEnd":"@75","queueId":"q1"},
                {"segmentType":"hold","segmentStart":"@75","segmentEnd":"@105","queueId":"q1"},
                {"segmentType":"wrapup","segmentStart":"@105","segmentEnd":"@125","queueId":"q1","disconnectType":"consultTransfer"}]}]},
  {"participantId":"p3","purpose":"agent","userId":"u2","sessions":[{"sessionId":"s3","mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":160000},{"name":"tAcw","value":20000}],
    "segments":[{"segmentType":"alert","segmentStart":"@80","segmentEnd":"@85"},
                {"segmentType":"interact","segmentStart":"@85","segmentEnd":"@245","disconnectType":"peer"},
                {"segmentType":"wrapup","segmentStart":"@245","segmentEnd":"@265"}]}]}]}
$$));

-- 3. IVR-only call: the IVR serves the caller 0-40, holds them 40-50 (a
-- system hold, still IVR time as in tIvr), serves 50-90, and the caller
-- hangs up.
--   ivr = 40000 + 10000 + 40000 = 90000 (tIvr 90000); system_hold = 10000
--   everything else 0, no queue, no agent, valid
INSERT INTO cases VALUES ('ivr only', rec($$
{"conversationId":"c3","conversationStart":"@0","conversationEnd":"@90",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@90","disconnectType":"endpoint"}]}]},
  {"participantId":"p1","purpose":"ivr","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tIvr","value":90000}],
    "segments":[{"segmentType":"ivr","segmentStart":"@0","segmentEnd":"@40"},
                {"segmentType":"hold","segmentStart":"@40","segmentEnd":"@50"},
                {"segmentType":"ivr","segmentStart":"@50","segmentEnd":"@90","disconnectType":"peer"}]}]}]}
$$));

-- 4. Bot-only chat: a bot flow (purpose botflow) answers a chat 0-240 and
-- the customer leaves.  Bot time is not IVR time (Genesys emits tFlow, not
-- tIvr, for bots): events of kind "bot", counted in no column.
--   everything 0, no queue, no agent, valid
INSERT INTO cases VALUES ('bot only chat', rec($$
{"conversationId":"c4","conversationStart":"@0","conversationEnd":"@240",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"chat",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@240","disconnectType":"client"}]}]},
  {"participantId":"p1","purpose":"botflow","sessions":[{"mediaType":"chat",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@240","disconnectType":"peer"}]}]}]}
$$));

-- 5. Abandoned call: IVR 0-15, queue q1 15-75, agent u1 alerted 40-60 and
-- did not answer (noAnswerTransfer is not a transfer), caller hangs up at
-- 75; the queue session carries tAbandon (no tAcd).
--   ivr = 15000; queue = 60000 (checked against tAbandon 60000)
--   alert = 20000; talk 0; transfers 0; first q1; last agent NULL; valid
INSERT INTO cases VALUES ('abandoned', rec($$
{"conversationId":"c5","conversationStart":"@0","conversationEnd":"@75",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@75","disconnectType":"endpoint"}]}]},
  {"participantId":"p1","purpose":"ivr","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tIvr","value":15000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@15","disconnectType":"transfer"}]}]},
  {"participantId":"p2","purpose":"acd","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"nOffered","value":1},{"name":"tAbandon","value":60000}],
    "segments":[{"segmentType":"interact","segmentStart":"@15","segmentEnd":"@75","queueId":"q1","disconnectType":"peer"}]}]},
  {"participantId":"p3","purpose":"agent","userId":"u1","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tAlert","value":20000},{"name":"nError","value":1}],
    "segments":[{"segmentType":"alert","segmentStart":"@40","segmentEnd":"@60","queueId":"q1","disconnectType":"noAnswerTransfer"}]}]}]}
$$));

-- 6. Customer and system holds.  Queue q1: interact 0-30, hold 30-40 (a
-- hold on the acd participant: system; the caller is still queued, so it
-- also counts in queue wait, as in tAcd), interact 40-50.  Agent u1: alert
-- 45-50, interact 50-100, hold 100-160 (customer hold), interact 160-200,
-- parked 200-215 (system), interact 215-260, wrap-up 260-290.  The
-- customer's own hold segment 100-160 mirrors the agent's and is not
-- counted.
--   queue = 30000 + 10000 + 10000 = 50000 (tAcd 50000)
--   system_hold = 10000 (queue) + 15000 (parked) = 25000
--   talk = 50000 + 40000 + 45000 = 135000; customer_hold = 60000
--   acw = 30000; alert = 5000; handle = 135000 + 60000 + 30000 = 225000
INSERT INTO cases VALUES ('holds', rec($$
{"conversationId":"c6","conversationStart":"@0","conversationEnd":"@290",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@100"},
                {"segmentType":"hold","segmentStart":"@100","segmentEnd":"@160"},
                {"segmentType":"interact","segmentStart":"@160","segmentEnd":"@260","disconnectType":"endpoint"}]}]},
  {"participantId":"p1","purpose":"acd","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tAcd","value":50000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@30","queueId":"q1"},
                {"segmentType":"hold","segmentStart":"@30","segmentEnd":"@40","queueId":"q1"},
                {"segmentType":"interact","segmentStart":"@40","segmentEnd":"@50","queueId":"q1","disconnectType":"transfer"}]}]},
  {"participantId":"p2","purpose":"agent","userId":"u1","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":135000},{"name":"tHeld","value":60000},
               {"name":"tAcw","value":30000}],
    "segments":[{"segmentType":"alert","segmentStart":"@45","segmentEnd":"@50"},
                {"segmentType":"interact","segmentStart":"@50","segmentEnd":"@100"},
                {"segmentType":"hold","segmentStart":"@100","segmentEnd":"@160"},
                {"segmentType":"interact","segmentStart":"@160","segmentEnd":"@200"},
                {"segmentType":"parked","segmentStart":"@200","segmentEnd":"@215"},
                {"segmentType":"interact","segmentStart":"@215","segmentEnd":"@260","disconnectType":"peer"},
                {"segmentType":"wrapup","segmentStart":"@260","segmentEnd":"@290"}]}]}]}
$$));

-- 7. Callback.  The callback waits in queue qcb 0-600; agent u3 is alerted
-- 595-600 and previews it 600-620 (callback session), then dials 620-630
-- (dialing: "other", not counted), talks 630-750 and wraps up 750-780
-- (voice session).
--   queue = 600000; alert = 5000; talk = 20000 + 120000 = 140000
--   acw = 30000; handle = 140000 + 0 + 30000 = 170000; first qcb; last u3
INSERT INTO cases VALUES ('callback', rec($$
{"conversationId":"c7","conversationStart":"@0","conversationEnd":"@780",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"callback",
    "segments":[{"segmentType":"scheduled","segmentStart":"@0","segmentEnd":"@600"}]},
   {"mediaType":"voice","segments":[{"segmentType":"interact","segmentStart":"@630","segmentEnd":"@750"}]}]},
  {"participantId":"p1","purpose":"acd","sessions":[{"mediaType":"callback",
    "metrics":[{"name":"tAcd","value":600000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@600","queueId":"qcb"}]}]},
  {"participantId":"p2","purpose":"agent","userId":"u3","sessions":[
   {"mediaType":"callback","metrics":[{"name":"tAlert","value":5000},{"name":"tTalk","value":20000}],
    "segments":[{"segmentType":"alert","segmentStart":"@595","segmentEnd":"@600","queueId":"qcb"},
                {"segmentType":"interact","segmentStart":"@600","segmentEnd":"@620","queueId":"qcb"}]},
   {"mediaType":"voice","metrics":[{"name":"tTalk","value":120000},{"name":"tAcw","value":30000}],
    "segments":[{"segmentType":"dialing","segmentStart":"@620","segmentEnd":"@630","queueId":"qcb"},
                {"segmentType":"interact","segmentStart":"@630","segmentEnd":"@750","queueId":"qcb"},
                {"segmentType":"wrapup","segmentStart":"@750","segmentEnd":"@780","queueId":"qcb"}]}]}]}
$$));

-- 7b. Outbound call: no queue participant; agent u4 dials 0-10, talks
-- 10-70 and wraps up 70-80, every segment on queue qs.  With no acd
-- segment, first_queue_id is the first segment's queue.  Dialing counts in
-- no column.
--   talk 60000, acw 10000, handle 70000, first qs, last u4
INSERT INTO cases VALUES ('outbound', rec($$
{"conversationId":"c7b","conversationStart":"@0","conversationEnd":"@80","originatingDirection":"outbound",
 "participants":[
  {"participantId":"p0","purpose":"agent","userId":"u4","sessions":[{"mediaType":"voice","direction":"outbound",
    "metrics":[{"name":"tTalk","value":60000},{"name":"tAcw","value":10000}],
    "segments":[{"segmentType":"dialing","segmentStart":"@0","segmentEnd":"@10","queueId":"qs"},
                {"segmentType":"interact","segmentStart":"@10","segmentEnd":"@70","queueId":"qs"},
                {"segmentType":"wrapup","segmentStart":"@70","segmentEnd":"@80","queueId":"qs"}]}]},
  {"participantId":"p1","purpose":"customer","sessions":[{"mediaType":"voice","direction":"outbound",
    "segments":[{"segmentType":"interact","segmentStart":"@10","segmentEnd":"@70"}]}]}]}
$$));

-- 8. In progress: no conversationEnd.  Queue q1 0-20, agent u1 alerted
-- 15-20, talked 20-50, held the customer 50-60 and has been talking again
-- since 60 (no segmentEnd yet).  Open segments count nothing yet and are
-- not an anomaly; u1's finished talk and hold wait for the session to end
-- (as tTalk and tHeld do); the finished alert counts.
--   queue = 20000; alert = 5000; talk 0; hold 0; handle 0; last agent u1
INSERT INTO cases VALUES ('in progress', rec($$
{"conversationId":"c8","conversationStart":"@0",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"mediaType":"voice",
    "segments":[{"segmentType":"interact","segmentStart":"@0"}]}]},
  {"participantId":"p1","purpose":"acd","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tAcd","value":20000}],
    "segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@20","queueId":"q1"}]}]},
  {"participantId":"p2","purpose":"agent","userId":"u1","sessions":[{"mediaType":"voice",
    "metrics":[{"name":"tAlert","value":5000}],
    "segments":[{"segmentType":"alert","segmentStart":"@15","segmentEnd":"@20"},
                {"segmentType":"interact","segmentStart":"@20","segmentEnd":"@50"},
                {"segmentType":"hold","segmentStart":"@50","segmentEnd":"@60"},
                {"segmentType":"interact","segmentStart":"@60"}]}]}]}
$$));

-- Malformed records.  The figures are still computed from the usable
-- segments, but valid is false and anomaly names the problem, with the
-- JSON path of its first occurrence.

-- 9. Wrap-up before talk: u1's wrap-up 10-20 comes before its talk 20-60.
--   alert 5000, acw 10000, talk 40000, handle 50000
INSERT INTO cases VALUES ('wrap-up before talk', rec($$
{"conversationId":"c9","conversationStart":"@0","conversationEnd":"@60",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@60"}]}]},
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"alert","segmentStart":"@5","segmentEnd":"@10"},
    {"segmentType":"wrapup","segmentStart":"@10","segmentEnd":"@20"},
    {"segmentType":"interact","segmentStart":"@20","segmentEnd":"@60"}]}]}]}
$$));

-- 10. Transfer with nothing after it: u1 talks 10-60 and transfers, but no
-- queue or agent follows (the customer and u1's own wrap-up do not count).
--   queue 10000, talk 50000, acw 10000, transfers 1, handle 60000
INSERT INTO cases VALUES ('dangling transfer', rec($$
{"conversationId":"c10","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p0","purpose":"customer","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@60"}]}]},
  {"participantId":"p1","purpose":"acd","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@10","queueId":"q1"}]}]},
  {"participantId":"p2","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"interact","segmentStart":"@10","segmentEnd":"@60","disconnectType":"transfer"},
    {"segmentType":"wrapup","segmentStart":"@60","segmentEnd":"@70"}]}]}]}
$$));

-- 11. Overlapping agent segments: hold 50-70 starts inside talk 10-60.
--   talk 50000, customer_hold 20000, handle 70000
INSERT INTO cases VALUES ('overlap', rec($$
{"conversationId":"c11","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"interact","segmentStart":"@10","segmentEnd":"@60"},
    {"segmentType":"hold","segmentStart":"@50","segmentEnd":"@70"}]}]}]}
$$));

-- 12. A segment without end in a finished conversation: the talk from 10
-- has no segmentEnd although conversationEnd is set.  Counts nothing.
INSERT INTO cases VALUES ('missing end', rec($$
{"conversationId":"c12","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"interact","segmentStart":"@10"}]}]}]}
$$));

-- 13. Durations that disagree with the session metrics: tTalk says 90000,
-- the segments 10-70 give 60000 (more than the 1000 ms tolerance).
INSERT INTO cases VALUES ('metric disagreement', rec($$
{"conversationId":"c13","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{
    "metrics":[{"name":"tTalk","value":90000}],
    "segments":[{"segmentType":"interact","segmentStart":"@10","segmentEnd":"@70"}]}]}]}
$$));

-- 14. Within tolerance: tTalk 60800 against 60000 from the segments (800 ms
-- apart) is accepted.
INSERT INTO cases VALUES ('within tolerance', rec($$
{"conversationId":"c14","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{
    "metrics":[{"name":"tTalk","value":60800}],
    "segments":[{"segmentType":"interact","segmentStart":"@10","segmentEnd":"@70"}]}]}]}
$$));

-- 15. nTransferred 2 but only one segment ends in a transfer.  Queue q2
-- follows, so the transfer itself is fine.  transfers = 1 (from segments)
INSERT INTO cases VALUES ('transfer count disagreement', rec($$
{"conversationId":"c15","conversationStart":"@0","conversationEnd":"@90",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{
    "metrics":[{"name":"nTransferred","value":2}],
    "segments":[{"segmentType":"interact","segmentStart":"@10","segmentEnd":"@70","disconnectType":"transfer"}]}]},
  {"participantId":"p2","purpose":"acd","sessions":[{
    "segments":[{"segmentType":"interact","segmentStart":"@70","segmentEnd":"@90","queueId":"q2"}]}]}]}
$$));

-- 16. A segment that ends before it starts (70 to 10): not counted.
INSERT INTO cases VALUES ('end before start', rec($$
{"conversationId":"c16","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"interact","segmentStart":"@70","segmentEnd":"@10"}]}]}]}
$$));

-- 17. Unreadable timestamps: a segmentStart that is not a date, and one
-- segmentEnd with 31 February.  Only the third segment (talk 0-30) counts.
INSERT INTO cases VALUES ('invalid timestamp', rec($$
{"conversationId":"c17","conversationStart":"@0","conversationEnd":"@70",
 "participants":[
  {"participantId":"p1","purpose":"agent","userId":"u1","sessions":[{"segments":[
    {"segmentType":"interact","segmentStart":"yesterday","segmentEnd":"@10"},
    {"segmentType":"interact","segmentStart":"@40","segmentEnd":"2026-02-31T10:00:00Z"},
    {"segmentType":"interact","segmentStart":"@0","segmentEnd":"@30"}]}]}]}
$$));

CREATE TABLE expect (name text PRIMARY KEY, queue_wait_ms bigint, talk_ms bigint,
    customer_hold_ms bigint, system_hold_ms bigint, acw_ms bigint, ivr_ms bigint,
    alert_ms bigint, transfers int, handle_ms bigint, first_queue_id text,
    last_agent_id text, valid boolean, anomaly text);
--                                    queue   talk  cust  sys    acw    ivr  alert tr  handle  firstq last  valid
INSERT INTO expect VALUES
 ('blind transfer',               50000, 300000,     0,    0, 50000,  30000, 10000, 1, 350000, 'q1',  'u2', true, NULL),
 ('consult transfer',             15000, 220000, 30000,    0, 40000,      0, 10000, 1, 290000, 'q1',  'u2', true, NULL),
 ('ivr only',                         0,      0,     0, 10000,     0,  90000,     0, 0,      0, NULL,  NULL, true, NULL),
 ('bot only chat',                    0,      0,     0,    0,     0,      0,     0, 0,      0, NULL,  NULL, true, NULL),
 ('abandoned',                    60000,      0,     0,    0,     0,  15000, 20000, 0,      0, 'q1',  NULL, true, NULL),
 ('holds',                        50000, 135000, 60000, 25000, 30000,      0,  5000, 0, 225000, 'q1',  'u1', true, NULL),
 ('callback',                    600000, 140000,     0,    0, 30000,      0,  5000, 0, 170000, 'qcb', 'u3', true, NULL),
 ('outbound',                         0,  60000,     0,    0, 10000,      0,     0, 0,  70000, 'qs',  'u4', true, NULL),
 ('in progress',                  20000,      0,     0,    0,     0,      0,  5000, 0,      0, 'q1',  'u1', true, NULL),
 ('wrap-up before talk',              0,  40000,     0,    0, 10000,      0,  5000, 0,  50000, NULL,  'u1', false,
  'wrap-up before talk (participants[1].sessions[0].segments[1])'),
 ('dangling transfer',            10000,  50000,     0,    0, 10000,      0,     0, 1,  60000, 'q1',  'u1', false,
  'transfer without following queue or agent (participants[2].sessions[0].segments[0], disconnectType transfer)'),
 ('overlap',                          0,  50000, 20000,    0,     0,      0,     0, 0,  70000, NULL,  'u1', false,
  'overlapping agent segments (participants[0].sessions[0].segments[1])'),
 ('missing end',                      0,      0,     0,    0,     0,      0,     0, 0,      0, NULL,  'u1', false,
  'segment without end (participants[0].sessions[0].segments[0])'),
 ('metric disagreement',              0,  60000,     0,    0,     0,      0,     0, 0,  60000, NULL,  'u1', false,
  'metric disagreement (participants[0].sessions[0] tTalk 90000 but segments give 60000)'),
 ('within tolerance',                 0,  60000,     0,    0,     0,      0,     0, 0,  60000, NULL,  'u1', true, NULL),
 ('transfer count disagreement',  20000,  60000,     0,    0,     0,      0,     0, 1,  60000, 'q2',  'u1', false,
  'metric disagreement (participants[0].sessions[0] nTransferred 2 but segments give 1)'),
 ('end before start',                 0,      0,     0,    0,     0,      0,     0, 0,      0, NULL,  'u1', false,
  'segment ends before it starts (participants[0].sessions[0].segments[0])'),
 ('invalid timestamp',                0,  30000,     0,    0,     0,      0,     0, 0,  30000, NULL,  'u1', false,
  'invalid timestamp (participants[0].sessions[0].segments[0].segmentStart is invalid)');

-- one line per case: ok, or the expected and the actual row
SELECT c.name,
       CASE WHEN row(t.*) IS NOT DISTINCT FROM row(e.queue_wait_ms, e.talk_ms, e.customer_hold_ms,
                e.system_hold_ms, e.acw_ms, e.ivr_ms, e.alert_ms, e.transfers, e.handle_ms,
                e.first_queue_id, e.last_agent_id, e.valid, e.anomaly)
            THEN 'ok'
            ELSE format(E'\nexpected %s\nactual   %s', row(e.queue_wait_ms, e.talk_ms, e.customer_hold_ms,
                e.system_hold_ms, e.acw_ms, e.ivr_ms, e.alert_ms, e.transfers, e.handle_ms,
                e.first_queue_id, e.last_agent_id, e.valid, e.anomaly), row(t.*)) END AS result
  FROM cases c JOIN expect e USING (name), gcanalytics.timeline(c.r) t
 ORDER BY c.name;
SELECT count(*) AS cases_without_expectation FROM cases WHERE name NOT IN (SELECT name FROM expect);

-- The consult transfer's events in timeline order (start, then end, then
-- purpose priority customer < external < ivr < botflow < acd < agent, then
-- segment type).  By hand:
--   1 acd @0-@15, 2 customer @0-@75 (same start, earlier end first),
--   3 u1 alert @10-@15, 4 u1 talk @15-@75,
--   5 customer hold @75-@105 and 6 u1 hold @75-@105 (same times: customer
--     has priority),
--   7 u2 alert @80-@85, 8 u2 talk @85-@245,
--   9 u1 wrap-up @105-@125 (with the consultTransfer) and 10 customer
--     @105-@245 (earlier end first),
--   11 u2 wrap-up @245-@265.
-- Durations are the differences; customer segments are kind "party".
SELECT seq, purpose, user_id, segment_type, to_char(segment_start, 'MI:SS') AS s,
       to_char(segment_end, 'MI:SS') AS e, duration_ms, kind, flag, disconnect_type
  FROM gcanalytics.timeline_events((SELECT r FROM cases WHERE name = 'consult transfer'));

-- flags: open and pending segments of a conversation in progress; by hand:
--   1 acd interact 20000 queue, 2 customer interact (open) party open,
--   3 agent alert 5000 alert, 4 agent interact 30000 talk pending,
--   5 agent hold 10000 customer_hold pending, 6 agent interact (open) talk open
SELECT seq, purpose, segment_type, duration_ms, kind, flag
  FROM gcanalytics.timeline_events((SELECT r FROM cases WHERE name = 'in progress'));
SELECT seq, segment_type, duration_ms, flag
  FROM gcanalytics.timeline_events((SELECT r FROM cases WHERE name = 'wrap-up before talk'));

-- unusable times: segments whose times cannot be read come first, in input
-- order, with no times and no duration; by hand: 1 interact (start
-- "yesterday") and 2 interact (end 31 February) flagged "invalid
-- timestamp", 3 interact 00:00-00:30 30000 ms unflagged
SELECT seq, segment_type, to_char(segment_start, 'MI:SS') AS s, to_char(segment_end, 'MI:SS') AS e,
       duration_ms, flag
  FROM gcanalytics.timeline_events((SELECT r FROM cases WHERE name = 'invalid timestamp'));
-- a segment ending before it starts keeps its times, has no duration: 01:10-00:10, NULL, flagged
SELECT seq, segment_type, to_char(segment_start, 'MI:SS') AS s, to_char(segment_end, 'MI:SS') AS e,
       duration_ms, flag
  FROM gcanalytics.timeline_events((SELECT r FROM cases WHERE name = 'end before start'));

-- several anomalies at once are all named, in a fixed order
SELECT valid, anomaly FROM gcanalytics.timeline(rec($$
{"conversationEnd":"@100","participants":[{"purpose":"agent","sessions":[{"segments":[
  {"segmentType":"wrapup","segmentStart":"@0","segmentEnd":"@10"},
  {"segmentType":"interact","segmentStart":"@5"}]}]}]}
$$));

-- the order does not depend on the order of the input: by hand both give
-- acd:interact@00:00, agent:interact@00:00, agent:wrapup@00:20
SELECT (SELECT array_agg(purpose || ':' || segment_type || '@' || to_char(segment_start, 'MI:SS') ORDER BY seq)
          FROM gcanalytics.timeline_events(r)) AS events
  FROM (VALUES (rec($$ {"participants":[{"purpose":"agent","sessions":[{"segments":[
          {"segmentType":"wrapup","segmentStart":"@20","segmentEnd":"@30"},
          {"segmentType":"interact","segmentStart":"@0","segmentEnd":"@20"}]}]},
          {"purpose":"acd","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@20"}]}]}]} $$)),
        (rec($$ {"participants":[{"purpose":"acd","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"@0","segmentEnd":"@20"}]}]},
          {"purpose":"agent","sessions":[{"segments":[
          {"segmentType":"interact","segmentStart":"@0","segmentEnd":"@20"},
          {"segmentType":"wrapup","segmentStart":"@20","segmentEnd":"@30"}]}]}]} $$))) v(r);

-- NULL in, NULL out
SELECT gcanalytics.timeline(NULL) IS NULL AS null_in_null_out;

RESET search_path;
DROP SCHEMA kpi_timeline CASCADE;
