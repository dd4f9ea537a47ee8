/*-------------------------------------------------------------------------
 *
 * registry.c
 *		The list of resources a foreign table can read, and lookups.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/resource/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "resource.h"

static const GcaResource *const registry[] = {
	&gca_genesys_conversations,
	&gca_genesys_segments,
	&gca_genesys_evaluations,
	&gca_genesys_aggregates,
	&gca_genesys_queues,
	&gca_genesys_users,
	&gca_genesys_wrapup_codes,
	&gca_salesforce_sobject,
	NULL
};

const GcaResource *const *
gca_resources(void)
{
	return registry;
}

/* The resource named name, or NULL. */
const GcaResource *
gca_find_resource(const char *name)
{
	for (const GcaResource *const *r = registry; *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

/* The column of res named name, or NULL. */
const GcaColumnDef *
gca_find_column(const GcaResource *res, const char *name)
{
	for (const GcaColumnDef *c = res->columns; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

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
