/*-------------------------------------------------------------------------
 *
 * describe.c
 *		Salesforce describe: fetched once per (server, user mapping, object)
 *		for the session; the columns of an sObject foreign table mapped to
 *		fields; IMPORT FOREIGN SCHEMA sobjects.
 *
 * A column reads the field named by its option "field" (dotted for parent
 * fields: Owner.Name) or else the field of its own name, matched without
 * regard to case as Salesforce does.  Its pushdown comes from describe
 * (filterable, sortable) and the field's kind, and only when the declared
 * SQL type is the kind's own (a date field compared as a date): SOQL then
 * takes exactly the comparisons listed in field_ops.
 *
 * The type map of IMPORT follows the reference (salesforce-api.md 5):
 * ids varchar(18), currency and double numeric (exact), datetime
 * timestamptz, picklists text; compound fields (address, location) and
 * base64 are skipped.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/salesforce/describe.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "salesforce.h"
#include "url.h"

/* the largest describe answer accepted (wide objects run to megabytes) */
#define DESCRIBE_MAX	(64 * 1024 * 1024)

typedef struct CachedDescribe
{
	Oid			serverid;
	Oid			umid;
	char	   *object;			/* as asked */
	SfDescribe *describe;
} CachedDescribe;

static MemoryContext describe_cxt = NULL;
static List *describe_cache = NIL;	/* CachedDescribe, in describe_cxt */

/* Forgets every describe when a server or user mapping changes. */
static void
inval_describes(Datum arg, int cacheid, uint32 hashvalue)
{
	if (describe_cxt)
		MemoryContextReset(describe_cxt);
	describe_cache = NIL;
}

static char *
cxt_strdup(const char *s)
{
	return s ? MemoryContextStrdup(describe_cxt, s) : NULL;
}

/* Reads a describe answer into describe_cxt. */
static SfDescribe *
read_describe(GcaJson *doc, const char *object)
{
	GcaJson    *fields = gca_json_get(doc, "fields");
	int			n = gca_json_array_length(fields);
	SfDescribe *d = MemoryContextAllocZero(describe_cxt, sizeof(SfDescribe));
	const char *name = gca_json_get_string(doc, "name");

	d->name = cxt_strdup(name ? name : object);
	d->fields = MemoryContextAllocZero(describe_cxt, sizeof(SfField) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		GcaJson    *f = gca_json_array_item(fields, i);
		SfField    *sf = &d->fields[d->nfields];
		bool		b;

		if (gca_json_get_string(f, "name") == NULL)
			continue;
		sf->name = cxt_strdup(gca_json_get_string(f, "name"));
		sf->type = cxt_strdup(gca_json_get_string(f, "type"));
		if (sf->type == NULL)
			sf->type = cxt_strdup("anyType");
		sf->relationship = cxt_strdup(gca_json_get_string(f, "relationshipName"));
		sf->reference_to = cxt_strdup(gca_json_string(
													  gca_json_array_item(gca_json_get(f, "referenceTo"), 0)));
		sf->length = (int) gca_json_get_int64(f, "length", 0);
		sf->precision = (int) gca_json_get_int64(f, "precision", 0);
		sf->scale = (int) gca_json_get_int64(f, "scale", 0);
		sf->filterable = gca_json_bool(gca_json_get(f, "filterable"), &b) && b;
		sf->sortable = gca_json_bool(gca_json_get(f, "sortable"), &b) && b;
		sf->compound = strcmp(sf->type, "address") == 0 ||
			strcmp(sf->type, "location") == 0;
		d->nfields++;
	}
	return d;
}

/* GETs path of the API as JSON; the caller frees it. */
static GcaJson *
api_get_json(const GcaTableRef *api, const char *path)
{
	GcaClient  *client = gca_client_get(api->http);
	GcaCall		call;
	GcaBufferSink buf;
	GcaJson    *doc;

	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.path = path;
	gca_buffer_sink_init(&call.sink, &buf, DESCRIBE_MAX);
	gca_call_perform(client, &call);
	doc = gca_json_parse(buf.data, buf.len);
	pfree(buf.data);
	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("salesforce response to GET %s is not valid JSON", path)));
	return doc;
}

/*
 * The describe of object on the server of api: from the session's cache,
 * or fetched (throws on any API error, e.g. 404 NOT_FOUND for an unknown
 * object).  Lives until the server or user mapping changes.
 */
const SfDescribe *
gca_sf_describe(const GcaTableRef *api, const char *object)
{
	ListCell   *lc;
	StringInfoData path;
	GcaJson    *doc;
	CachedDescribe *volatile entry = NULL;
	MemoryContext old;

	foreach(lc, describe_cache)
	{
		CachedDescribe *c = lfirst(lc);

		if (c->serverid == api->http->serverid && c->umid == api->http->umid &&
			pg_strcasecmp(c->object, object) == 0)
			return c->describe;
	}
	if (describe_cxt == NULL)
	{
		describe_cxt = AllocSetContextCreate(TopMemoryContext,
											 "gcanalytics salesforce describe",
											 ALLOCSET_DEFAULT_SIZES);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, inval_describes, (Datum) 0);
		CacheRegisterSyscacheCallback(USERMAPPINGOID, inval_describes, (Datum) 0);
	}

	initStringInfo(&path);
	appendStringInfo(&path, "/services/data/v%s/sobjects/", gca_sf_api_version(api->options));
	gca_append_url_escaped(&path, object);
	appendStringInfoString(&path, "/describe");
	doc = api_get_json(api, path.data);

	old = MemoryContextSwitchTo(describe_cxt);
	PG_TRY();
	{
		CachedDescribe *e = palloc0(sizeof(CachedDescribe));

		e->serverid = api->http->serverid;
		e->umid = api->http->umid;
		e->object = pstrdup(object);
		e->describe = read_describe(doc, object);
		describe_cache = lappend(describe_cache, e);
		entry = e;
	}
	PG_FINALLY();
	{
		gca_json_free(doc);
		MemoryContextSwitchTo(old);
	}
	PG_END_TRY();
	return entry->describe;
}

static const SfField *
find_field(const SfDescribe *d, const char *name, bool by_relationship)
{
	for (int i = 0; i < d->nfields; i++)
	{
		const SfField *f = &d->fields[i];
		const char *n = by_relationship ? f->relationship : f->name;

		if (n && pg_strcasecmp(n, name) == 0 && (!by_relationship || f->reference_to))
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------------
 * Kinds, SQL types, pushdown
 * ------------------------------------------------------------------
 */

SfKind
gca_sf_kind(const char *type)
{
	static const struct
	{
		const char *type;
		SfKind		kind;
	}			kinds[] = {
		{"id", SF_KIND_ID}, {"reference", SF_KIND_ID},
		{"string", SF_KIND_STRING}, {"picklist", SF_KIND_STRING},
		{"combobox", SF_KIND_STRING}, {"email", SF_KIND_STRING},
		{"phone", SF_KIND_STRING}, {"url", SF_KIND_STRING},
		{"textarea", SF_KIND_STRING}, {"encryptedstring", SF_KIND_STRING},
		{"boolean", SF_KIND_BOOLEAN},
		{"int", SF_KIND_NUMBER}, {"long", SF_KIND_NUMBER},
		{"double", SF_KIND_NUMBER}, {"percent", SF_KIND_NUMBER},
		{"currency", SF_KIND_NUMBER},
		{"date", SF_KIND_DATE}, {"datetime", SF_KIND_DATETIME},
	};

	for (int i = 0; i < lengthof(kinds); i++)
		if (strcmp(kinds[i].type, type) == 0)
			return kinds[i].kind;
	return SF_KIND_OTHER;		/* multipicklist (=: whole set), time, ... */
}

/* Whether a column of SQL type typid holds a field of kind as its own. */
static bool
type_fits_kind(Oid typid, SfKind kind)
{
	switch (kind)
	{
		case SF_KIND_STRING:
		case SF_KIND_ID:
			return typid == TEXTOID || typid == VARCHAROID;
		case SF_KIND_BOOLEAN:
			return typid == BOOLOID;
		case SF_KIND_NUMBER:
			return typid == NUMERICOID || typid == INT4OID || typid == INT8OID ||
				typid == INT2OID || typid == FLOAT8OID;
		case SF_KIND_DATE:
			return typid == DATEOID;
		case SF_KIND_DATETIME:
			return typid == TIMESTAMPTZOID;
		case SF_KIND_OTHER:
			break;
	}
	return false;
}

/*
 * The comparisons SOQL gives the same rows for as SQL, or a superset the
 * local recheck trims: strings compare case-insensitively, so <> and the
 * orderings are never sent for them (nor ORDER BY); a boolean "= null"
 * means "= false", so no null tests on booleans; ids take no LIKE.
 */
static unsigned int
field_ops(SfKind kind, bool sortable)
{
#define B(c) GCA_CMP_BIT(GCA_CMP_##c)
	switch (kind)
	{
		case SF_KIND_STRING:
			return B(EQ) | B(IN) | B(LIKE) | B(IS_NULL) | B(NOT_NULL);
		case SF_KIND_ID:
			return B(EQ) | B(NE) | B(IN) | B(IS_NULL) | B(NOT_NULL);
		case SF_KIND_BOOLEAN:
			return B(EQ) | B(NE);
		case SF_KIND_NUMBER:
		case SF_KIND_DATE:
		case SF_KIND_DATETIME:
			return B(EQ) | B(NE) | B(LT) | B(LE) | B(GT) | B(GE) | B(IN) |
				B(IS_NULL) | B(NOT_NULL) | (sortable ? GCA_WHERE_SORTABLE : 0);
		case SF_KIND_OTHER:
			break;
	}
	return 0;
#undef B
}

/* The SQL type IMPORT declares for a field, or NULL to skip it. */
static char *
import_type(const SfField *f)
{
	const char *t = f->type;

	if (f->compound || strcmp(t, "base64") == 0)
		return NULL;
	if (strcmp(t, "id") == 0 || strcmp(t, "reference") == 0)
		return pstrdup("varchar(18)");
	if (strcmp(t, "string") == 0 || strcmp(t, "email") == 0 ||
		strcmp(t, "phone") == 0 || strcmp(t, "url") == 0 ||
		strcmp(t, "encryptedstring") == 0)
		return f->length > 0 && f->length <= 10485760
			? psprintf("varchar(%d)", f->length) : pstrdup("text");
	if (strcmp(t, "boolean") == 0)
		return pstrdup("boolean");
	if (strcmp(t, "int") == 0)
		return pstrdup("integer");
	if (strcmp(t, "long") == 0)
		return pstrdup("bigint");
	if (strcmp(t, "double") == 0 || strcmp(t, "percent") == 0 ||
		strcmp(t, "currency") == 0)
		return f->precision > 0 && f->precision <= 1000 && f->scale >= 0 &&
			f->scale <= f->precision
			? psprintf("numeric(%d,%d)", f->precision, f->scale) : pstrdup("numeric");
	if (strcmp(t, "date") == 0)
		return pstrdup("date");
	if (strcmp(t, "datetime") == 0)
		return pstrdup("timestamptz");
	if (strcmp(t, "time") == 0)
		return pstrdup("time");
	/* picklist, multipicklist, combobox, textarea, anyType, ... */
	return pstrdup("text");
}

/* ------------------------------------------------------------------
 * The columns of a foreign table
 * ------------------------------------------------------------------
 */

/*
 * Resolves path ("Owner.Name") from object: the field, and the path in
 * the API's spelling; NULL when a part does not exist.
 */
static const SfField *
resolve_path(const GcaTableRef *api, const SfDescribe *d, const char *path,
			 StringInfo canonical)
{
	char	   *copy = pstrdup(path);
	char	   *part = copy;
	char	   *dot;
	int			depth = 0;

	while ((dot = strchr(part, '.')) != NULL)
	{
		const SfField *rel;

		*dot = '\0';
		rel = find_field(d, part, true);
		if (rel == NULL || ++depth >= SF_MAX_PATH)
			return NULL;
		appendStringInfo(canonical, "%s.", rel->relationship);
		d = gca_sf_describe(api, rel->reference_to);
		part = dot + 1;
	}
	{
		const SfField *f = find_field(d, part, false);

		if (f)
			appendStringInfoString(canonical, f->name);
		return f;
	}
}

/* The column definition of col for a field of the given type at api_name. */
static GcaColumnDef *
column_def(const GcaColumn *col, const char *type, char *api_name,
		   bool filterable, bool sortable)
{
	GcaColumnDef *def = palloc0(sizeof(GcaColumnDef));
	SfKind		kind = gca_sf_kind(type);

	def->name = col->name;
	def->type = pstrdup(type);
	def->api_name = api_name;
	def->id = (int) kind;
	def->push_group = strchr(api_name, '.') != NULL;	/* a parent's */
	if (filterable && type_fits_kind(col->typid, kind))
	{
		def->push = GCA_PUSH_WHERE;
		def->where_ops = field_ops(kind, sortable);
	}
	return def;
}

/*
 * Whether every column of the table declares its field's type (column
 * options field_type, and field or its own name as the field's API name):
 * the table is then bound without describe, its fields taken as the table
 * says, filterable and sortable as their kind allows (a field that is
 * neither, or that the org lacks, is the API's error at query time).
 * configure() creates the warehouse's tables so, after it checked the
 * fields against describe once: a run() reads no describe.
 */
static bool
bind_declared(const GcaTableRef *table, GcaColumn *columns, int ncolumns)
{
	bool		any = false;

	for (int i = 0; i < ncolumns; i++)
	{
		if (columns[i].name == NULL)
			continue;			/* dropped */
		if (columns[i].field_type == NULL)
			return false;
		any = true;
	}
	if (!any)
		return false;
	for (int i = 0; i < ncolumns; i++)
	{
		GcaColumn  *col = &columns[i];

		if (col->name == NULL)
			continue;
		col->def = column_def(col, col->field_type,
							  pstrdup(col->field ? col->field : col->name), true, true);
	}
	return true;
}

/*
 * Binds the columns of an sObject table to their fields (the resource's
 * bind_columns).  A column naming a field the object lacks is an error.
 */
void
gca_sf_bind_columns(const GcaTableRef *table, GcaColumn *columns, int ncolumns)
{
	const SfDescribe *d;

	if (bind_declared(table, columns, ncolumns))
		return;
	d = gca_sf_describe(table, table->object);
	for (int i = 0; i < ncolumns; i++)
	{
		GcaColumn  *col = &columns[i];
		const char *path = col->field ? col->field : col->name;
		const SfField *f;
		StringInfoData canonical;

		if (col->name == NULL)
			continue;			/* dropped */
		initStringInfo(&canonical);
		f = resolve_path(table, d, path, &canonical);
		if (f == NULL || f->compound)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("column \"%s\" of foreign table \"%s\" names no field of sObject \"%s\"",
							col->name, table->relname, d->name),
					 errdetail("Describe of \"%s\" has no readable field \"%s\".", d->name, path),
					 errhint("Name the field with the column option field (dotted for parent fields, such as 'Owner.Name'), or drop the column.")));
		col->def = column_def(col, f->type, canonical.data, f->filterable, f->sortable);
	}
}

/* ------------------------------------------------------------------
 * IMPORT FOREIGN SCHEMA sobjects
 * ------------------------------------------------------------------
 */

static char *
create_table_command(const char *table, const SfDescribe *d, const char *servername)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (", quote_identifier(table));
	for (int i = 0; i < d->nfields; i++)
	{
		char	   *type = import_type(&d->fields[i]);

		if (type == NULL)
			continue;
		appendStringInfo(&buf, "%s%s %s", first ? "" : ", ",
						 quote_identifier(d->fields[i].name), type);
		first = false;
	}
	appendStringInfo(&buf, ") SERVER %s OPTIONS (sobject %s)",
					 quote_identifier(servername), quote_literal_cstr(d->name));
	return buf.data;
}

/* The queryable objects of the server, minus those listed in EXCEPT. */
static List *
all_object_names(const GcaImportRef *ref)
{
	char	   *path = psprintf("/services/data/v%s/sobjects/",
								 gca_sf_api_version(ref->api.options));
	GcaJson    *doc = api_get_json(&ref->api, path);
	GcaJson    *objs = gca_json_get(doc, "sobjects");
	List	   *names = NIL;

	for (int i = 0; i < gca_json_array_length(objs); i++)
	{
		GcaJson    *o = gca_json_array_item(objs, i);
		const char *name = gca_json_get_string(o, "name");
		bool		queryable = false;
		bool		excluded = false;
		ListCell   *lc;

		if (name == NULL ||
			!(gca_json_bool(gca_json_get(o, "queryable"), &queryable) && queryable))
			continue;
		foreach(lc, ref->tables)
			excluded = excluded || strcmp(lfirst(lc), name) == 0;
		if (!excluded)
			names = lappend(names, pstrdup(name));
	}
	gca_json_free(doc);
	return names;
}

/*
 * IMPORT FOREIGN SCHEMA sobjects [LIMIT TO (...) | EXCEPT (...)]: one
 * foreign table per object, from describe.  A table is named as LIMIT TO
 * writes it (LIMIT TO (account) gives "account" reading sObject Account),
 * otherwise by the API name; columns keep the fields' API names.
 */
List *
gca_sf_import(const GcaImportRef *ref)
{
	List	   *names = ref->limit_to ? ref->tables : all_object_names(ref);
	List	   *commands = NIL;
	ListCell   *lc;

	foreach(lc, names)
	{
		const char *table = lfirst(lc);
		const SfDescribe *d = gca_sf_describe(&ref->api, table);

		commands = lappend(commands, create_table_command(table, d, ref->servername));
	}
	return commands;
}
