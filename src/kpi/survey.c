/*-------------------------------------------------------------------------
 *
 * survey.c
 *		gcanalytics._survey_pending_last(): when the last survey of a
 *		conversation that may still be answered was sent.
 *
 * The rollups of cx_overview and cx_insights call it once per conversation
 * with surveys: as a SQL function (a query over the array's elements) it
 * cost about 4 us a call, 5 s of a full rebuild at 10,000,000 interactions
 * for each of the two.  The definition, exactly as the SQL stated it:
 *	SELECT max((s->>'eventTime')::timestamptz)
 *	  FROM jsonb_array_elements(surveys) s	-- none unless an array
 *	 WHERE coalesce(s->>'surveyStatus', '') NOT IN
 *		   ('Finished', 'Expired', 'OptOut', 'Error')
 * so an element that is no object counts nothing, a status that is no
 * string never closes a survey, and eventTime is read as ->> gives it
 * (a string unescaped, another value as its JSON text) by timestamptz's
 * input function, under the session's DateStyle and TimeZone.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/survey.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gca_survey_pending_last);

/* whether a survey status closes it: answered, expired or refused */
static bool
survey_closed(GcaStr status)
{
	return gca_str_eq(status, "Finished") || gca_str_eq(status, "Expired") ||
		gca_str_eq(status, "OptOut") || gca_str_eq(status, "Error");
}

/* a JSON value as ->> gives it, as a palloc'd C string */
static char *
jsonb_value_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* not reached */
}

/*
 * _survey_pending_last(surveys jsonb) RETURNS timestamptz, STRICT: the
 * latest eventTime of the surveys neither finished nor closed otherwise,
 * NULL without one.
 */
Datum
gca_survey_pending_last(PG_FUNCTION_ARGS)
{
	Jsonb	   *surveys = PG_GETARG_JSONB_P(0);
	JsonbContainer *array = &surveys->root;
	uint32		n;
	bool		found = false;
	TimestampTz last = 0;

	if (!JB_ROOT_IS_ARRAY(surveys) || JB_ROOT_IS_SCALAR(surveys))
		PG_RETURN_NULL();
	n = JsonContainerSize(array);
	for (uint32 i = 0; i < n; i++)
	{
		JsonbContainer *survey;
		GcaStr		status;
		JsonbValue	sent;
		TimestampTz at;

		if (gca_jb_array_element(array, i, &survey) != GCA_JB_OK)
			continue;
		if (gca_jb_string(survey, "surveyStatus", &status) == GCA_JB_OK && survey_closed(status))
			continue;
		if (getKeyJsonValueFromContainer(survey, "eventTime", strlen("eventTime"), &sent) == NULL ||
			sent.type == jbvNull)
			continue;
		at = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(jsonb_value_text(&sent)),
													 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		if (!found || at > last)
			last = at;
		found = true;
	}
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(last);
}
