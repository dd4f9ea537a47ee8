/*-------------------------------------------------------------------------
 *
 * evaluation.c
 *		gcanalytics.evaluation_scores(): one row per question score of a
 *		Quality API evaluation's "answers" (EvaluationScoringSet).
 *
 * Input: {"questionGroupScores": [{"questionGroupId", "markedNA",
 * "questionScores": [{"questionId", "answerId", "score", "markedNA",
 * "failedKillQuestion", ...}]}]}.
 *
 *	max_score			the question's "maxScore" when the input carries one;
 *						the scoring set itself has no per-question maximum
 *						(it lives in the evaluation form), so usually NULL
 *	marked_na			the question's markedNA, else its group's, else false
 *	failed_kill_question	the question's failedKillQuestion, else false
 *
 * Absent keys give NULL (or the defaults above); anything present with the
 * wrong shape is an error (22023) naming its JSON path.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/evaluation.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gcanalytics_evaluation_scores);

#define EVAL_NCOLS 7

/* raises the error (22023) for a value at path that is not what it should be */
static void
answers_error(const char *path, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid evaluation answers"),
			 errdetail("The value at \"%s\" %s.", path, what),
			 errhint("Pass the \"answers\" object of a Quality API evaluation (an EvaluationScoringSet).")));
}

/* text column from an optional string field */
static void
put_str(JsonbContainer *obj, const char *key, const char *path,
		Datum *value, bool *isnull)
{
	GcaStr		s;
	GcaJbResult r = gca_jb_string(obj, key, &s);

	if (r == GCA_JB_WRONG_TYPE)
		answers_error(psprintf("%s.%s", path, key), "is not a string");
	*isnull = (r != GCA_JB_OK);
	*value = *isnull ? (Datum) 0 : gca_str_datum(s);
}

/* int4 column from an optional number field (fractions rounded) */
static void
put_int(JsonbContainer *obj, const char *key, const char *path,
		Datum *value, bool *isnull)
{
	int64		v;
	GcaJbResult r = gca_jb_int64(obj, key, &v);

	if (r == GCA_JB_WRONG_TYPE || (r == GCA_JB_OK && (v < PG_INT32_MIN || v > PG_INT32_MAX)))
		answers_error(psprintf("%s.%s", path, key), "is not an integer");
	*isnull = (r != GCA_JB_OK);
	*value = *isnull ? (Datum) 0 : Int32GetDatum((int32) v);
}

/* an optional boolean field, dflt when absent */
static bool
get_bool(JsonbContainer *obj, const char *key, const char *path, bool dflt)
{
	bool		b = dflt;

	if (gca_jb_bool(obj, key, &b) == GCA_JB_WRONG_TYPE)
		answers_error(psprintf("%s.%s", path, key), "is not a boolean");
	return b;
}

/* an optional array field, NULL when absent */
static JsonbContainer *
get_array(JsonbContainer *obj, const char *key, const char *path)
{
	JsonbContainer *arr;

	if (gca_jb_container(obj, key, true, &arr) == GCA_JB_WRONG_TYPE)
		answers_error(psprintf("%s%s%s", path, *path ? "." : "", key),
					  "is not an array");
	return arr;
}

/*
 * evaluation_scores(answers jsonb) returns table (question_group_id,
 * question_id, answer_id, score, max_score, marked_na,
 * failed_kill_question), in input order.  Materialized SRF; STRICT,
 * IMMUTABLE.
 */
Datum
gcanalytics_evaluation_scores(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	JsonbContainer *groups;
	int			ng;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		answers_error("answers", "is not a JSON object");
	InitMaterializedSRF(fcinfo, 0);

	groups = get_array(&jb->root, "questionGroupScores", "");
	ng = groups ? JsonContainerSize(groups) : 0;
	for (int i = 0; i < ng; i++)
	{
		JsonbContainer *g;
		JsonbContainer *questions;
		char	   *gpath = psprintf("questionGroupScores[%d]", i);
		Datum		group_id;
		bool		group_id_null;
		bool		group_na;
		int			nq;

		if (gca_jb_array_element(groups, i, &g) != GCA_JB_OK)
			answers_error(gpath, "is not an object");
		put_str(g, "questionGroupId", gpath, &group_id, &group_id_null);
		group_na = get_bool(g, "markedNA", gpath, false);
		questions = get_array(g, "questionScores", gpath);
		nq = questions ? JsonContainerSize(questions) : 0;
		for (int k = 0; k < nq; k++)
		{
			JsonbContainer *q;
			char	   *qpath = psprintf("%s.questionScores[%d]", gpath, k);
			Datum		values[EVAL_NCOLS];
			bool		nulls[EVAL_NCOLS];

			if (gca_jb_array_element(questions, k, &q) != GCA_JB_OK)
				answers_error(qpath, "is not an object");
			values[0] = group_id;
			nulls[0] = group_id_null;
			put_str(q, "questionId", qpath, &values[1], &nulls[1]);
			put_str(q, "answerId", qpath, &values[2], &nulls[2]);
			put_int(q, "score", qpath, &values[3], &nulls[3]);
			put_int(q, "maxScore", qpath, &values[4], &nulls[4]);
			values[5] = BoolGetDatum(get_bool(q, "markedNA", qpath, group_na));
			nulls[5] = false;
			values[6] = BoolGetDatum(get_bool(q, "failedKillQuestion", qpath, false));
			nulls[6] = false;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			pfree(qpath);
		}
		pfree(gpath);
	}
	return (Datum) 0;
}
