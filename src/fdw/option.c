/*-------------------------------------------------------------------------
 *
 * option.c
 *		The options of gcanalytics_fdw: the validator and their lookup.
 *
 * One table says which catalog each generic option belongs to and what
 * values it takes; each service adds the options of its own servers,
 * tables and columns (GcaServiceDesc.options), and says what its
 * servers' options mean (base URLs, rate budget, its own rules).  The
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
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "fdw.h"
#include "gcanalytics.h"
#include "url.h"

PG_FUNCTION_INFO_V1(gcanalytics_fdw_validator);

/*
 * The generic options; each service adds its own (GcaServiceDesc.options).
 * rank orders them all in messages.
 */
static const GcaOptionDef generic_options[] = {
	{"service", ForeignServerRelationId, GCA_OPT_SERVICE, .rank = 1},
	{"login_url", ForeignServerRelationId, GCA_OPT_URL, .rank = 4},
	{"requests_per_minute", ForeignServerRelationId, GCA_OPT_INT, 1, 1000000, .rank = 7},
	{"max_concurrency", ForeignServerRelationId, GCA_OPT_INT, 1, 16, .rank = 8},
	{"page_size", ForeignServerRelationId, GCA_OPT_INT, 1, 10000, .rank = 9},
	{"timeout_ms", ForeignServerRelationId, GCA_OPT_INT, 100, 3600000, .rank = 10},
	{"connect_timeout_ms", ForeignServerRelationId, GCA_OPT_INT, 100, 600000, .rank = 11},
	{"max_retries", ForeignServerRelationId, GCA_OPT_INT, 0, 100, .rank = 12},
	{"use_remote_estimate", ForeignServerRelationId, GCA_OPT_BOOL, .rank = 14},
	{"client_id", UserMappingRelationId, GCA_OPT_TEXT, .rank = 15},
	{"client_secret", UserMappingRelationId, GCA_OPT_SECRET, .rank = 16},
	{"refresh_token", UserMappingRelationId, GCA_OPT_SECRET, .rank = 17},
	{"resource", ForeignTableRelationId, GCA_OPT_RESOURCE, .rank = 18},
	{"use_remote_estimate", ForeignTableRelationId, GCA_OPT_BOOL, .rank = 21},
	{NULL}
};

/* An option of the merged table: generic, or of one service. */
typedef struct OptionEntry
{
	const GcaOptionDef *def;	/* NULL ends the table */
	const GcaServiceDesc *owner;	/* the service whose option it is (its
									 * servers only), or NULL */
} OptionEntry;

static int
entry_rank_cmp(const void *a, const void *b)
{
	return ((const OptionEntry *) a)->def->rank - ((const OptionEntry *) b)->def->rank;
}

/*
 * Every option, generic and of the services, by rank; built once in
 * TopMemoryContext.
 */
static const OptionEntry *
option_table(void)
{
	static OptionEntry *table = NULL;
	int			n = 0;

	if (table)
		return table;
	table = MemoryContextAllocZero(TopMemoryContext, sizeof(OptionEntry) * 256);
	for (const GcaOptionDef *d = generic_options; d->name && n < 255; d++)
		table[n++].def = d;
	for (const GcaServiceDesc *const *sd = gca_services(); *sd; sd++)
		for (const GcaOptionDef *d = (*sd)->options; d && d->name && n < 255; d++)
		{
			table[n].def = d;
			table[n++].owner = *sd;
		}
	qsort(table, n, sizeof(OptionEntry), entry_rank_cmp);
	return table;
}

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

static const OptionEntry *
find_option(const char *name, Oid context)
{
	for (const OptionEntry *e = option_table(); e->def; e++)
		if (e->def->context == context && strcmp(e->def->name, name) == 0)
			return e;
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
	const OptionEntry *e;

	initStringInfo(&valid);
	for (e = option_table(); (def = e->def) != NULL; e++)
	{
		if (def->context != context)
			continue;
		appendStringInfo(&valid, "%s%s", valid.len ? ", " : "", def->name);
	}

	for (e = option_table(); (def = e->def) != NULL; e++)
	{
		if (def->context != context && strcmp(def->name, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", name),
					 errdetail("Option \"%s\" belongs on %s, not on %s.",
							   name, context_name(def->context),
							   context_name(context))));
	}

	for (e = option_table(); (def = e->def) != NULL; e++)
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

/* Whether value is a host name such as example.com. */
static bool
is_domain(const char *value)
{
	bool		ok = value[0] != '\0' && value[0] != '.' && strchr(value, '.') != NULL;

	for (const char *p = value; *p && ok; p++)
		ok = isalnum((unsigned char) *p) || *p == '.' || *p == '-';
	return ok;
}

/* Whether value is a version such as 62.0: digits.digits. */
static bool
is_version(const char *value)
{
	const char *p = value;
	const char *q;

	while (isdigit((unsigned char) *p))
		p++;
	if (p == value || *p != '.')
		return false;
	q = ++p;
	while (isdigit((unsigned char) *p))
		p++;
	return p > q && *p == '\0';
}

/*
 * Whether value is an identifier (letters, then letters, digits and
 * underscores) or, with dotted, identifiers joined by dots.
 */
static bool
is_identifier(const char *value, bool dotted)
{
	bool		ok = value[0] != '\0';
	bool		start = true;

	for (const char *p = value; *p && ok; p++)
	{
		if (*p == '.' && dotted && !start)
			start = true;
		else if (isalpha((unsigned char) *p) ||
				 (!start && (isdigit((unsigned char) *p) || *p == '_')))
			start = false;
		else
			ok = false;
	}
	return ok && !start;
}

/* Raises an error listing the registry's names when value is none. */
static void
check_registry_name(const GcaOptionDef *def, const char *value)
{
	const char **names = palloc0(sizeof(char *) * 64);
	int			n = 0;

	if (def->kind == GCA_OPT_SERVICE)
	{
		for (const GcaServiceDesc *const *sd = gca_services(); *sd && n < 63; sd++)
			names[n++] = (*sd)->name;
	}
	else
	{
		/* resources named by another option (object_option) are not listed */
		for (const GcaResource *const *r = gca_resources(); *r && n < 63; r++)
			if ((*r)->object_option == NULL)
				names[n++] = (*r)->name;
	}
	check_choice(def, value, names);
}

/*
 * Checks one option value against its definition; raises an error that
 * never echoes a secret.
 */
static void
check_option_value(const GcaOptionDef *def, const char *value)
{
	const char *why = def->why;
	bool		ok = true;
	int			n;
	bool		b;

	switch (def->kind)
	{
		case GCA_OPT_SECRET:
		case GCA_OPT_TEXT:
			if (value[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->name)));
			return;
		case GCA_OPT_CHOICE:
			check_choice(def, value, def->choices);
			break;
		case GCA_OPT_SERVICE:
		case GCA_OPT_RESOURCE:
			check_registry_name(def, value);
			break;
		case GCA_OPT_URL:
			ok = gca_url_is_allowed(value, &why);
			break;
		case GCA_OPT_DOMAIN:
			ok = is_domain(value);
			break;
		case GCA_OPT_VERSION:
			ok = is_version(value);
			break;
		case GCA_OPT_INT:
			if (!parse_int(value, &n, 0, NULL) || n < def->min || n > def->max)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								def->name, value),
						 errhint("Use an integer between %d and %d.",
								 def->min, def->max)));
			break;
		case GCA_OPT_BOOL:
			ok = parse_bool(value, &b);
			why = "Use a Boolean value such as \"true\" or \"false\".";
			break;
		case GCA_OPT_IDENT:
		case GCA_OPT_PATH:
			ok = is_identifier(value, def->kind == GCA_OPT_PATH);
			break;
	}

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->name, value),
				 why ? errdetail("%s", why) : 0));
}

/*
 * The services' texts of one kind (the member at offset of each
 * GcaServiceDesc) joined by sep, then "."; palloc'd.
 */
static char *
services_text(size_t offset, const char *sep)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const GcaServiceDesc *const *sd = gca_services(); *sd; sd++)
		appendStringInfo(&buf, "%s%s", buf.len ? sep : "",
						 *(const char *const *) ((const char *) *sd + offset));
	appendStringInfoChar(&buf, '.');
	return buf.data;
}

/*
 * A server's rules across its options: a service is named, every option
 * applies to it, and the service's own rules hold.
 */
static void
check_server(List *options)
{
	const char *service = gca_option_value(options, "service", NULL);
	const GcaServiceDesc *svc;
	ListCell   *lc;

	if (service == NULL)
	{
		StringInfoData hint;

		initStringInfo(&hint);
		for (const GcaServiceDesc *const *sd = gca_services(); *sd; sd++)
			appendStringInfo(&hint, "%s OPTIONS (service '%s')",
							 hint.len ? " or" : "Add", (*sd)->name);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server option \"service\" is required"),
				 errhint("%s.", hint.data)));
	}
	svc = gca_find_service(service);
	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);
		const OptionEntry *e = find_option(d->defname, ForeignServerRelationId);

		if (e && e->owner && e->owner != svc)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\" for a %s server",
							d->defname, service),
					 errdetail("Option \"%s\" applies only to %s servers.",
							   d->defname, e->owner->name)));
	}
	if (svc->check_server)
		svc->check_server(options);
}

/*
 * A foreign table names exactly one resource: by the option "resource",
 * or by the option of a resource whose tables name a remote object.
 */
static void
check_table(List *options)
{
	StringInfoData names;
	int			given = gca_option_value(options, "resource", NULL) != NULL;
	List	   *seen = NIL;

	initStringInfo(&names);
	appendStringInfoString(&names, "\"resource\"");
	for (const GcaResource *const *r = gca_resources(); *r; r++)
	{
		const char *opt = (*r)->object_option;

		if (opt == NULL || list_member(seen, makeString((char *) opt)))
			continue;
		seen = lappend(seen, makeString((char *) opt));
		appendStringInfo(&names, " and \"%s\"", opt);
		given += gca_option_value(options, opt, NULL) != NULL;
	}
	if (given != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("foreign table needs exactly one of the options %s", names.data),
				 errhint("%s", services_text(offsetof(GcaServiceDesc, table_hint), "; "))));
}

/*
 * Checks the rules that span several options of one object.
 */
static void
check_object(List *options, Oid context)
{
	if (context == ForeignServerRelationId)
		check_server(options);
	else if (context == UserMappingRelationId)
	{
		if (!gca_option_value(options, "client_id", NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("user mapping option \"client_id\" is required"),
					 errhint("Give the OAuth client's id and secret: OPTIONS (client_id '...', client_secret '...').")));
		if (!gca_option_value(options, "client_secret", NULL) &&
			!gca_option_value(options, "refresh_token", NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("user mapping needs option \"client_secret\" or \"refresh_token\""),
					 errhint("%s", services_text(offsetof(GcaServiceDesc, credentials_hint), "; "))));
	}
	else if (context == ForeignTableRelationId)
		check_table(options);
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
		const OptionEntry *e = find_option(d->defname, catalog);

		if (e == NULL)
			report_invalid_option(d->defname, catalog);
		check_option_value(e->def, defGetString(d));
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
	const char *v = gca_option_value(options, name, NULL);

	return v ? pstrdup(v) : NULL;
}

static int
int_option(List *options, const char *name, int dflt)
{
	const char *v = gca_option_value(options, name, NULL);
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
	const char *service = gca_option_value(sopts, "service", NULL);
	const GcaServiceDesc *svc = service ? gca_find_service(service) : NULL;
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
	if (svc == NULL)
		svc = gca_services()[0];
	h->serverid = serverid;
	h->umid = um ? um->umid : InvalidOid;
	h->servername = pstrdup(server->servername);
	h->service = svc->service;
	svc->base_urls(sopts, &api_url, &login_url);
	h->requests_per_minute = int_option(sopts, "requests_per_minute",
										svc->requests_per_minute);
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
	o->options = sopts;
	v = gca_option_value(sopts, "use_remote_estimate", NULL);
	if (v)
		(void) parse_bool(v, &o->use_remote_estimate);

	if (um)
	{
		v = gca_option_value(um->options, "client_id", NULL);
		h->client_id = v ? pstrdup(v) : NULL;
		v = gca_option_value(um->options, "client_secret", NULL);
		h->client_secret = v ? pstrdup(v) : NULL;
		v = gca_option_value(um->options, "refresh_token", NULL);
		h->refresh_token = v ? pstrdup(v) : NULL;
	}

	if (OidIsValid(relid))
	{
		List	   *topts = GetForeignTable(relid)->options;

		v = gca_option_value(topts, "resource", NULL);
		o->resource = v ? pstrdup(v) : NULL;
		for (const GcaResource *const *r = gca_resources(); *r && !o->object; r++)
		{
			v = (*r)->object_option ? gca_option_value(topts, (*r)->object_option, NULL) : NULL;
			o->object = v ? pstrdup(v) : NULL;
			o->object_option = v ? (*r)->object_option : NULL;
		}
		/* the table's options first: they override the server's */
		o->options = list_concat(list_copy(topts), sopts);
		v = gca_option_value(topts, "use_remote_estimate", NULL);
		if (v)
			(void) parse_bool(v, &o->use_remote_estimate);
	}
	return o;
}
