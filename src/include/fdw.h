/*-------------------------------------------------------------------------
 *
 * fdw.h
 *		The foreign data wrapper gcanalytics_fdw: options and scans.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/fdw.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_FDW_H
#define GCA_FDW_H

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"

typedef enum GcaService
{
	GCA_SERVICE_GENESYS = 1,
	GCA_SERVICE_SALESFORCE = 2
} GcaService;

/*
 * Everything a scan needs to know about where and how to call the API,
 * merged from the server, the user mapping and the foreign table.  All
 * strings are palloc'd in the caller's context; the secrets are never
 * printed anywhere.
 */
typedef struct GcaOptions
{
	Oid			serverid;
	Oid			umid;			/* user mapping OID, key of the token cache */
	char	   *servername;
	GcaService	service;
	char	   *api_url;		/* https://api.<region> or the override */
	char	   *login_url;		/* https://login.<region>, or Salesforce's */
	char	   *api_version;	/* Salesforce REST version, e.g. "62.0" */
	int			requests_per_minute;
	int			max_concurrency;
	int			page_size;		/* 0 = the endpoint's default */
	int			timeout_ms;
	int			connect_timeout_ms;
	int			max_retries;
	char	   *extraction;		/* "query", "job" or "auto" */
	bool		use_remote_estimate;
	char	   *client_id;
	char	   *client_secret;
	char	   *refresh_token;
	char	   *resource;		/* Genesys foreign table */
	char	   *sobject;		/* Salesforce foreign table */
} GcaOptions;

/* in fdw/option.c */
extern GcaOptions *gca_get_options(Oid serverid, Oid userid, Oid relid);
extern char *gca_column_option(Oid relid, int attnum, const char *name);
extern bool gca_url_is_allowed(const char *url, const char **why);


/* ---------------------------------------------------------------------
 * Pushdown (fdw/deparse.c)
 * ---------------------------------------------------------------------
 */

/* What a pushable WHERE condition says. */
typedef enum GcaCondKind
{
	COND_START_GE,				/* conversation_start >= value (also >) */
	COND_START_LT,				/* conversation_start < value */
	COND_START_LE,				/* conversation_start <= value */
	COND_START_EQ,				/* conversation_start = value */
	COND_ID_IN,					/* conversation_id = value / = ANY(array) */
	COND_DIM_IN,				/* a dimension column = value / = ANY(array) */
	COND_END_NOT_NULL			/* conversation_end IS NOT NULL */
} GcaCondKind;

/*
 * A condition found in the scan's clauses.  value is the expression to
 * evaluate at execution (NULL for COND_END_NOT_NULL); is_array says it
 * yields an array of values.
 */
typedef struct GcaCond
{
	GcaCondKind kind;
	int			column;			/* GcaColumnKind of the column */
	Expr	   *value;
	bool		is_array;
} GcaCond;

/* How a column maps to a Genesys filter predicate. */
typedef struct GcaDimension
{
	int			column;			/* GcaColumnKind */
	bool		segment;		/* segmentFilters, else conversationFilters */
	const char *dimension;		/* e.g. "queueId" */
	int			priority;		/* lower pushes first among segment dims */
} GcaDimension;

extern const GcaDimension *gca_dimension(int column);
extern void gca_error_unbounded_scan(const char *relname) pg_attribute_noreturn();

/*
 * Finds the pushable conditions among clauses (RestrictInfos or bare
 * expressions) of relation rel whose columns map through colkinds (indexed
 * by attnum - 1).  Every clause stays in the local quals too.
 */
extern List *gca_classify_conditions(PlannerInfo *root, RelOptInfo *rel,
									 List *clauses, const int *colkinds,
									 int ncols);

/* The values of a condition at execution, and the request they build. */
typedef struct GcaFilterValues
{
	int			column;			/* GcaColumnKind */
	List	   *values;			/* char * values, OR'ed */
} GcaFilterValues;

typedef struct GcaRequestSpec
{
	bool		have_lower;
	bool		have_upper;
	TimestampTz lower;			/* interval start, inclusive */
	TimestampTz upper;			/* interval end, exclusive */
	bool		by_id;			/* conversation ids given */
	List	   *ids;			/* char *, distinct, when by_id */
	bool		empty;			/* a condition can never be true */
	bool		end_not_null;
	List	   *conv_filters;	/* GcaFilterValues, AND'ed */
	GcaFilterValues *seg_filter;	/* the one segment dimension pushed */
} GcaRequestSpec;

extern void gca_append_details_body(StringInfo buf, const GcaRequestSpec *spec,
									TimestampTz start, TimestampTz end,
									int page_size, int page_number);
extern void gca_append_url_escaped(StringInfo buf, const char *s);

/* ---------------------------------------------------------------------
 * Scans (fdw/scan.c)
 * ---------------------------------------------------------------------
 */

/* fdw_private of a ForeignScan plan */
enum GcaFdwPrivateIndex
{
	GCA_PRIVATE_RESOURCE,		/* String: resource name */
	GCA_PRIVATE_USED,			/* IntList: attnums the query reads */
	GCA_PRIVATE_CONDS			/* List of IntList [kind, column, is_array,
								 * expr index or -1] */
};

typedef struct GcaScan GcaScan;
struct ForeignScanState;
struct ExplainState;

extern GcaScan *gca_scan_begin(struct ForeignScanState *node, int eflags);
extern struct TupleTableSlot *gca_scan_next(GcaScan *scan);
extern void gca_scan_rescan(GcaScan *scan);
extern void gca_scan_end(GcaScan *scan);
extern void gca_scan_explain(GcaScan *scan, struct ExplainState *es);

/* Conversations a day assumed for row estimates. */
#define GCA_CONVERSATIONS_PER_DAY_ESTIMATE 5000.0

#endif							/* GCA_FDW_H */
