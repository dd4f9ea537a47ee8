/*-------------------------------------------------------------------------
 *
 * oauth.c
 *		OAuth tokens for Genesys Cloud and Salesforce: fetching one, and
 *		reading the token response.
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
 * What differs between the two is in the service table (service.c); JSON
 * goes through json.h.  Token requests go through the client's own token
 * engine; the API engine asks for a token through the hook the client
 * gives it (gca_oauth_ensure_token), never calling this file itself.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/oauth.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/timestamp.h"

#include "http_internal.h"
#include "json.h"
#include "url.h"

/* largest token response accepted */
#define TOKEN_BODY_MAX	(64 * 1024)

/*
 * Reads a token response into the client.  Throws, naming the service,
 * when it has no access token.  Frees the JSON before throwing.
 */
static void
store_token(GcaClient *client, const char *body, size_t len)
{
	GcaJson    *obj = gca_json_parse(body, len);
	const char *token = gca_json_get_string(obj, "access_token");
	const char *instance_url = gca_json_get_string(obj, "instance_url");
	int64		expires_in = 0;
	const char *why = NULL;
	char	   *bad_url = NULL;

	if (token == NULL || token[0] == '\0')
	{
		gca_json_free(obj);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("%s token response of server \"%s\" has no access token",
						client->svc->name, client->servername)));
	}

	gca_forget_token(client);
	client->access_token = MemoryContextStrdup(client->cxt, token);
	client->token_gen++;

	/* a year at most: a longer lifetime only overflows the arithmetic */
	expires_in = Min(gca_json_get_int64(obj, "expires_in", 0), 366 * SECS_PER_DAY);
	if (client->svc->token_expires && expires_in > 0)
		client->token_refresh_at =
			TimestampTzPlusMilliseconds(GetCurrentTimestamp(), expires_in * 900);
	else
		client->token_refresh_at = 0;

	if (client->svc->base_url_from_token && instance_url)
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
	gca_json_free(obj);

	if (bad_url)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("%s token response of server \"%s\" has an unacceptable instance_url \"%s\"",
						client->svc->name, client->servername, bad_url),
				 errdetail("%s", why)));

	elog(DEBUG1, "gcanalytics: new %s access token for server \"%s\"%s",
		 client->svc->name, client->servername,
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
	call.path = client->svc->token_path;
	if (client->svc->token_basic_auth)
		gca_append_form_field(&form, "grant_type", "client_credentials");
	else
	{
		/* the client's id and secret go in the form */
		if (client->refresh_token)
		{
			gca_append_form_field(&form, "grant_type", "refresh_token");
			gca_append_form_field(&form, "refresh_token", client->refresh_token);
			gca_append_form_field(&form, "client_id", client->client_id);
			if (client->client_secret)
				gca_append_form_field(&form, "client_secret", client->client_secret);
		}
		else
		{
			gca_append_form_field(&form, "grant_type", "client_credentials");
			gca_append_form_field(&form, "client_id", client->client_id);
			gca_append_form_field(&form, "client_secret", client->client_secret);
		}
	}
	call.body = form.data;
	gca_buffer_sink_init(&call.sink, &buf, TOKEN_BODY_MAX);

	PG_TRY();
	{
		gca_engine_start(&client->auth, &call, GCA_REQ_TOKEN);
		gca_engine_wait(&client->auth, &call, false);
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
