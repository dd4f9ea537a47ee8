/*
 * token_response: the reading of OAuth token responses (store_token in
 * src/http/oauth.c, static, so that file is compiled into this target),
 * for both services.
 *
 * Input: one byte choosing Genesys or Salesforce, then the body.  An
 * ERROR (no access token, refused instance_url) is an answer; when the
 * body is accepted the client must hold a non-empty token and, for
 * Salesforce, a base URL the URL policy allows.
 */
#include "../../../src/http/oauth.c"

#include "pg_shim.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GcaClient	client;
	bool		ok;
	const char *why;

	memset(&client, 0, sizeof(client));
	client.cxt = CurrentMemoryContext;
	client.svc = gca_service_def((fuzz_take_byte(&data, &size) & 1)
								 ? GCA_SERVICE_SALESFORCE : GCA_SERVICE_GENESYS);
	client.servername = "fuzz";
	ok = FUZZ_GUARDED(store_token(&client, (const char *) data, size));
	if (ok)
	{
		if (client.access_token == NULL || client.access_token[0] == '\0')
			fuzz_finding("token accepted without an access token");
		if (client.base_url && !gca_url_is_allowed(client.base_url, &why))
			fuzz_finding("base URL \"%s\" accepted against the policy", client.base_url);
		if (client.token_refresh_at < 0)
			fuzz_finding("token refresh time before 2000");
		gca_forget_token(&client);
	}
	fuzz_arena_reset();
	return 0;
}
