/*-------------------------------------------------------------------------
 *
 * handler.c
 *		The FDW handler of gcanalytics_fdw: planner and executor callbacks.
 *
 * Planning finds the table's resource in the registry, classifies the
 * pushable conditions once (pushdown.c), asks the resource for row and
 * request estimates, offers parameterized paths on the id column for
 * joins, and keeps every condition as a local qual.  Execution is the
 * generic scan engine (scan.c), EXPLAIN is explain.c and IMPORT FOREIGN
 * SCHEMA import.c.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/handler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "catalog/pg_type.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "fdw.h"

PG_FUNCTION_INFO_V1(gcanalytics_fdw_handler);

#define REQUEST_COST 25.0		/* planner cost units per API request */
#define ROW_COST 0.02			/* per row parsed */

/*
 * The resource a foreign table reads; an error when the table and its
 * server disagree or the resource is unknown.
 */
static const GcaResource *
table_resource(Relation rel, const GcaOptions *opts)
{
	const GcaResource *res = NULL;
	const char *service = gca_service_name(opts->http.service);

	if (opts->resource)
		res = gca_find_resource(opts->resource);
	else
	{
		/* a table naming a remote object: the resource of that option */
		const char *what = NULL;

		for (const GcaResource *const *r = gca_resources(); *r; r++)
			if ((*r)->object_option && opts->object_option &&
				strcmp((*r)->object_option, opts->object_option) == 0)
			{
				what = (*r)->object_what;
				if ((*r)->service == opts->http.service)
					res = *r;
			}
		if (res == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot scan foreign table \"%s\"", RelationGetRelationName(rel)),
					 errdetail("The table names %s, but server \"%s\" is a %s server.",
							   what ? what : "a remote object",
							   opts->http.servername, service)));
		return res;
	}
	if (res == NULL || res->service != opts->http.service)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan foreign table \"%s\"", RelationGetRelationName(rel)),
				 res ? errdetail("Resource \"%s\" is read from %s servers, but server \"%s\" is a %s server.",
								 opts->resource, gca_service_name(res->service),
								 opts->http.servername, service)
				 : errdetail("Resource \"%s\" is not supported by this version of gcanalytics.",
							 opts->resource)));
	return res;
}

/* The value of a Const time bound in microseconds, or false. */
static bool
const_time(Expr *e, TimestampTz *t)
{
	Const	   *c;

	if (!IsA(e, Const) || ((Const *) e)->constisnull)
		return false;
	c = (Const *) e;
	if (c->consttype == TIMESTAMPTZOID || c->consttype == TIMESTAMPOID)
		*t = DatumGetTimestampTz(c->constvalue);
	else if (c->consttype == DATEOID)
		*t = (TimestampTz) DatumGetDateADT(c->constvalue) * USECS_PER_DAY;
	else
		return false;
	return true;
}

/* The number of elements of a constant array, else dflt. */
static double
const_array_length_or(Expr *e, double dflt)
{
	ArrayType  *arr;

	if (!IsA(e, Const) || ((Const *) e)->constisnull)
		return dflt;
	arr = DatumGetArrayTypeP(((Const *) e)->constvalue);
	return ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
}

/* What the conditions say about the size of a read. */
static void
estimate_input(GcaPlanState *ps, GcaEstimateInput *in)
{
	TimestampTz lower = 0,
				upper = 0;
	bool		have_upper = false;
	ListCell   *lc;

	memset(in, 0, sizeof(GcaEstimateInput));
	in->ids = -1;
	in->days = 1.0;
	foreach(lc, ps->conds)
	{
		GcaCond    *c = lfirst(lc);
		const GcaColumnDef *def = ps->columns[c->attnum - 1].def;
		TimestampTz t;

		switch (def->push)
		{
			case GCA_PUSH_TIME:
				if (c->op == GCA_OP_GE || c->op == GCA_OP_EQ)
				{
					in->have_time = true;
					if (const_time(c->value, &t) && (lower == 0 || t > lower))
						lower = t;
				}
				if (c->op != GCA_OP_GE)
				{
					have_upper = true;
					if (const_time(c->value, &t) && (upper == 0 || t < upper))
						upper = t;
				}
				break;
			case GCA_PUSH_ID:
				in->ids = !c->is_array ? 1
					: Max(const_array_length_or(c->value, 10), 0);
				break;
			case GCA_PUSH_FILTER:
			case GCA_PUSH_ARRAY_FILTER:
			case GCA_PUSH_WHERE:
				in->filters++;
				break;
			default:
				break;
		}
	}
	if (lower != 0 && upper != 0 && upper > lower)
	{
		in->days = (double) (upper - lower) / USECS_PER_DAY;
		in->have_range = true;
		in->lower = lower;
		in->upper = upper;
	}
	else if (lower != 0 && !have_upper)
		in->days = Max((double) (GetCurrentTimestamp() - lower) / USECS_PER_DAY, 1.0 / 24);
}

static void
gcaGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	GcaPlanState *ps = palloc0(sizeof(GcaPlanState));
	Relation	rel = table_open(foreigntableid, AccessShareLock);
	GcaEstimateInput in;
	double		rows;
	Oid			serverid = GetForeignTable(foreigntableid)->serverid;

	ps->opts = gca_get_options(serverid, InvalidOid, foreigntableid);
	ps->resource = table_resource(rel, ps->opts);
	if (ps->resource->bind_columns)
	{
		/* the columns come from the API (describe): as the querying user */
		ps->opts = gca_get_options(serverid,
								   OidIsValid(baserel->userid) ? baserel->userid : GetUserId(),
								   foreigntableid);
	}
	ps->ncolumns = RelationGetDescr(rel)->natts;
	ps->columns = gca_table_columns(rel, ps->resource, ps->opts, true);
	table_close(rel, AccessShareLock);

	ps->conds = gca_classify_conditions(root, baserel, baserel->baserestrictinfo,
										ps->columns, ps->ncolumns);
	ps->bounded = gca_conds_bound(ps->resource, ps->columns, ps->conds);
	estimate_input(ps, &in);
	if (ps->opts->use_remote_estimate)
		in.client = gca_client_get(&gca_get_options(ps->opts->http.serverid, GetUserId(),
													foreigntableid)->http);
	ps->resource->estimate(&in, &rows, &ps->requests);
	baserel->rows = clamp_row_est(rows);
	baserel->fdw_private = ps;
}

/* Matches an equivalence member that is our id column. */
static bool
ec_member_is_id(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
				EquivalenceMember *em, void *arg)
{
	int			attnum = *(int *) arg;
	Expr	   *e = em->em_expr;

	if (e && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	return e && IsA(e, Var) && ((Var *) e)->varno == rel->relid &&
		((Var *) e)->varattno == attnum && ((Var *) e)->varlevelsup == 0;
}

/* Whether a join clause "column = outer value" can be sent for column. */
static bool
is_join_column(const GcaColumnDef *def)
{
	return def && (def->push == GCA_PUSH_ID ||
				   (def->push == GCA_PUSH_WHERE &&
					(def->where_ops & GCA_CMP_BIT(GCA_CMP_EQ))));
}

/*
 * Adds a path per join clause "id column = outer value" (or, for
 * resources with a query language, "column = outer value"): a read by
 * that value per outer row instead of a full read.  The path's
 * fdw_private holds the clause's condition.
 */
static void
add_parameterized_paths(PlannerInfo *root, RelOptInfo *baserel, GcaPlanState *ps)
{
	List	   *candidates = NIL;
	ListCell   *lc;
	double		rows,
				requests;
	GcaEstimateInput in = {.ids = 1,.days = 1.0};

	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *ri = lfirst(lc);

		if (join_clause_is_movable_to(ri, baserel))
			candidates = lappend(candidates, ri);
	}
	for (int i = 0; i < ps->ncolumns && baserel->has_eclass_joins; i++)
	{
		int			attnum = i + 1;

		if (is_join_column(ps->columns[i].def))
			candidates = list_concat(candidates,
									 generate_implied_equalities_for_column(root, baserel,
																			ec_member_is_id,
																			&attnum,
																			baserel->lateral_referencers));
	}
	ps->resource->estimate(&in, &rows, &requests);
	rows = Max(rows, 1);
	foreach(lc, candidates)
	{
		RestrictInfo *ri = lfirst(lc);
		List	   *conds = gca_classify_conditions(root, baserel, list_make1(ri),
													ps->columns, ps->ncolumns);
		GcaCond    *c;
		Relids		required_outer;
		ParamPathInfo *ppi;

		if (list_length(conds) != 1)
			continue;
		c = linitial(conds);
		if (!is_join_column(ps->columns[c->attnum - 1].def) ||
			(c->op != GCA_OP_EQ && !(c->op == GCA_OP_WHERE && c->cmp == GCA_CMP_EQ)))
			continue;
		required_outer = bms_difference(bms_union(ri->clause_relids, baserel->lateral_relids),
										baserel->relids);
		if (bms_is_empty(required_outer))
			continue;
		ppi = get_baserel_parampathinfo(root, baserel, required_outer);
		ppi->ppi_rows = rows;
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, rows,
										 REQUEST_COST, REQUEST_COST + rows * ROW_COST,
										 NIL, required_outer, NULL,
										 list_make3(conds, NIL, makeInteger(-1))));
	}
}

/*
 * The pushed ORDER BY of query_pathkeys, as a List of IntList [attnum,
 * descending, nulls_first]; NIL unless every key is a plain column the
 * resource can sort by (GCA_WHERE_SORTABLE) under its type's default
 * btree order.
 */
static List *
pushed_sort(PlannerInfo *root, RelOptInfo *baserel, GcaPlanState *ps)
{
	List	   *sort = NIL;
	ListCell   *lc;

	foreach(lc, root->query_pathkeys)
	{
		PathKey    *pk = lfirst(lc);
		ListCell   *lm;
		int			attnum = 0;

		if (pk->pk_eclass->ec_has_volatile)
			return NIL;
		foreach(lm, pk->pk_eclass->ec_members)
		{
			EquivalenceMember *em = lfirst(lm);
			Expr	   *e = em->em_expr;
			const GcaColumn *col;

			if (!bms_equal(em->em_relids, baserel->relids) || !IsA(e, Var) ||
				((Var *) e)->varattno <= 0 || ((Var *) e)->varattno > ps->ncolumns)
				continue;
			col = &ps->columns[((Var *) e)->varattno - 1];
			if (col->def && col->def->push == GCA_PUSH_WHERE &&
				(col->def->where_ops & GCA_WHERE_SORTABLE) &&
				pk->pk_opfamily == get_opclass_family(GetDefaultOpClass(col->typid, BTREE_AM_OID)))
				attnum = ((Var *) e)->varattno;
		}
		if (attnum == 0)
			return NIL;
		sort = lappend(sort, list_make3_int(attnum,
											pk->pk_strategy == BTGreaterStrategyNumber,
											pk->pk_nulls_first));
	}
	return sort;
}

/*
 * The LIMIT a scan may pass on to the resource: the query's hard limit
 * when this table is its only relation, every restriction is pushed, and
 * the scan's order is the query's (sorted: the pushed ORDER BY covers
 * query_pathkeys).  -1 otherwise.  The resource still drops it unless it
 * sends every condition exactly.
 */
static int
pushed_limit(PlannerInfo *root, RelOptInfo *baserel, GcaPlanState *ps,
			 bool sorted)
{
	if (root->limit_tuples <= 0 || root->limit_tuples > PG_INT32_MAX ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		list_length(ps->conds) != list_length(baserel->baserestrictinfo) ||
		(root->query_pathkeys != NIL && !sorted))
		return -1;
	return (int) root->limit_tuples;
}

static void
gcaGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	GcaPlanState *ps = baserel->fdw_private;
	Cost		startup = REQUEST_COST;
	Cost		total = startup + ps->requests * REQUEST_COST + baserel->rows * ROW_COST;
	List	   *sort;

	/* an unbounded scan fails at execution: let any alternative win */
	if (!ps->bounded)
	{
		startup += disable_cost;
		total += disable_cost;
	}
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup, total, NIL, NULL, NULL,
									 list_make3(NIL, NIL,
												makeInteger(pushed_limit(root, baserel, ps, false)))));
	sort = pushed_sort(root, baserel, ps);
	if (sort != NIL)
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, baserel->rows,
										 startup, total + 1.0, root->query_pathkeys,
										 NULL, NULL,
										 list_make3(NIL, sort,
													makeInteger(pushed_limit(root, baserel, ps, true)))));
	add_parameterized_paths(root, baserel, ps);
}

/* The attnums the query reads, also those only the local quals need. */
static List *
used_attnums(RelOptInfo *baserel, List *scan_clauses, int ncolumns)
{
	Bitmapset  *attrs = NULL;
	List	   *used = NIL;
	ListCell   *lc;
	int			attnum;

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	foreach(lc, scan_clauses)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, baserel->relid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
	{
		for (attnum = 1; attnum <= ncolumns; attnum++)
			used = lappend_int(used, attnum);
		return used;
	}
	attnum = -1;
	while ((attnum = bms_next_member(attrs, attnum)) >= 0)
	{
		int			a = attnum + FirstLowInvalidHeapAttributeNumber;

		if (a > 0)
			used = lappend_int(used, a);
	}
	return used;
}

static ForeignScan *
gcaGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	GcaPlanState *ps = baserel->fdw_private;
	/* the path's: [join conditions, pushed sort, pushed limit] */
	List	   *conds = list_concat(list_copy(ps->conds),
									linitial(best_path->fdw_private));
	List	   *fdw_exprs = NIL;
	List	   *serialized = NIL;
	ListCell   *lc;

	if (!gca_conds_bound(ps->resource, ps->columns, conds))
		gca_error_unbounded_scan(get_rel_name(foreigntableid), ps->resource);
	foreach(lc, conds)
	{
		GcaCond    *c = lfirst(lc);
		int			expr_index = -1;

		if (c->value)
		{
			fdw_exprs = lappend(fdw_exprs, c->value);
			expr_index = list_length(fdw_exprs) - 1;
		}
		serialized = lappend(serialized,
							 list_make5_int(c->op, c->attnum, c->is_array ? 1 : 0,
											expr_index, c->cmp));
	}
	return make_foreignscan(tlist, extract_actual_clauses(scan_clauses, false),
							baserel->relid, fdw_exprs,
							list_make5(makeString(pstrdup(ps->resource->name)),
									   used_attnums(baserel, scan_clauses, ps->ncolumns),
									   serialized,
									   lsecond(best_path->fdw_private),
									   lthird(best_path->fdw_private)),
							NIL, NIL, outer_plan);
}

static void
gcaBeginForeignScan(ForeignScanState *node, int eflags)
{
	node->fdw_state = gca_scan_begin(node, eflags);
}

static TupleTableSlot *
gcaIterateForeignScan(ForeignScanState *node)
{
	return gca_scan_next((GcaScan *) node->fdw_state);
}

static void
gcaReScanForeignScan(ForeignScanState *node)
{
	gca_scan_rescan((GcaScan *) node->fdw_state);
}

static void
gcaEndForeignScan(ForeignScanState *node)
{
	gca_scan_end((GcaScan *) node->fdw_state);
	node->fdw_state = NULL;
}

static void
gcaExplainForeignScan(ForeignScanState *node, struct ExplainState *es)
{
	gca_explain_scan((GcaScan *) node->fdw_state, es);
}

/*
 * Returns the FdwRoutine of gcanalytics_fdw.
 */
Datum
gcanalytics_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = gcaGetForeignRelSize;
	routine->GetForeignPaths = gcaGetForeignPaths;
	routine->GetForeignPlan = gcaGetForeignPlan;
	routine->BeginForeignScan = gcaBeginForeignScan;
	routine->IterateForeignScan = gcaIterateForeignScan;
	routine->ReScanForeignScan = gcaReScanForeignScan;
	routine->EndForeignScan = gcaEndForeignScan;
	routine->ExplainForeignScan = gcaExplainForeignScan;
	routine->ImportForeignSchema = gca_import_foreign_schema;
	PG_RETURN_POINTER(routine);
}
