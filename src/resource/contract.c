/*-------------------------------------------------------------------------
 *
 * contract.c
 *		Helpers of the resource contract (resource.h) for the scan engine
 *		and the resources: column lookups, column types, EXPLAIN lines.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/resource/contract.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/defrem.h"

#include "resource.h"

/* The column of res named name, or NULL. */
const GcaColumnDef *
gca_find_column(const GcaResource *res, const char *name)
{
	for (const GcaColumnDef *c = res->columns; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The first column of res with this pushdown role, or NULL. */
const GcaColumnDef *
gca_column_with_role(const GcaResource *res, GcaPushRole role)
{
	for (const GcaColumnDef *c = res->columns; c->name; c++)
		if (c->push == role)
			return c;
	return NULL;
}

/* The types resources declare; elog for any other (a registry bug). */
Oid
gca_column_type(const GcaColumnDef *def)
{
	static const struct
	{
		const char *name;
		Oid			oid;
	}			types[] = {
		{"text", TEXTOID},
		{"timestamptz", TIMESTAMPTZOID},
		{"bigint", INT8OID},
		{"integer", INT4OID},
		{"boolean", BOOLOID},
		{"float8", FLOAT8OID},
		{"numeric", NUMERICOID},
		{"date", DATEOID},
		{"text[]", TEXTARRAYOID},
		{"jsonb", JSONBOID},
	};

	for (int i = 0; i < lengthof(types); i++)
		if (strcmp(types[i].name, def->type) == 0)
			return types[i].oid;
	elog(ERROR, "gcanalytics: column \"%s\" has unknown type \"%s\"",
		 def->name, def->type);
	return InvalidOid;			/* keep the compiler quiet */
}

/* An EXPLAIN line; value palloc'd by the caller. */
GcaExplainItem *
gca_explain_item(const char *label, char *value)
{
	GcaExplainItem *item = palloc0(sizeof(GcaExplainItem));

	item->label = label;
	item->value = value;
	return item;
}

/* An EXPLAIN line with an integer value. */
GcaExplainItem *
gca_explain_integer(const char *label, int64 value, bool verbose_only)
{
	GcaExplainItem *item = gca_explain_item(label, psprintf(INT64_FORMAT, value));

	item->is_integer = true;
	item->verbose_only = verbose_only;
	return item;
}

const char *
gca_option_value(List *options, const char *name, const char *dflt)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, name) == 0)
			return defGetString(d);
	}
	return dflt;
}

/*
 * Parses raw, the peeked body of req, as a JSON object and hands it to
 * read(arg, req, doc), freeing it afterwards even when read throws; throws
 * when it is not an object.
 */
void
gca_read_peeked_object(const GcaResourceScan *rs, const GcaRequest *req,
					   const char *raw, size_t len,
					   void (*read) (void *arg, const GcaRequest *req, GcaJson *doc),
					   void *arg)
{
	GcaJson    *doc = gca_json_parse(raw, len);

	if (!gca_json_is_object(doc))
	{
		gca_json_free(doc);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("%s response to %s %s is not a JSON object",
						gca_service_name(rs->resource->service), req->method, req->path)));
	}
	PG_TRY();
	{
		read(arg, req, doc);
	}
	PG_FINALLY();
	{
		gca_json_free(doc);
	}
	PG_END_TRY();
}
