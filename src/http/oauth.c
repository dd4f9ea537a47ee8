/*-------------------------------------------------------------------------
 *
 * oauth.c
 *		OAuth tokens for Genesys Cloud and Salesforce, and the JSON bodies
 *		of token responses and API errors.
 *
 * Genesys: client credentials, POST <login_url>/oauth/token with Basic
 * base64(client_id:client_secret) and grant_type=client_credentials; the
 * response has access_token and expires_in, and the token is refreshed
 * when 90 % of expires_in has passed.
 *
 * Salesforce: POST <login_url>/services/oauth2/token, grant_type
 * refresh_token (refresh_token, client_id and client_secret if given) when
 * the user mapping has a refresh token, else client_credentials
 * (client_id, client_secret).  The response has access_token and
 * instance_url, the base of every REST call, and no expires_in: the token
 * is refreshed only when a request gets 401 INVALID_SESSION_ID.
 *
 * This is the json-c file of the HTTP core: it must not include
 * utils/builtins.h (both define json_object).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/oauth.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <json-c/json.h>

#include "fdw.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

#include "http_internal.h"

/* largest token response accepted */
#define TOKEN_BODY_MAX	(64 * 1024)

/* Appends name=value, value percent-encoded (RFC 3986 unreserved kept). */
static void
append_form(StringInfo buf, const char *name, const char *value)
{
	const char *p;

	if (buf->len > 0)
		appendStringInfoChar(buf, '&');
	appendStringInfo(buf, "%s=", name);
	for (p = value; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			appendStringInfoChar(buf, (char) c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}

/* A string member of obj, or NULL. */
static const char *
get_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, key, &v) ||
		!json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *
parse_json(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;

	if (body == NULL || len == 0)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	obj = json_tokener_parse_ex(tok, body, (int) len);
	if (json_tokener_get_error(tok) != json_tokener_success)
	{
		if (obj)
			json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/*
 * Forgets the client's access token (zeroed first), so the next request
 * fetches a new one.  Never throws.
 */
void
gca_oauth_forget_token(GcaClient *client)
{
	if (client->access_token)
	{
		explicit_bzero(client->access_token, strlen(client->access_token));
		pfree(client->access_token);
		client->access_token = NULL;
	}
	client->token_refresh_at = 0;
}

/*
 * Reads a token response into the client.  Throws, naming the service,
 * when it has no access token.  Frees the JSON before throwing.
 */
static void
store_token(GcaClient *client, const char *body, size_t len)
{
	struct json_object *obj = parse_json(body, len);
	const char *token = get_string(obj, "access_token");
	const char *instance_url = get_string(obj, "instance_url");
	struct json_object *v;
	int64		expires_in = 0;
	const char *why = NULL;
	char	   *bad_url = NULL;

	if (token == NULL || token[0] == '\0')
	{
		if (obj)
			json_object_put(obj);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("%s token response of server \"%s\" has no access token",
						gca_service_name(client->service), client->servername)));
	}

	gca_oauth_forget_token(client);
	client->access_token = MemoryContextStrdup(client->cxt, token);
	client->token_gen++;

	if (json_object_object_get_ex(obj, "expires_in", &v) &&
		(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_string)))
		expires_in = json_object_get_int64(v);
	if (client->service == GCA_SERVICE_GENESYS && expires_in > 0)
		client->token_refresh_at =
			TimestampTzPlusMilliseconds(GetCurrentTimestamp(), expires_in * 900);
	else
		client->token_refresh_at = 0;

	if (client->service == GCA_SERVICE_SALESFORCE && instance_url)
	{
		char	   *url = pstrdup(instance_url);
		size_t		ulen = strlen(url);

		if (ulen > 0 && url[ulen - 1] == '/')
			url[ulen - 1] = '\0';
		if (gca_url_is_allowed(url, &why))
		{
			if (client->base_url == NULL || strcmp(client->base_url, url) != 0)
				client->base_url = MemoryContextStrdup(client->cxt, url);
		}
		else
			bad_url = url;
	}
	json_object_put(obj);

	if (bad_url)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("salesforce token response of server \"%s\" has an unacceptable instance_url \"%s\"",
						client->servername, bad_url),
				 errdetail("%s", why)));

	elog(DEBUG1, "gcanalytics: new %s access token for server \"%s\"%s",
		 gca_service_name(client->service), client->servername,
		 expires_in > 0 ? psprintf(", expires in %lld s", (long long) expires_in) : "");
}

/*
 * Makes sure the client has a token that is not about to expire,
 * fetching one through the token endpoint (retried like any request).
 * Throws when the token cannot be obtained; the message names the
 * endpoint and never contains a secret.
 */
void
gca_oauth_ensure_token(GcaClient *client)
{
	GcaCall		call;
	GcaBufferSink buf;
	StringInfoData form;

	if (client->access_token &&
		(client->token_refresh_at == 0 ||
		 GetCurrentTimestamp() < client->token_refresh_at))
		return;

	memset(&call, 0, sizeof(call));
	initStringInfo(&form);
	call.method = "POST";
	if (client->service == GCA_SERVICE_GENESYS)
	{
		call.path = "/oauth/token";
		append_form(&form, "grant_type", "client_credentials");
	}
	else
	{
		call.path = "/services/oauth2/token";
		if (client->refresh_token)
		{
			append_form(&form, "grant_type", "refresh_token");
			append_form(&form, "refresh_token", client->refresh_token);
			append_form(&form, "client_id", client->client_id);
			if (client->client_secret)
				append_form(&form, "client_secret", client->client_secret);
		}
		else
		{
			append_form(&form, "grant_type", "client_credentials");
			append_form(&form, "client_id", client->client_id);
			append_form(&form, "client_secret", client->client_secret);
		}
	}
	call.body = form.data;
	gca_buffer_sink_init(&call.sink, &buf, TOKEN_BODY_MAX);

	PG_TRY();
	{
		gca_engine_start(&client->auth, &call, GCA_REQ_TOKEN);
		gca_engine_wait(&client->auth, &call);
		store_token(client, buf.data, buf.len);
	}
	PG_CATCH();
	{
		/* the call lives on this stack frame: never leave it started */
		gca_engine_cancel(&client->auth, &call);
		explicit_bzero(form.data, form.len);
		if (buf.data)
			explicit_bzero(buf.data, buf.len);
		PG_RE_THROW();
	}
	PG_END_TRY();
	explicit_bzero(form.data, form.len);
	if (buf.data)
		explicit_bzero(buf.data, buf.len);
	pfree(form.data);
	if (buf.data)
		pfree(buf.data);
}

/* The members that carry a message in the error bodies of both APIs. */
static void
error_fields(struct json_object *obj, const char **code, const char **message)
{
	if (obj && json_object_is_type(obj, json_type_array) &&
		json_object_array_length(obj) > 0)
		obj = json_object_array_get_idx(obj, 0);	/* Salesforce */
	*code = get_string(obj, "code");	/* Genesys */
	if (*code == NULL)
		*code = get_string(obj, "errorCode");	/* Salesforce REST */
	if (*code == NULL)
		*code = get_string(obj, "error");	/* OAuth endpoints */
	*message = get_string(obj, "message");
	if (*message == NULL)
		*message = get_string(obj, "error_description");
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
	struct json_object *obj = parse_json(body, len);
	const char *code;
	const char *message;
	char	   *result = NULL;

	if (obj == NULL)
		return NULL;
	error_fields(obj, &code, &message);
	if (code && message)
		result = psprintf("%s: %s", code, message);
	else if (message || code)
		result = pstrdup(message ? message : code);
	json_object_put(obj);
	return result;
}

/* Does the error body carry this error code (e.g. INVALID_SESSION_ID)? */
bool
gca_error_body_has_code(const char *body, size_t len, const char *code)
{
	struct json_object *obj = parse_json(body, len);
	const char *c;
	const char *message;
	bool		result;

	if (obj == NULL)
		return false;
	error_fields(obj, &c, &message);
	result = c != NULL && strcmp(c, code) == 0;
	json_object_put(obj);
	return result;
}
