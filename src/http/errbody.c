/*-------------------------------------------------------------------------
 *
 * errbody.c
 *		The JSON error bodies of the APIs and their token endpoints: the
 *		text an error message shows, and the error code a response
 *		carries (an expired session, a code with a hint).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/errbody.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "http_internal.h"
#include "json.h"

/* The members that carry a message in the error bodies of both APIs. */
static void
error_fields(GcaJson *obj, const char **code, const char **message)
{
	if (gca_json_array_length(obj) > 0)
		obj = gca_json_array_item(obj, 0);	/* Salesforce */
	*code = gca_json_get_string(obj, "code");	/* Genesys */
	if (*code == NULL)
		*code = gca_json_get_string(obj, "errorCode");	/* Salesforce REST */
	if (*code == NULL)
		*code = gca_json_get_string(obj, "error");	/* OAuth endpoints */
	*message = gca_json_get_string(obj, "message");
	if (*message == NULL)
		*message = gca_json_get_string(obj, "error_description");
}

/*
 * Turns an API error body into "code: message", palloc'd in the current
 * context; NULL when the body is not such JSON.  Knows Genesys's
 * {message, code, status}, Salesforce's [{message, errorCode}] and
 * OAuth's {error, error_description}.  Never throws except on OOM.
 */
char *
gca_error_body_text(const char *body, size_t len)
{
	GcaJson    *doc = gca_json_parse(body, len);
	int			n = gca_json_is_array(doc) ? gca_json_array_length(doc) : 1;
	StringInfoData buf;

	if (doc == NULL)
		return NULL;
	initStringInfo(&buf);
	/* Salesforce sends an array: every error of it, "; "-separated */
	for (int i = 0; i < n; i++)
	{
		GcaJson    *obj = gca_json_is_array(doc) ? gca_json_array_item(doc, i) : doc;
		const char *code;
		const char *message;

		error_fields(obj, &code, &message);
		if (!code && !message)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, "; ");
		if (code && message)
			appendStringInfo(&buf, "%s: %s", code, message);
		else
			appendStringInfoString(&buf, message ? message : code);
	}
	gca_json_free(doc);
	if (buf.len == 0)
	{
		pfree(buf.data);
		return NULL;
	}
	return buf.data;
}

/* Does the error body carry this error code (e.g. INVALID_SESSION_ID)? */
bool
gca_error_body_has_code(const char *body, size_t len, const char *code)
{
	GcaJson    *obj = gca_json_parse(body, len);
	const char *c;
	const char *message;
	bool		result;

	if (obj == NULL)
		return false;
	error_fields(obj, &c, &message);
	result = c != NULL && strcmp(c, code) == 0;
	gca_json_free(obj);
	return result;
}
