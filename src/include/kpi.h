/*-------------------------------------------------------------------------
 *
 * kpi.h
 *		Declarations shared by the in-database KPI functions (src/kpi/).
 *
 * The KPI functions read PostgreSQL's own jsonb (utils/jsonb.h) and never
 * include json-c.  Strings taken out of a jsonb value point into the jsonb
 * datum itself (GcaStr), so they live as long as the detoasted argument.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/kpi.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCANALYTICS_KPI_H
#define GCANALYTICS_KPI_H

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "isotime.h"

/* a string inside a jsonb datum: not NUL-terminated, ptr NULL if absent */
typedef struct GcaStr
{
	const char *ptr;
	int			len;
} GcaStr;

/* outcome of a typed field lookup */
typedef enum GcaJbResult
{
	GCA_JB_OK = 0,				/* present with the wanted type */
	GCA_JB_ABSENT,				/* key missing or JSON null */
	GCA_JB_WRONG_TYPE			/* present with another type */
} GcaJbResult;

/* in kpi/jbutil.c */
extern GcaJbResult gca_jb_string(JsonbContainer *obj, const char *key,
								 GcaStr *out);
extern GcaJbResult gca_jb_container(JsonbContainer *obj, const char *key,
									bool want_array, JsonbContainer **out);
extern GcaJbResult gca_jb_int64(JsonbContainer *obj, const char *key,
								int64 *out);
extern GcaJbResult gca_jb_float8(JsonbContainer *obj, const char *key,
								 double *out);
extern GcaJbResult gca_jb_bool(JsonbContainer *obj, const char *key,
							   bool *out);
extern GcaJbResult gca_jb_array_element(JsonbContainer *array, uint32 i,
										JsonbContainer **out);
extern bool gca_jb_value_int64(const JsonbValue *v, int64 *out);
extern bool gca_jb_value_float8(const JsonbValue *v, double *out);
extern Datum gca_str_datum(GcaStr s);

/* true when s is present and equals the literal (inline: strlen folds) */
static inline bool
gca_str_eq(GcaStr s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.ptr != NULL && (size_t) s.len == n && memcmp(s.ptr, lit, n) == 0;
}

#endif							/* GCANALYTICS_KPI_H */
