/*-------------------------------------------------------------------------
 *
 * secrets.c
 *		A client's secrets: scrubbed from remote text, and its access
 *		token forgotten.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/secrets.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "http_internal.h"

/* Overwrites every occurrence of secret (4 bytes or more) in text. */
static void
scrub_one(char *text, const char *secret)
{
	size_t		slen;
	char	   *p;

	if (secret == NULL || (slen = strlen(secret)) < 4)
		return;
	while ((p = strstr(text, secret)) != NULL)
		memset(p, '*', slen);
}

/*
 * Overwrites, in place, every occurrence of the client's secret, refresh
 * token or access token in text.  Used on every string that may carry
 * remote text into an error or a log line.  Never throws.
 */
void
gca_scrub_secrets(GcaClient *client, char *text)
{
	if (text == NULL)
		return;
	scrub_one(text, client->client_secret);
	scrub_one(text, client->refresh_token);
	scrub_one(text, client->access_token);
}

/*
 * Forgets the client's access token (zeroed first), so the next request
 * fetches a new one.  Never throws.
 */
void
gca_forget_token(GcaClient *client)
{
	if (client->access_token)
	{
		explicit_bzero(client->access_token, strlen(client->access_token));
		pfree(client->access_token);
		client->access_token = NULL;
	}
	client->token_refresh_at = 0;
}
