/*-------------------------------------------------------------------------
 *
 * option.c
 *		The options of gcanalytics_fdw: the validator and their lookup.
 *
 * One table says which catalog each option belongs to, which services it
 * applies to and what values it takes (design.md section 2.1).  The
 * validator checks names and values; gca_get_options() merges server,
 * user mapping and foreign table into a GcaOptions with defaults filled.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/option.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "fdw.h"
#include "gcanalytics.h"
#include "url.h"

PG_FUNCTION_INFO_V1(gcanalytics_fdw_validator);

typedef enum GcaOptionKind
{
	OPT_CHOICE,					/* one of choices[] */
	OPT_URL,					/* https://, or http:// on loopback */
	OPT_DOMAIN,					/* a host name such as mypurecloud.com */
	OPT_VERSION,				/* digits.digits */
	OPT_INT,					/* integer in [min, max] */
	OPT_BOOL,
	OPT_IDENT,					/* letters, digits, underscores */
	OPT_PATH,					/* dotted identifiers (Owner.Name) */
	OPT_RESOURCE,				/* a resource of the registry */
	OPT_TEXT,					/* any non-empty text */
	OPT_SECRET					/* non-empty text that is never echoed */
} GcaOptionKind;

#define SVC_ANY (GCA_SERVICE_GENESYS | GCA_SERVICE_SALESFORCE)

typedef struct GcaOptionDef
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
	int			services;		/* servers it applies to (server options) */
	GcaOptionKind kind;
	int			min;
	int			max;
	const char *const *choices;
} GcaOptionDef;

static const char *const service_choices[] = {"genesys", "salesforce", NULL};
static const char *const extraction_choices[] = {"query", "job", "auto", NULL};

static const GcaOptionDef option_defs[] = {
	{"service", ForeignServerRelationId, SVC_ANY, OPT_CHOICE, 0, 0, service_choices},
	{"region", ForeignServerRelationId, GCA_SERVICE_GENESYS, OPT_DOMAIN},
	{"api_url", ForeignServerRelationId, GCA_SERVICE_GENESYS, OPT_URL},
	{"login_url", ForeignServerRelationId, SVC_ANY, OPT_URL},
	{"instance_url", ForeignServerRelationId, GCA_SERVICE_SALESFORCE, OPT_URL},
	{"api_version", ForeignServerRelationId, GCA_SERVICE_SALESFORCE, OPT_VERSION},
	{"requests_per_minute", ForeignServerRelationId, SVC_ANY, OPT_INT, 1, 1000000},
	{"max_concurrency", ForeignServerRelationId, SVC_ANY, OPT_INT, 1, 16},
	{"page_size", ForeignServerRelationId, SVC_ANY, OPT_INT, 1, 10000},
	{"timeout_ms", ForeignServerRelationId, SVC_ANY, OPT_INT, 100, 3600000},
	{"connect_timeout_ms", ForeignServerRelationId, SVC_ANY, OPT_INT, 100, 600000},
	{"max_retries", ForeignServerRelationId, SVC_ANY, OPT_INT, 0, 100},
	{"extraction", ForeignServerRelationId, GCA_SERVICE_GENESYS, OPT_CHOICE, 0, 0, extraction_choices},
	{"use_remote_estimate", ForeignServerRelationId, SVC_ANY, OPT_BOOL},
	{"client_id", UserMappingRelationId, SVC_ANY, OPT_TEXT},
	{"client_secret", UserMappingRelationId, SVC_ANY, OPT_SECRET},
	{"refresh_token", UserMappingRelationId, SVC_ANY, OPT_SECRET},
	{"resource", ForeignTableRelationId, SVC_ANY, OPT_RESOURCE},
	{"sobject", ForeignTableRelationId, SVC_ANY, OPT_IDENT},
	{"extraction", ForeignTableRelationId, SVC_ANY, OPT_CHOICE, 0, 0, extraction_choices},
	{"use_remote_estimate", ForeignTableRelationId, SVC_ANY, OPT_BOOL},
	{"attribute", AttributeRelationId, SVC_ANY, OPT_TEXT},
	{"field", AttributeRelationId, SVC_ANY, OPT_PATH},
	{NULL}
};

/* Names a catalog the way a user writes it. */
static const char *
context_name(Oid context)
{
	switch (context)
	{
		case ForeignServerRelationId:
			return "a server";
		case UserMappingRelationId:
			return "a user mapping";
		case ForeignTableRelationId:
			return "a foreign table";
		case AttributeRelationId:
			return "a foreign table column";
		default:
			return "the foreign-data wrapper";
	}
}

static const char *
service_name(int services)
{
	return services == GCA_SERVICE_GENESYS ? "genesys" : "salesforce";
}

static const GcaOptionDef *
find_option(const char *name, Oid context)
{
	const GcaOptionDef *def;

	for (def = option_defs; def->name; def++)
		if (def->context == context && strcmp(def->name, name) == 0)
			return def;
	return NULL;
}

/*
 * Reports an unknown option name with the most useful hint: where the
 * option belongs if it is valid elsewhere, else the closest valid name,
 * else the list of valid names.  Never returns.
 */
static void
report_invalid_option(const char *name, Oid context)
{
	const GcaOptionDef *def;
	const char *closest = NULL;
	int			best = INT_MAX;
	StringInfoData valid;

	initStringInfo(&valid);
	for (def = option_defs; def->name; def++)
	{
		if (def->context != context)
			continue;
		appendStringInfo(&valid, "%s%s", valid.len ? ", " : "", def->name);
	}

	for (def = option_defs; def->name; def++)
	{
		if (def->context != context && strcmp(def->name, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", name),
					 errdetail("Option \"%s\" belongs on %s, not on %s.",
							   name, context_name(def->context),
							   context_name(context))));
	}

	for (def = option_defs; def->name; def++)
	{
		int			dist;

		if (def->context != context)
			continue;
		dist = varstr_levenshtein_less_equal(name, strlen(name),
											 def->name, strlen(def->name),
											 1, 1, 1, 3, true);
		if (dist < best)
		{
			best = dist;
			closest = def->name;
		}
	}

	if (closest && best <= 3 && best < (int) strlen(name))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", name),
				 errhint("Perhaps you meant the option \"%s\".", closest)));

	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\"", name),
			 valid.len > 0
			 ? errhint("Valid options on %s are: %s.", context_name(context), valid.data)
			 : errhint("The foreign-data wrapper itself takes no options.")));
}

/* Raises an error listing the choices when value is none of them. */
static void
check_choice(const GcaOptionDef *def, const char *value,
			 const char *const *choices)
{
	StringInfoData list;

	initStringInfo(&list);
	for (const char *const *c = choices; *c; c++)
	{
		if (strcmp(*c, value) == 0)
			return;
		appendStringInfo(&list, "%s\"%s\"", list.len ? ", " : "", *c);
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid value for option \"%s\": \"%s\"", def->name, value),
			 errhint("Valid values are %s.", list.data)));
}

/*
 * Checks one option value against its definition; raises an error that
 * never echoes a secret.
 */
static void
check_option_value(const GcaOptionDef *def, const char *value)
{
	const char *why = NULL;
	bool		ok = true;

	if (def->kind == OPT_SECRET || def->kind == OPT_TEXT)
	{
		if (value[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"%s\" must not be empty", def->name)));
		return;
	}

	switch (def->kind)
	{
		case OPT_CHOICE:
			check_choice(def, value, def->choices);
			break;
		case OPT_URL:
			ok = gca_url_is_allowed(value, &why);
			break;
		case OPT_RESOURCE:
			{
				const GcaResource *const *r = gca_resources();
				const char **names = palloc0(sizeof(char *) * 64);
				int			n = 0;

				/* resources named by another option (sobject) are not listed */
				for (; *r && n < 63; r++)
					if ((*r)->object_option == NULL)
						names[n++] = (*r)->name;
				check_choice(def, value, names);
				break;
			}
		case OPT_DOMAIN:
			{
				const char *p;

				ok = value[0] != '\0' && value[0] != '.' && strchr(value, '.') != NULL;
				for (p = value; *p && ok; p++)
					ok = isalnum((unsigned char) *p) || *p == '.' || *p == '-';
				why = "A region is a Genesys Cloud domain such as \"mypurecloud.com\" or \"usw2.pure.cloud\".";
				break;
			}
		case OPT_VERSION:
			{
				const char *p = value;

				while (isdigit((unsigned char) *p))
					p++;
				ok = p > value && *p == '.';
				if (ok)
				{
					const char *q = ++p;

					while (isdigit((unsigned char) *p))
						p++;
					ok = p > q && *p == '\0';
				}
				why = "An API version looks like \"62.0\".";
				break;
			}
		case OPT_INT:
			{
				int			n;

				ok = parse_int(value, &n, 0, NULL) && n >= def->min && n <= def->max;
				if (!ok)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									def->name, value),
							 errhint("Use an integer between %d and %d.",
									 def->min, def->max)));
				break;
			}
		case OPT_BOOL:
			{
				bool		b;

				ok = parse_bool(value, &b);
				why = "Use a Boolean value such as \"true\" or \"false\".";
				break;
			}
		case OPT_IDENT:
		case OPT_PATH:
			{
				const char *p;
				bool		start = true;

				ok = value[0] != '\0';
				for (p = value; *p && ok; p++)
				{
					if (*p == '.' && def->kind == OPT_PATH && !start)
						start = true;
					else if (isalpha((unsigned char) *p) ||
							 (!start && (isdigit((unsigned char) *p) || *p == '_')))
						start = false;
					else
						ok = false;
				}
				ok = ok && !start;
				why = def->kind == OPT_PATH
					? "Use a Salesforce field API name, dotted for parent fields (\"Owner.Name\")."
					: "Use a Salesforce object API name such as \"Account\" or \"Custom__c\".";
				break;
			}
		default:
			break;
	}

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->name, value),
				 why ? errdetail("%s", why) : 0));
}

static const char *
find_value(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, name) == 0)
			return defGetString(d);
	}
	return NULL;
}

/*
 * Checks the rules that span several options of one object.
 */
static void
check_object(List *options, Oid context)
{
	if (context == ForeignServerRelationId)
	{
		const char *service = find_value(options, "service");
		ListCell   *lc;
		int			svc;

		if (service == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("server option \"service\" is required"),
					 errhint("Add OPTIONS (service 'genesys') or OPTIONS (service 'salesforce').")));
		svc = strcmp(service, "genesys") == 0 ? GCA_SERVICE_GENESYS : GCA_SERVICE_SALESFORCE;
		foreach(lc, options)
		{
			DefElem    *d = lfirst_node(DefElem, lc);
			const GcaOptionDef *def = find_option(d->defname, context);

			if (def && (def->services & svc) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
						 errmsg("invalid option \"%s\" for a %s server",
								d->defname, service),
						 errdetail("Option \"%s\" applies only to %s servers.",
								   d->defname, service_name(def->services))));
		}
		if (svc == GCA_SERVICE_SALESFORCE && !find_value(options, "instance_url"))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("salesforce server option \"instance_url\" is required"),
					 errhint("Set it to the My Domain URL, such as 'https://acme.my.salesforce.com'.")));
	}
	else if (context == UserMappingRelationId)
	{
		if (!find_value(options, "client_id"))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("user mapping option \"client_id\" is required"),
					 errhint("Give the OAuth client's id and secret: OPTIONS (client_id '...', client_secret '...').")));
		if (!find_value(options, "client_secret") && !find_value(options, "refresh_token"))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("user mapping needs option \"client_secret\" or \"refresh_token\""),
					 errhint("Genesys Cloud uses client credentials; Salesforce also accepts a refresh token.")));
	}
	else if (context == ForeignTableRelationId)
	{
		bool		has_resource = find_value(options, "resource") != NULL;
		bool		has_sobject = find_value(options, "sobject") != NULL;

		if (has_resource == has_sobject)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("foreign table needs exactly one of the options \"resource\" and \"sobject\""),
					 errhint("Genesys tables name a resource ('conversations', ...); Salesforce tables an sobject ('Account', ...).")));
	}
}

/*
 * gcanalytics_fdw_validator(options text[], catalog oid)
 *
 * Validates the options given to CREATE/ALTER of a wrapper, server, user
 * mapping, foreign table or column.  Raises an error on the first problem.
 */
Datum
gcanalytics_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);
		const GcaOptionDef *def = find_option(d->defname, catalog);

		if (def == NULL)
			report_invalid_option(d->defname, catalog);
		check_option_value(def, defGetString(d));
	}
	check_object(options, catalog);

	PG_RETURN_VOID();
}

/*
 * Returns the value of a column's FDW option, or NULL.  palloc'd in the
 * current memory context.
 */
char *
gca_column_option(Oid relid, int attnum, const char *name)
{
	List	   *options = GetForeignColumnOptions(relid, attnum);
	const char *v = find_value(options, name);

	return v ? pstrdup(v) : NULL;
}

static int
int_option(List *options, const char *name, int dflt)
{
	const char *v = find_value(options, name);
	int			n;

	if (v && parse_int(v, &n, 0, NULL))
		return n;
	return dflt;
}

/*
 * The user mapping of userid (or PUBLIC) on server; an error naming the
 * server, with the command that creates one, when there is none.
 */
static UserMapping *
user_mapping(Oid userid, ForeignServer *server)
{
	if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
							   ObjectIdGetDatum(server->serverid)) &&
		!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							   ObjectIdGetDatum(server->serverid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user \"%s\" has no user mapping for server \"%s\"",
						GetUserNameFromId(userid, false), server->servername),
				 errdetail("gcanalytics calls the API with the OAuth client of the user mapping of the user who runs the query."),
				 errhint("Create one: CREATE USER MAPPING FOR %s SERVER %s OPTIONS (client_id '...', client_secret '...');",
						 quote_identifier(GetUserNameFromId(userid, false)),
						 quote_identifier(server->servername))));
	return GetUserMapping(userid, server->serverid);
}

/*
 * The server of that name, which must use gcanalytics_fdw (the SQL
 * functions that take a server name).
 */
ForeignServer *
gca_server_by_name(const char *servername)
{
	ForeignServer *server = GetForeignServerByName(servername, false);

	if (strcmp(GetForeignDataWrapper(server->fdwid)->fdwname, "gcanalytics_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("server \"%s\" does not use the foreign-data wrapper gcanalytics_fdw",
						servername)));
	return server;
}

/*
 * Merges the options of a server, the user's mapping (when userid is
 * valid; errors when the user has none, or has no USAGE on the server) and
 * (when relid is valid) a foreign table, with defaults filled.  Result
 * palloc'd in the current context.
 *
 * Every path that sends requests with a user's credentials comes here
 * (scans as the checking user, http_request(), data_availability()), so
 * USAGE on the server is checked here once: a role that may not use a
 * server cannot send requests through it, even with a PUBLIC mapping.
 */
GcaOptions *
gca_get_options(Oid serverid, Oid userid, Oid relid)
{
	ForeignServer *server = GetForeignServer(serverid);
	UserMapping *um = NULL;
	GcaOptions *o = palloc0(sizeof(GcaOptions));
	GcaClientConfig *h = &o->http;
	List	   *sopts = server->options;
	const char *service = find_value(sopts, "service");
	char	   *api_url;
	char	   *login_url;
	const char *v;

	if (OidIsValid(userid))
	{
		AclResult	aclresult = pg_foreign_server_aclcheck(serverid, userid, ACL_USAGE);

		if (aclresult != ACLCHECK_OK)
			aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
		um = user_mapping(userid, server);
	}

	h->serverid = serverid;
	h->umid = um ? um->umid : InvalidOid;
	h->servername = pstrdup(server->servername);
	h->service = (service && strcmp(service, "salesforce") == 0)
		? GCA_SERVICE_SALESFORCE : GCA_SERVICE_GENESYS;

	if (h->service == GCA_SERVICE_GENESYS)
	{
		const char *region = find_value(sopts, "region");

		if (region == NULL)
			region = "mypurecloud.com";
		v = find_value(sopts, "api_url");
		api_url = v ? pstrdup(v) : psprintf("https://api.%s", region);
		v = find_value(sopts, "login_url");
		login_url = v ? pstrdup(v) : psprintf("https://login.%s", region);
		h->requests_per_minute = int_option(sopts, "requests_per_minute", 300);
	}
	else
	{
		v = find_value(sopts, "instance_url");
		api_url = pstrdup(v ? v : "");
		v = find_value(sopts, "login_url");
		login_url = pstrdup(v ? v : api_url);
		v = find_value(sopts, "api_version");
		o->api_version = pstrdup(v ? v : "62.0");
		h->requests_per_minute = int_option(sopts, "requests_per_minute", 1000);
	}
	/* strip one trailing slash so paths can be appended */
	if (api_url[0] && api_url[strlen(api_url) - 1] == '/')
		api_url[strlen(api_url) - 1] = '\0';
	if (login_url[0] && login_url[strlen(login_url) - 1] == '/')
		login_url[strlen(login_url) - 1] = '\0';
	h->api_url = api_url;
	h->login_url = login_url;

	h->max_concurrency = int_option(sopts, "max_concurrency", 4);
	h->timeout_ms = int_option(sopts, "timeout_ms", gca_http_timeout_ms);
	h->connect_timeout_ms = int_option(sopts, "connect_timeout_ms",
									   gca_http_connect_timeout_ms);
	h->max_retries = int_option(sopts, "max_retries", gca_max_retries);
	o->page_size = int_option(sopts, "page_size", 0);
	v = find_value(sopts, "extraction");
	o->extraction = pstrdup(v ? v : "auto");
	v = find_value(sopts, "use_remote_estimate");
	if (v)
		(void) parse_bool(v, &o->use_remote_estimate);

	if (um)
	{
		v = find_value(um->options, "client_id");
		h->client_id = v ? pstrdup(v) : NULL;
		v = find_value(um->options, "client_secret");
		h->client_secret = v ? pstrdup(v) : NULL;
		v = find_value(um->options, "refresh_token");
		h->refresh_token = v ? pstrdup(v) : NULL;
	}

	if (OidIsValid(relid))
	{
		List	   *topts = GetForeignTable(relid)->options;

		v = find_value(topts, "resource");
		o->resource = v ? pstrdup(v) : NULL;
		v = find_value(topts, "sobject");
		o->sobject = v ? pstrdup(v) : NULL;
		v = find_value(topts, "extraction");
		if (v)
			o->extraction = pstrdup(v);
		v = find_value(topts, "use_remote_estimate");
		if (v)
			(void) parse_bool(v, &o->use_remote_estimate);
	}
	return o;
}
