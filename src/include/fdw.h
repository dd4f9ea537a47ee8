/*-------------------------------------------------------------------------
 *
 * fdw.h
 *		The foreign data wrapper gcanalytics_fdw: options, pushdown and the
 *		generic scan engine (src/fdw/).
 *
 * The FDW knows no resource: what a table reads, its columns and its
 * requests come from the resource registry (resource.h).
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

#include "foreign/foreign.h"
#include "nodes/execnodes.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "http.h"
#include "resource.h"

/*
 * Everything a scan needs to know about where and how to call the API,
 * merged from the server, the user mapping and the foreign table.  All
 * strings are palloc'd in the caller's context; the secrets are never
 * printed anywhere.
 */
typedef struct GcaOptions
{
	GcaClientConfig http;		/* what the HTTP client is made from */
	int			page_size;		/* 0 = the endpoint's default */
	bool		use_remote_estimate;
	char	   *resource;		/* option "resource" of the table */
	char	   *object;			/* or the remote object it names ... */
	const char *object_option;	/* ... by this option (a resource's
								 * object_option) */
	List	   *options;		/* DefElem: the table's options, then the
								 * server's, for the resources' own */
} GcaOptions;

/* in fdw/option.c */
extern GcaOptions *gca_get_options(Oid serverid, Oid userid, Oid relid);
extern ForeignServer *gca_server_by_name(const char *servername);
extern char *gca_column_option(Oid relid, int attnum, const char *name);

/* ---------------------------------------------------------------------
 * Pushdown (fdw/pushdown.c)
 * ---------------------------------------------------------------------
 */

/* The shape of a condition that can be sent to the API. */
typedef enum GcaCondOp
{
	GCA_OP_EQ,					/* col = value */
	GCA_OP_IN,					/* col = ANY(array) */
	GCA_OP_LT,					/* col < value */
	GCA_OP_LE,					/* col <= value */
	GCA_OP_GE,					/* col >= value, also > */
	GCA_OP_CONTAINS,			/* value = ANY(col), col @> ARRAY[value] */
	GCA_OP_NOT_NULL,			/* col IS NOT NULL */
	GCA_OP_WHERE				/* a GCA_PUSH_WHERE comparison (cmp) */
} GcaCondOp;

/* A pushable condition found in the scan's clauses. */
typedef struct GcaCond
{
	GcaCondOp	op;
	int			attnum;
	Expr	   *value;			/* evaluated at execution; NULL for NOT_NULL */
	bool		is_array;		/* value yields an array of values */
	GcaCompare	cmp;			/* GCA_OP_WHERE: which comparison */
	ExprState  *state;			/* at execution: value's state */
} GcaCond;

/*
 * The planner's view of a foreign table (baserel->fdw_private): its
 * resource and columns, and the conditions of its WHERE clause that can
 * be pushed, classified once.
 */
typedef struct GcaPlanState
{
	const GcaResource *resource;
	GcaOptions *opts;
	GcaColumn  *columns;		/* by attnum - 1 */
	int			ncolumns;
	List	   *conds;			/* GcaCond of baserestrictinfo */
	bool		bounded;		/* a time bound or ids, if the resource
								 * needs one */
	double		requests;		/* estimated API requests */
} GcaPlanState;

extern GcaColumn *gca_table_columns(Relation rel, const GcaResource *res,
									const GcaOptions *opts, bool check_types);
extern List *gca_classify_conditions(PlannerInfo *root, RelOptInfo *rel,
									 List *clauses, const GcaColumn *columns,
									 int ncolumns);
extern bool gca_conds_bound(const GcaResource *res, const GcaColumn *columns,
							List *conds);
extern void gca_error_unbounded_scan(const char *relname,
									 const GcaResource *res) pg_attribute_noreturn();
extern void gca_evaluate_conds(GcaPushed *pushed, List *conds,
							   const GcaColumn *columns, ExprContext *econtext,
							   bool explain_only);

/* ---------------------------------------------------------------------
 * Scans (fdw/scan.c) and EXPLAIN (fdw/explain.c)
 * ---------------------------------------------------------------------
 */

/* fdw_private of a ForeignScan plan */
enum GcaFdwPrivateIndex
{
	GCA_PRIVATE_RESOURCE,		/* String: resource name */
	GCA_PRIVATE_USED,			/* IntList: attnums the query reads */
	GCA_PRIVATE_CONDS,			/* List of IntList [op, attnum, is_array,
								 * expr index or -1, cmp] */
	GCA_PRIVATE_SORT,			/* List of IntList [attnum, descending,
								 * nulls_first]: pushed ORDER BY */
	GCA_PRIVATE_LIMIT			/* Integer: pushed LIMIT (-1: none) */
};

typedef struct GcaScan GcaScan;
struct ExplainState;

extern GcaScan *gca_scan_begin(ForeignScanState *node, int eflags);
extern TupleTableSlot *gca_scan_next(GcaScan *scan);
extern void gca_scan_rescan(GcaScan *scan);
extern void gca_scan_end(GcaScan *scan);

/* in fdw/explain.c */
extern void gca_explain_scan(GcaScan *scan, struct ExplainState *es);

/* in fdw/progress.c: gcanalytics.scan_progress() */
typedef struct GcaProgress
{
	int			windows_done;
	int			windows_total;
	int64		requests;
	int64		pages;
	int64		rows;
	double		wait_ms;		/* wall clock waiting for responses */
	double		throttled_ms;	/* summed over requests */
} GcaProgress;

extern void gca_progress_shmem_init(void);
extern void gca_progress_report(Oid relid, const char *resource,
								TimestampTz started, const GcaProgress *progress);

/* in fdw/import.c */
extern List *gca_import_foreign_schema(ImportForeignSchemaStmt *stmt,
									   Oid serverOid);

#endif							/* GCA_FDW_H */
