-- gcanalytics.evaluation_scores(): one row per question score of a
-- Quality API EvaluationScoringSet.  Expected rows are read off the input
-- by hand: max_score is NULL unless the question carries "maxScore";
-- marked_na is the question's markedNA, else its group's, else false;
-- failed_kill_question defaults to false.
CREATE SCHEMA kpi_evaluation;
SET search_path = kpi_evaluation, public;
\set VERBOSITY terse

-- the reference's example answers: one group, one question
--   g1 | q1 | a1 | 5 | NULL | f | f
SELECT * FROM gcanalytics.evaluation_scores(
  '{"totalScore":87.5,"totalCriticalScore":100.0,"questionGroupScores":[{"questionGroupId":"g1","totalScore":87.5,
    "maxTotalScore":100.0,"markedNA":false,"questionScores":[{"questionId":"q1","answerId":"a1","score":5,"markedNA":false}]}]}');

-- two groups: the second marked NA as a whole (its question inherits it),
-- a failed kill question, a question carrying maxScore, a score written
-- 3.0 (integral), and extra keys that are ignored
--   g1 | q1 | a1  | 10 | NULL | f | f
--   g1 | q2 | a4  |  0 | NULL | f | t
--   g1 | q3 | a7  |  3 |    5 | f | f
--   g2 | q4 | NULL| NULL | NULL | t | f
--   g2 | q5 | a9  |  2 | NULL | f | f   (the question says markedNA false)
SELECT * FROM gcanalytics.evaluation_scores($$
{"anyFailedKillQuestions":true,"comments":"ok","questionGroupScores":[
  {"questionGroupId":"g1","totalScore":13,"maxTotalScore":20,"questionScores":[
    {"questionId":"q1","answerId":"a1","score":10,"comments":"good","multipleSelectQuestionOptionScores":[]},
    {"questionId":"q2","answerId":"a4","score":0,"failedKillQuestion":true},
    {"questionId":"q3","answerId":"a7","score":3.0,"maxScore":5}]},
  {"questionGroupId":"g2","markedNA":true,"questionScores":[
    {"questionId":"q4"},
    {"questionId":"q5","answerId":"a9","score":2,"markedNA":false}]}]}
$$);

-- no groups, or groups without questions: no rows
SELECT count(*) FROM gcanalytics.evaluation_scores('{}');
SELECT count(*) FROM gcanalytics.evaluation_scores('{"questionGroupScores":[]}');
SELECT count(*) FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionGroupId":"g1","markedNA":true}]}');
-- NULL in, nothing out
SELECT count(*) FROM gcanalytics.evaluation_scores(NULL);

-- per-agent question averages straight from stored answers
SELECT question_id, avg(score) AS avg_score, count(*) FILTER (WHERE failed_kill_question) AS kills
  FROM (VALUES ('{"questionGroupScores":[{"questionGroupId":"g","questionScores":[{"questionId":"q1","score":4},{"questionId":"q2","score":0,"failedKillQuestion":true}]}]}'::jsonb),
               ('{"questionGroupScores":[{"questionGroupId":"g","questionScores":[{"questionId":"q1","score":2},{"questionId":"q2","score":5}]}]}'::jsonb)) a(answers),
       gcanalytics.evaluation_scores(answers)
 GROUP BY 1 ORDER BY 1;   -- q1: (4+2)/2 = 3, 0 kills; q2: (0+5)/2 = 2.5, 1 kill

-- bad input: clear errors with the JSON path
\set VERBOSITY default
SELECT * FROM gcanalytics.evaluation_scores('[]');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":{}}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[7]}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionScores":"none"}]}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionScores":[{"questionId":"q1","score":"five"}]}]}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionScores":[{"questionId":"q1","score":1e12}]}]}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionScores":[{"questionId":7}]}]}');
SELECT * FROM gcanalytics.evaluation_scores('{"questionGroupScores":[{"questionScores":[{"questionId":"q","markedNA":"no"}]}]}');
\set VERBOSITY terse

RESET search_path;
DROP SCHEMA kpi_evaluation CASCADE;
