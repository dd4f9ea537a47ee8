/*-------------------------------------------------------------------------
 *
 * salesforce.c
 *		The Salesforce service: what its servers, tables and columns take
 *		beside the generic options, and what its servers' options mean.
 *
 * A Salesforce org is reached at its My Domain URL (instance_url, which
 * the token response may replace); tokens come from login_url, by
 * default the instance itself.  REST paths carry the API version
 * (api_version, default SF_API_VERSION_DEFAULT).  Its tables name an
 * sobject (IMPORT FOREIGN SCHEMA sobjects creates them from describe),
 * their columns a field path.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/salesforce/salesforce.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_attribute.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"

#include "salesforce.h"

static const GcaOptionDef salesforce_options[] = {
	{"instance_url", ForeignServerRelationId, GCA_OPT_URL, .rank = 5},
	{"api_version", ForeignServerRelationId, GCA_OPT_VERSION,
	.why = "An API version looks like \"62.0\".", .rank = 6},
	{"sobject", ForeignTableRelationId, GCA_OPT_IDENT,
		.why = "Use a Salesforce object API name such as \"Account\" or \"Custom__c\".",
	.rank = 19},
	/* true: read through queryAll, soft-deleted rows (IsDeleted) included */
	{"include_deleted", ForeignTableRelationId, GCA_OPT_BOOL, .rank = 20},
	{"field", AttributeRelationId, GCA_OPT_PATH,
		.why = "Use a Salesforce field API name, dotted for parent fields (\"Owner.Name\").",
	.rank = 23},
	/* the field's describe type: a table whose columns all say it is bound without describe */
	{"field_type", AttributeRelationId, GCA_OPT_IDENT,
		.why = "Use a Salesforce field type as describe reports it, such as \"datetime\", \"reference\" or \"anyType\".",
	.rank = 24},
	{NULL}
};

/* instance_url, and login_url (default: the instance). */
static void
salesforce_base_urls(List *options, char **api_url, char **login_url)
{
	*api_url = pstrdup(gca_option_value(options, "instance_url", ""));
	*login_url = pstrdup(gca_option_value(options, "login_url", *api_url));
}

/* A server names its instance: there is no default My Domain. */
static void
salesforce_check_server(List *options)
{
	if (gca_option_value(options, "instance_url", NULL) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("salesforce server option \"instance_url\" is required"),
				 errhint("Set it to the My Domain URL, such as 'https://acme.my.salesforce.com'.")));
}

/* The REST API version of a table's or server's options (DefElem). */
const char *
gca_sf_api_version(List *options)
{
	return gca_option_value(options, "api_version", SF_API_VERSION_DEFAULT);
}

const GcaServiceDesc gca_salesforce_service = {
	.service = GCA_SERVICE_SALESFORCE,
	.name = "salesforce",
	.options = salesforce_options,
	.requests_per_minute = 1000,
	.remote_schema = "sobjects",
	.credentials_hint = "Salesforce also accepts a refresh token",
	.table_hint = "Salesforce tables an sobject ('Account', ...)",
	.base_urls = salesforce_base_urls,
	.check_server = salesforce_check_server,
};
