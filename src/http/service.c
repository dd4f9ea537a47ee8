/*-------------------------------------------------------------------------
 *
 * service.c
 *		What differs between the APIs the HTTP core speaks.
 *
 * The client and OAuth code read this table instead of branching on the
 * service: how a token is asked for and where, whether it expires,
 * whether the token response names the API host, and what a 401 means.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/service.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "http_internal.h"

static const GcaErrorHint salesforce_hints[] = {
	{"REQUEST_LIMIT_EXCEEDED",
	 "The org's API request allocation (or its limit on concurrent long requests) is used up; Salesforce refuses further requests until its rolling 24-hour usage drops.  gcanalytics.http_stats() shows the last Sforce-Limit-Info; wait, or ask the Salesforce administrator for a higher limit."},
	{"INVALID_FIELD",
	 "A field of the foreign table does not exist or the integration user cannot see it; compare the table with describe (IMPORT FOREIGN SCHEMA sobjects) and the user's field-level security."},
	{"INVALID_TYPE",
	 "Check the table option sobject: the object does not exist or the integration user cannot see it."},
	{"NOT_FOUND",
	 "The resource does not exist on this org: check the table option sobject (or the LIMIT TO names) and the server option api_version."},
	{"INVALID_QUERY_LOCATOR",
	 "The query's cursor expired or was released; run the query again."},
	{NULL, NULL}
};

static const GcaServiceDef services[] = {
	{
		.service = GCA_SERVICE_GENESYS,
		.name = "genesys",
		.token_path = "/oauth/token",
		.token_basic_auth = true,
		.token_expires = true,
		.base_url_from_token = false,
		.expired_session_code = NULL,	/* every 401: the token expired */
		.credential_options = "client_id, client_secret",
		.host_hint = "Check the server option region (or api_url and login_url). "
		"Genesys Cloud regions are mypurecloud.com, mypurecloud.ie, mypurecloud.de, "
		"mypurecloud.jp, mypurecloud.com.au, usw2.pure.cloud, cac1.pure.cloud, "
		"euw2.pure.cloud, euc2.pure.cloud, aps1.pure.cloud, apne2.pure.cloud, "
		"apne3.pure.cloud, apse1.pure.cloud, sae1.pure.cloud, mec1.pure.cloud, "
		"mxc1.pure.cloud and use2.us-gov-pure.cloud.",
	},
	{
		.service = GCA_SERVICE_SALESFORCE,
		.name = "salesforce",
		.token_path = "/services/oauth2/token",
		.token_basic_auth = false,
		.token_expires = false,	/* no expires_in: a 401 tells */
		.base_url_from_token = true,	/* instance_url */
		.expired_session_code = "INVALID_SESSION_ID",
		.credential_options = "client_id, client_secret, refresh_token",
		.host_hint = "Check the server options instance_url (your My Domain URL, such as "
		"https://acme.my.salesforce.com) and login_url.",
		.error_hints = salesforce_hints,
	},
};

/* The description of service; never NULL. */
const GcaServiceDef *
gca_service_def(GcaService service)
{
	return service == GCA_SERVICE_SALESFORCE ? &services[1] : &services[0];
}

/* The hint for the error code in an error body, or NULL. */
const char *
gca_service_error_hint(const GcaServiceDef *svc, const char *body, size_t len)
{
	if (svc->error_hints == NULL || body == NULL || len == 0)
		return NULL;
	for (const GcaErrorHint *h = svc->error_hints; h->code; h++)
		if (gca_error_body_has_code(body, len, h->code))
			return h->hint;
	return NULL;
}

const char *
gca_service_name(GcaService service)
{
	return gca_service_def(service)->name;
}
