/*-------------------------------------------------------------------------
 *
 * import.c
 *		IMPORT FOREIGN SCHEMA: one foreign table per resource of the
 *		server's service, from the registry.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fdw.h"

/* Whether LIMIT TO / EXCEPT let table name through. */
static bool
wanted(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;
	bool		listed = false;

	foreach(lc, stmt->table_list)
		listed = listed || strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0;
	switch (stmt->list_type)
	{
		case FDW_IMPORT_SCHEMA_LIMIT_TO:
			return listed;
		case FDW_IMPORT_SCHEMA_EXCEPT:
			return !listed;
		default:
			return true;
	}
}

/* CREATE FOREIGN TABLE of one resource on server. */
static char *
create_table_command(const GcaResource *res, const char *servername)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (", quote_identifier(res->name));
	for (const GcaColumnDef *c = res->columns; c->name; c++)
		appendStringInfo(&buf, "%s%s %s", c == res->columns ? "" : ", ",
						 quote_identifier(c->name), c->type);
	appendStringInfo(&buf, ") SERVER %s OPTIONS (resource %s)",
					 quote_identifier(servername), quote_literal_cstr(res->name));
	return buf.data;
}

/*
 * Lets the resource of service that has an import callback build the
 * tables (from the API's own description of its objects); NIL, false
 * when none has.
 */
static bool
import_from_resource(ImportForeignSchemaStmt *stmt, Oid serverOid,
					 GcaService service, List **commands)
{
	for (const GcaResource *const *r = gca_resources(); *r; r++)
	{
		GcaImportRef ref;
		GcaOptions *opts;
		ListCell   *lc;

		if ((*r)->service != service || (*r)->import == NULL)
			continue;
		/* the API is called as the importing user */
		opts = gca_get_options(serverOid, GetUserId(), InvalidOid);
		memset(&ref, 0, sizeof(ref));
		ref.api.http = &opts->http;
		ref.api.options = opts->options;
		ref.servername = opts->http.servername;
		ref.limit_to = stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO;
		ref.except = stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT;
		foreach(lc, stmt->table_list)
			ref.tables = lappend(ref.tables, ((RangeVar *) lfirst(lc))->relname);
		*commands = (*r)->import(&ref);
		return true;
	}
	return false;
}

/*
 * IMPORT FOREIGN SCHEMA <the service's remote schema> FROM SERVER s INTO
 * t: one foreign table per resource of the server's service (LIMIT TO /
 * EXCEPT apply); for a service whose resource imports, what it builds.
 */
List *
gca_import_foreign_schema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	GcaOptions *opts = gca_get_options(serverOid, InvalidOid, InvalidOid);
	ForeignServer *server = GetForeignServer(serverOid);
	GcaService	service = opts->http.service;
	const char *remote_schema = gca_service_desc(service)->remote_schema;
	List	   *commands = NIL;

	if (strcmp(stmt->remote_schema, remote_schema) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("%s server \"%s\" has no remote schema \"%s\"",
						gca_service_name(service), server->servername, stmt->remote_schema),
				 errhint("Use IMPORT FOREIGN SCHEMA %s FROM SERVER %s INTO ...",
						 remote_schema, quote_identifier(server->servername))));

	if (import_from_resource(stmt, serverOid, service, &commands))
		return commands;
	for (const GcaResource *const *r = gca_resources(); *r; r++)
		if ((*r)->service == service && (*r)->object_option == NULL && wanted(stmt, (*r)->name))
			commands = lappend(commands, create_table_command(*r, server->servername));
	return commands;
}
