/*-------------------------------------------------------------------------
 *
 * salesforce.h
 *		Salesforce objects: describe (cached per server), the field map of a
 *		foreign table and IMPORT FOREIGN SCHEMA (describe.c); the query
 *		resource "sobject" (sobject.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/salesforce/salesforce.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_SALESFORCE_H
#define GCA_SALESFORCE_H

#include "resource.h"

/* What a field's values are, for literals, decoding and pushdown. */
typedef enum SfKind
{
	SF_KIND_OTHER = 0,			/* not pushed */
	SF_KIND_STRING,				/* string, picklist, email, ...: quoted */
	SF_KIND_ID,					/* id, reference: quoted 15/18-char ids */
	SF_KIND_BOOLEAN,
	SF_KIND_NUMBER,				/* int, long, double, percent, currency */
	SF_KIND_DATE,
	SF_KIND_DATETIME
} SfKind;

/* One field of a describe answer. */
typedef struct SfField
{
	char	   *name;			/* API name, as describe spells it */
	char	   *type;			/* describe type: "id", "currency", ... */
	char	   *relationship;	/* relationshipName of a lookup, or NULL */
	char	   *reference_to;	/* its first referenceTo, or NULL */
	int			length;
	int			precision;
	int			scale;
	bool		filterable;
	bool		sortable;
	bool		compound;		/* address, location: skipped */
} SfField;

typedef struct SfDescribe
{
	char	   *name;			/* the object's API name */
	int			nfields;
	SfField    *fields;
} SfDescribe;

/* the REST API version when the server names none */
#define SF_API_VERSION_DEFAULT "62.0"

/* in salesforce/salesforce.c */
extern const char *gca_sf_api_version(List *options);

/* in salesforce/describe.c */
extern const SfDescribe *gca_sf_describe(const GcaTableRef *api,
										 const char *object);
extern SfKind gca_sf_kind(const char *type);
extern void gca_sf_bind_columns(const GcaTableRef *table, GcaColumn *columns,
								int ncolumns);
extern List *gca_sf_import(const GcaImportRef *ref);

/* A column's field path, split: "Owner.Name" -> {"Owner", "Name"}. */
#define SF_MAX_PATH 6

#endif							/* GCA_SALESFORCE_H */
