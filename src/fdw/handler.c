/*-------------------------------------------------------------------------
 *
 * handler.c
 *		The FDW handler of gcanalytics_fdw: planner and executor callbacks,
 *		EXPLAIN and IMPORT FOREIGN SCHEMA.
 *
 * Planning finds the pushable conditions (deparse.c), estimates rows from
 * the conversation_start range, offers parameterized paths on
 * conversation_id for joins, and keeps every condition as a local qual.
 * Execution is in scan.c.
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

#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
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
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "fdw.h"
#include "genesys.h"

PG_FUNCTION_INFO_V1(gcanalytics_fdw_handler);

/* What planning keeps in baserel->fdw_private. */
typedef struct GcaPlanInfo
{
	const GcaResourceDef *resource;
	int			ncols;
	int		   *colkinds;		/* GcaColumnKind by attnum - 1 */
	bool		bounded;		/* a lower time bound or ids are given */
	double		conversations;	/* estimated conversations read */
	double		requests;		/* estimated API requests */
} GcaPlanInfo;

#define REQUEST_COST 25.0		/* planner cost units per API request */
#define ROW_COST 0.02			/* per conversation parsed */

static Oid
resource_type_oid(const char *type)
{
	if (strcmp(type, "text") == 0)
		return TEXTOID;
	if (strcmp(type, "timestamptz") == 0)
		return TIMESTAMPTZOID;
	if (strcmp(type, "bigint") == 0)
		return INT8OID;
	if (strcmp(type, "integer") == 0)
		return INT4OID;
	if (strcmp(type, "boolean") == 0)
		return BOOLOID;
	if (strcmp(type, "text[]") == 0)
		return TEXTARRAYOID;
	if (strcmp(type, "jsonb") == 0)
		return JSONBOID;
	return InvalidOid;
}

/*
 * Checks that the table reads a Genesys resource this version supports
 * and that its known columns have the types the parser produces; fills
 * colkinds.
 */
static const GcaResourceDef *
check_table(Oid relid, GcaOptions *opts, int **colkinds, int *ncols)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	const GcaResourceDef *res;

	if (opts->service != GCA_SERVICE_GENESYS || opts->resource == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan foreign table \"%s\"", RelationGetRelationName(rel)),
				 opts->service == GCA_SERVICE_SALESFORCE && opts->sobject
				 ? errdetail("Salesforce objects are not supported by this version of gcanalytics yet.")
				 : errdetail("The table names %s, but server \"%s\" is a %s server.",
							 opts->resource ? "a Genesys resource" : "a Salesforce sobject",
							 opts->servername,
							 opts->service == GCA_SERVICE_GENESYS ? "genesys" : "salesforce")));
	res = gca_find_resource(opts->resource);
	if (res == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot scan foreign table \"%s\"", RelationGetRelationName(rel)),
				 errdetail("Resource \"%s\" is not supported by this version of gcanalytics yet.",
						   opts->resource),
				 errhint("Supported resources: conversations, segments.")));

	*ncols = tupdesc->natts;
	*colkinds = palloc0(sizeof(int) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const GcaColumnDef *def;

		if (att->attisdropped)
			continue;
		if (gca_column_option(relid, i + 1, "attribute"))
		{
			(*colkinds)[i] = GCOL_ATTRIBUTE;
			continue;
		}
		for (def = res->columns; def->name; def++)
			if (strcmp(def->name, NameStr(att->attname)) == 0)
				break;
		if (def->name == NULL)
			continue;			/* unknown columns read as NULL */
		if (att->atttypid != resource_type_oid(def->type))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("column \"%s\" of foreign table \"%s\" has type %s, but Genesys %s gives %s",
							NameStr(att->attname), RelationGetRelationName(rel),
							format_type_be(att->atttypid), res->name, def->type),
					 errhint("Declare the column as %s, or let IMPORT FOREIGN SCHEMA create the table.",
							 def->type)));
		(*colkinds)[i] = def->kind;
	}
	table_close(rel, AccessShareLock);
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

static void
gcaGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	GcaPlanInfo *pi = palloc0(sizeof(GcaPlanInfo));
	GcaOptions *opts = gca_get_options(GetForeignTable(foreigntableid)->serverid,
									   InvalidOid, foreigntableid);
	List	   *conds;
	ListCell   *lc;
	bool		have_lower = false,
				have_upper = false,
				by_id = false;
	TimestampTz lower = 0,
				upper = 0;
	double		ids = 0;
	double		days = 1.0;
	double		selectivity = 1.0;

	pi->resource = check_table(foreigntableid, opts, &pi->colkinds, &pi->ncols);
	conds = gca_classify_conditions(root, baserel, baserel->baserestrictinfo,
									pi->colkinds, pi->ncols);
	foreach(lc, conds)
	{
		GcaCond    *c = lfirst(lc);
		TimestampTz t;

		switch (c->kind)
		{
			case COND_START_GE:
			case COND_START_EQ:
				have_lower = true;
				if (const_time(c->value, &t) && (lower == 0 || t > lower))
					lower = t;
				if (c->kind == COND_START_GE)
					break;
				/* FALLTHROUGH */
			case COND_START_LT:
			case COND_START_LE:
				have_upper = true;
				if (const_time(c->value, &t) && (upper == 0 || t < upper))
					upper = t;
				break;
			case COND_ID_IN:
				by_id = true;
				ids = c->is_array
					? (IsA(c->value, Const) && !((Const *) c->value)->constisnull
					   ? ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(((Const *) c->value)->constvalue)),
										ARR_DIMS(DatumGetArrayTypeP(((Const *) c->value)->constvalue)))
					   : 10)
					: 1;
				break;
			case COND_DIM_IN:
				selectivity *= 0.2;
				break;
			case COND_END_NOT_NULL:
				break;
		}
	}
	if (lower != 0 && upper != 0 && upper > lower)
		days = (double) (upper - lower) / USECS_PER_DAY;
	else if (lower != 0 && !have_upper)
		days = Max((double) (GetCurrentTimestamp() - lower) / USECS_PER_DAY, 1.0 / 24);

	pi->bounded = have_lower || by_id;
	if (by_id)
	{
		pi->conversations = ids;
		pi->requests = ceil(ids / 100.0);
	}
	else
	{
		pi->conversations = Max(days * GCA_CONVERSATIONS_PER_DAY_ESTIMATE * selectivity, 1);
		pi->requests = ceil(pi->conversations / 100.0) + ceil(days);
	}
	baserel->rows = clamp_row_est(pi->conversations * pi->resource->rows_per_conversation);
	baserel->fdw_private = pi;
}

/* Matches an equivalence member that is our conversation_id column. */
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

/*
 * Adds a path per join clause "conversation_id = outer value": one by-id
 * request per outer row instead of reading a time range.
 */
static void
add_parameterized_paths(PlannerInfo *root, RelOptInfo *baserel, GcaPlanInfo *pi)
{
	int			id_attnum = 0;
	List	   *candidates = NIL;
	ListCell   *lc;

	for (int i = 0; i < pi->ncols; i++)
		if (pi->colkinds[i] == GCOL_CONVERSATION_ID)
			id_attnum = i + 1;
	if (id_attnum == 0)
		return;

	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *ri = lfirst(lc);

		if (join_clause_is_movable_to(ri, baserel))
			candidates = lappend(candidates, ri);
	}
	if (baserel->has_eclass_joins)
		candidates = list_concat(candidates,
								 generate_implied_equalities_for_column(root, baserel,
																		ec_member_is_id,
																		&id_attnum,
																		baserel->lateral_referencers));
	foreach(lc, candidates)
	{
		RestrictInfo *ri = lfirst(lc);
		List	   *conds = gca_classify_conditions(root, baserel, list_make1(ri),
													pi->colkinds, pi->ncols);
		Relids		required_outer;
		ParamPathInfo *ppi;
		double		rows;

		if (list_length(conds) != 1 || ((GcaCond *) linitial(conds))->kind != COND_ID_IN)
			continue;
		required_outer = bms_difference(bms_union(ri->clause_relids, baserel->lateral_relids),
										baserel->relids);
		if (bms_is_empty(required_outer))
			continue;
		ppi = get_baserel_parampathinfo(root, baserel, required_outer);
		rows = Max(pi->resource->rows_per_conversation, 1);
		ppi->ppi_rows = rows;
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, rows,
										 REQUEST_COST, REQUEST_COST + rows * ROW_COST,
										 NIL, required_outer, NULL, NIL));
	}
}

static void
gcaGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	GcaPlanInfo *pi = baserel->fdw_private;
	Cost		startup = REQUEST_COST;
	Cost		total = startup + pi->requests * REQUEST_COST + pi->conversations * ROW_COST;

	/* an unbounded scan fails at execution: let any alternative win */
	if (!pi->bounded)
	{
		startup += disable_cost;
		total += disable_cost;
	}
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup, total, NIL, NULL, NULL, NIL));
	add_parameterized_paths(root, baserel, pi);
}

static ForeignScan *
gcaGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	GcaPlanInfo *pi = baserel->fdw_private;
	List	   *conds;
	List	   *fdw_exprs = NIL;
	List	   *serialized = NIL;
	List	   *used = NIL;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	bool		bounded = false;
	int			attnum;

	conds = gca_classify_conditions(root, baserel, scan_clauses, pi->colkinds, pi->ncols);
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
							 list_make4_int(c->kind, c->column, c->is_array ? 1 : 0, expr_index));
		if (c->kind == COND_START_GE || c->kind == COND_START_EQ || c->kind == COND_ID_IN)
			bounded = true;
	}
	if (!bounded)
		gca_error_unbounded_scan(get_rel_name(foreigntableid));

	/* the columns the query reads, also those only the local quals need */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	foreach(lc, scan_clauses)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, baserel->relid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
	{
		for (attnum = 1; attnum <= pi->ncols; attnum++)
			used = lappend_int(used, attnum);
	}
	else
	{
		attnum = -1;
		while ((attnum = bms_next_member(attrs, attnum)) >= 0)
		{
			int			a = attnum + FirstLowInvalidHeapAttributeNumber;

			if (a > 0)
				used = lappend_int(used, a);
		}
	}

	scan_clauses = extract_actual_clauses(scan_clauses, false);
	return make_foreignscan(tlist, scan_clauses, baserel->relid, fdw_exprs,
							list_make3(makeString(pstrdup(pi->resource->name)), used, serialized),
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
gcaExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	gca_scan_explain((GcaScan *) node->fdw_state, es);
}

/*
 * IMPORT FOREIGN SCHEMA analytics FROM SERVER <genesys server> INTO s:
 * one foreign table per Genesys resource (LIMIT TO / EXCEPT apply).
 */
static List *
gcaImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	GcaOptions *opts = gca_get_options(serverOid, InvalidOid, InvalidOid);
	ForeignServer *server = GetForeignServer(serverOid);
	List	   *commands = NIL;
	const GcaResourceDef *res;

	if (opts->service != GCA_SERVICE_GENESYS)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot import from salesforce server \"%s\" yet", server->servername),
				 errdetail("Salesforce objects are not supported by this version of gcanalytics yet.")));
	if (strcmp(stmt->remote_schema, "analytics") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("genesys server \"%s\" has no remote schema \"%s\"",
						server->servername, stmt->remote_schema),
				 errhint("Use IMPORT FOREIGN SCHEMA analytics FROM SERVER %s INTO ...",
						 quote_identifier(server->servername))));

	for (res = gca_resources(); res->name; res++)
	{
		StringInfoData buf;
		const GcaColumnDef *c;

		initStringInfo(&buf);
		appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (", quote_identifier(res->name));
		for (c = res->columns; c->name; c++)
			appendStringInfo(&buf, "%s%s %s", c == res->columns ? "" : ", ",
							 quote_identifier(c->name), c->type);
		appendStringInfo(&buf, ") SERVER %s OPTIONS (resource %s)",
						 quote_identifier(server->servername),
						 quote_literal_cstr(res->name));
		commands = lappend(commands, buf.data);
	}
	return commands;
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
	routine->ImportForeignSchema = gcaImportForeignSchema;
	PG_RETURN_POINTER(routine);
}
