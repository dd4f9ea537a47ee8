/*-------------------------------------------------------------------------
 *
 * genesys.c
 *		The Genesys Cloud service: what its servers, tables and columns
 *		take beside the generic options, and what its servers' options
 *		mean.
 *
 * A Genesys Cloud organisation lives in a region: its API is
 * https://api.<region> and its token endpoint https://login.<region>
 * (tokens are asked of the login host, never of the API host), unless
 * api_url and login_url say otherwise (a simulator).  Its tables name a
 * resource (IMPORT FOREIGN SCHEMA analytics creates one per resource).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/genesys.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_attribute.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"

#include "resource.h"

#define DEFAULT_REGION "mypurecloud.com"

static const char *const extraction_choices[] = {"query", "job", "auto", NULL};

/*
 * extraction: how conversations and segments are read (the details query,
 * details jobs, or whichever the estimate says is sooner).
 */
static const GcaOptionDef genesys_options[] = {
	{"region", ForeignServerRelationId, GCA_OPT_DOMAIN,
		.why = "A region is a Genesys Cloud domain such as \"mypurecloud.com\" or \"usw2.pure.cloud\".",
	.rank = 2},
	{"api_url", ForeignServerRelationId, GCA_OPT_URL, .rank = 3},
	{"extraction", ForeignServerRelationId, GCA_OPT_CHOICE, .choices = extraction_choices, .rank = 13},
	{"extraction", ForeignTableRelationId, GCA_OPT_CHOICE, .choices = extraction_choices, .rank = 20},
	/* a participant attribute (details jobs) read into the column */
	{"attribute", AttributeRelationId, GCA_OPT_TEXT, .rank = 22},
	{NULL}
};

/* https://api.<region> and https://login.<region>, unless given. */
static void
genesys_base_urls(List *options, char **api_url, char **login_url)
{
	const char *region = gca_option_value(options, "region", DEFAULT_REGION);
	const char *v;

	v = gca_option_value(options, "api_url", NULL);
	*api_url = v ? pstrdup(v) : psprintf("https://api.%s", region);
	v = gca_option_value(options, "login_url", NULL);
	*login_url = v ? pstrdup(v) : psprintf("https://login.%s", region);
}

const GcaServiceDesc gca_genesys_service = {
	.service = GCA_SERVICE_GENESYS,
	.name = "genesys",
	.options = genesys_options,
	.requests_per_minute = 300,
	.remote_schema = "analytics",
	.credentials_hint = "Genesys Cloud uses client credentials",
	.table_hint = "Genesys tables name a resource ('conversations', ...)",
	.base_urls = genesys_base_urls,
};
