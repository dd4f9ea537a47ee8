/*-------------------------------------------------------------------------
 *
 * values.c
 *		Column values from JSON members named by dotted paths, converted by
 *		the column's declared type: what resources whose rows are plain
 *		API objects (evaluations, listings, aggregates) share.
 *
 * Missing members, JSON null and members of another JSON type read as
 * NULL; nothing here throws on remote data.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/resource/values.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "isotime.h"
#include "resource.h"

/* The member at path ("a.b.c") of object, or NULL. */
GcaJson *
gca_json_path(const GcaJson *object, const char *path)
{
	const GcaJson *v = object;
	const char *p = path;

	while (v && *p)
	{
		const char *dot = strchr(p, '.');
		char		key[NAMEDATALEN];
		size_t		len = dot ? (size_t) (dot - p) : strlen(p);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		v = gca_json_get(v, key);
		p += len + (dot ? 1 : 0);
	}
	return (GcaJson *) v;
}

/* A JSON number (or numeric string) as a finite float8; false otherwise. */
static bool
json_float8(const GcaJson *v, double *result)
{
	const char *s = gca_json_text(v);
	char	   *end;

	if (s == NULL || gca_json_is_object(v) || gca_json_is_array(v) || *s == '\0')
		return false;
	errno = 0;
	*result = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*result);
}

/* The value v as a Datum of def's type; *isnull when it cannot be one. */
Datum
gca_json_column_value(const GcaJson *v, const GcaColumnDef *def, bool *isnull)
{
	Oid			type = gca_column_type(def);
	int64		i;
	double		d;
	bool		b;
	TimestampTz t;
	const char *s;

	*isnull = false;
	if (v == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	switch (type)
	{
		case TEXTOID:
			s = gca_json_string(v);
			if (s == NULL && !gca_json_is_object(v) && !gca_json_is_array(v))
				s = gca_json_text(v);
			if (s)
				return PointerGetDatum(cstring_to_text(s));
			break;
		case TIMESTAMPTZOID:
			if ((s = gca_json_string(v)) && gca_parse_iso_time(s, &t))
				return TimestampTzGetDatum(t);
			break;
		case INT8OID:
			if (gca_json_int64(v, &i))
				return Int64GetDatum(i);
			break;
		case INT4OID:
			if (gca_json_int64(v, &i) && i >= PG_INT32_MIN && i <= PG_INT32_MAX)
				return Int32GetDatum((int32) i);
			break;
		case FLOAT8OID:
			if (json_float8(v, &d))
				return Float8GetDatum(d);
			break;
		case BOOLOID:
			if (gca_json_bool(v, &b))
				return BoolGetDatum(b);
			break;
		case JSONBOID:
			return gca_json_to_jsonb(v);
		default:
			break;
	}
	*isnull = true;
	return (Datum) 0;
}

/*
 * Fills the used columns of a row from object: column def->id reads the
 * member paths[def->id] (NULL path: the column is the resource's to fill,
 * left NULL here).  Columns without a definition read NULL.
 */
void
gca_fill_from_paths(const GcaJson *object, const char *const *paths,
					const GcaColumn *columns, int ncolumns,
					Datum *values, bool *nulls)
{
	for (int i = 0; i < ncolumns; i++)
	{
		const GcaColumnDef *def = columns[i].def;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (def == NULL || !columns[i].used || paths[def->id] == NULL)
			continue;
		values[i] = gca_json_column_value(gca_json_path(object, paths[def->id]),
										  def, &nulls[i]);
	}
}
