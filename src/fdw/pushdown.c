/*-------------------------------------------------------------------------
 *
 * pushdown.c
 *		Which WHERE conditions go to the API, decided from the resource's
 *		column roles, and their values at execution.
 *
 * A condition is pushed only when its column has a pushdown role
 * (resource.h), its operator is a built-in one of the role's shape, and
 * its collation is deterministic and the column's own: an "=" under a
 * case-insensitive collation matches rows the API's exact match would
 * drop.  Every condition also stays in the scan's local quals, since the
 * APIs match differently (interval overlap, any segment, case).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/pushdown.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "fdw.h"
#include "isotime.h"

/* ------------------------------------------------------------------
 * The columns of a foreign table
 * ------------------------------------------------------------------
 */

/*
 * Maps the columns of rel to the resource's: by name, or to a
 * participant attribute by the column option "attribute".  Other columns
 * read as NULL.  With check_types, a known column of another type is an
 * error.  palloc'd, indexed by attnum - 1.
 */
GcaColumn *
gca_table_columns(Relation rel, const GcaResource *res, const GcaOptions *opts,
				  bool check_types)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	GcaColumn  *columns = palloc0(sizeof(GcaColumn) * Max(tupdesc->natts, 1));

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		GcaColumn  *col = &columns[i];
		Oid			type;

		if (att->attisdropped)
			continue;
		col->name = pstrdup(NameStr(att->attname));
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		col->attribute = gca_column_option(RelationGetRelid(rel), i + 1, "attribute");
		col->field = gca_column_option(RelationGetRelid(rel), i + 1, "field");
		col->field_type = gca_column_option(RelationGetRelid(rel), i + 1, "field_type");
		if (col->attribute || res->bind_columns)
			continue;
		col->def = gca_find_column(res, NameStr(att->attname));
		if (col->def == NULL || !check_types)
			continue;
		type = gca_column_type(col->def);
		if (att->atttypid != type)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("column \"%s\" of foreign table \"%s\" has type %s, but resource \"%s\" gives %s",
							NameStr(att->attname), RelationGetRelationName(rel),
							format_type_be(att->atttypid), res->name,
							format_type_be(type)),
					 errhint("Declare the column as %s, or let IMPORT FOREIGN SCHEMA create the table.",
							 format_type_be(type))));
	}
	if (res->bind_columns)
	{
		GcaTableRef ref;

		ref.relname = RelationGetRelationName(rel);
		ref.object = res->object_option ? opts->object : opts->resource;
		ref.http = &opts->http;
		ref.options = opts->options;
		res->bind_columns(&ref, columns, tupdesc->natts);
	}
	return columns;
}

/* ------------------------------------------------------------------
 * Classifying conditions
 * ------------------------------------------------------------------
 */

/* The column definition behind a plain Var of rel, or NULL. */
static const GcaColumnDef *
var_column(Node *node, RelOptInfo *rel, const GcaColumn *columns, int ncols,
		   int *attnum, Oid *collid)
{
	Var		   *var;

	if (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var))
		return NULL;
	var = (Var *) node;
	if (var->varno != rel->relid || var->varlevelsup != 0 ||
		var->varattno <= 0 || var->varattno > ncols)
		return NULL;
	*attnum = var->varattno;
	*collid = var->varcollid;
	return columns[var->varattno - 1].def;
}

/*
 * True when expr can be evaluated before the scan: no Var of rel, nothing
 * volatile (outer Vars become parameters).
 */
static bool
is_value_expr(Node *expr, RelOptInfo *rel)
{
	Relids		relids = pull_varnos(NULL, expr);

	return !bms_is_member(rel->relid, relids) &&
		!contain_volatile_functions(expr) &&
		!contain_subplans(expr);
}

static bool
is_time_type(Oid typid)
{
	return typid == TIMESTAMPTZOID || typid == TIMESTAMPOID || typid == DATEOID;
}

static bool
is_text_type(Oid typid)
{
	return typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID ||
		typid == UNKNOWNOID || typid == NAMEOID;
}

/*
 * A built-in operator, compared under no collation or under the column's
 * own deterministic one: only then does the API's exact matching agree
 * with SQL's.
 */
static bool
is_shippable_operator(Oid opno, Oid inputcollid, Oid column_collid)
{
	if (opno >= FirstNormalObjectId)
		return false;
	if (!OidIsValid(inputcollid))
		return true;
	return inputcollid == column_collid &&
		get_collation_isdeterministic(inputcollid);
}

static List *
add_cond(List *conds, GcaCondOp op, int attnum, Node *value, bool is_array)
{
	GcaCond    *c = palloc0(sizeof(GcaCond));

	c->op = op;
	c->attnum = attnum;
	c->value = (Expr *) value;
	c->is_array = is_array;
	return lappend(conds, c);
}

/* "col op value" (value on the right, operator already shippable). */
static List *
add_comparison(List *conds, const GcaColumnDef *def, int attnum,
			   const char *opname, Node *value)
{
	Oid			valtype = exprType(value);

	if (def->push == GCA_PUSH_TIME)
	{
		if (!is_time_type(valtype))
			return conds;
		if (strcmp(opname, ">=") == 0 || strcmp(opname, ">") == 0)
			return add_cond(conds, GCA_OP_GE, attnum, value, false);
		if (strcmp(opname, "<") == 0)
			return add_cond(conds, GCA_OP_LT, attnum, value, false);
		if (strcmp(opname, "<=") == 0)
			return add_cond(conds, GCA_OP_LE, attnum, value, false);
		if (strcmp(opname, "=") == 0)
			return add_cond(conds, GCA_OP_EQ, attnum, value, false);
		return conds;
	}
	if ((def->push == GCA_PUSH_ID || def->push == GCA_PUSH_FILTER ||
		 def->push == GCA_PUSH_PARAM) &&
		strcmp(opname, "=") == 0 && is_text_type(valtype))
		return add_cond(conds, GCA_OP_EQ, attnum, value, false);
	return conds;
}

/* The SQL operator names of the GCA_PUSH_WHERE comparisons. */
static const struct
{
	const char *opname;
	GcaCompare	cmp;
}			where_operators[] = {
	{"=", GCA_CMP_EQ}, {"<>", GCA_CMP_NE}, {"<", GCA_CMP_LT},
	{"<=", GCA_CMP_LE}, {">", GCA_CMP_GT}, {">=", GCA_CMP_GE},
	{"~~", GCA_CMP_LIKE},
};

/*
 * A value may be compared remotely only when it has the column's type (or
 * both are strings): a date field takes a date, a datetime a timestamptz.
 */
static bool
same_value_type(Oid valtype, Oid coltype)
{
	return valtype == coltype || (is_text_type(valtype) && is_text_type(coltype));
}

static List *
add_where(List *conds, const GcaColumn *col, int attnum, GcaCompare cmp,
		  Node *value, bool is_array)
{
	GcaCond    *c;

	if (!(col->def->where_ops & GCA_CMP_BIT(cmp)))
		return conds;
	if (value && !same_value_type(is_array ? get_element_type(exprType(value))
								  : exprType(value), col->typid))
		return conds;
	conds = add_cond(conds, GCA_OP_WHERE, attnum, value, is_array);
	c = llast(conds);
	c->cmp = cmp;
	return conds;
}

/* "col op value" on a GCA_PUSH_WHERE column. */
static List *
add_where_comparison(List *conds, const GcaColumn *col, int attnum,
					 const char *opname, Node *value)
{
	for (int i = 0; i < lengthof(where_operators); i++)
		if (strcmp(where_operators[i].opname, opname) == 0)
			return add_where(conds, col, attnum, where_operators[i].cmp, value, false);
	return conds;
}

static const char *
commuted(const char *opname)
{
	if (strcmp(opname, "<") == 0)
		return ">";
	if (strcmp(opname, "<=") == 0)
		return ">=";
	if (strcmp(opname, ">") == 0)
		return "<";
	if (strcmp(opname, ">=") == 0)
		return "<=";
	return opname;
}

/* The number of elements of a constant array, or -1. */
static int
const_array_length(Node *node)
{
	ArrayType  *arr;

	if (!IsA(node, Const) || ((Const *) node)->constisnull)
		return -1;
	arr = DatumGetArrayTypeP(((Const *) node)->constvalue);
	return ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
}

static List *
classify_opexpr(List *conds, OpExpr *op, RelOptInfo *rel,
				const GcaColumn *columns, int ncols)
{
	Node	   *left,
			   *right;
	const GcaColumnDef *ldef,
			   *rdef;
	int			lattno = 0,
				rattno = 0;
	Oid			lcoll = InvalidOid,
				rcoll = InvalidOid;
	char	   *opname;

	if (list_length(op->args) != 2)
		return conds;
	left = linitial(op->args);
	right = lsecond(op->args);
	ldef = var_column(left, rel, columns, ncols, &lattno, &lcoll);
	rdef = var_column(right, rel, columns, ncols, &rattno, &rcoll);
	if ((ldef == NULL) == (rdef == NULL) ||
		!is_shippable_operator(op->opno, op->inputcollid, ldef ? lcoll : rcoll) ||
		(opname = get_opname(op->opno)) == NULL)
		return conds;
	if (ldef && ldef->push == GCA_PUSH_ARRAY_FILTER)
	{
		/* col @> array: every element must be present, so one element */
		if (strcmp(opname, "@>") == 0 && is_value_expr(right, rel) &&
			const_array_length(right) == 1)
			return add_cond(conds, GCA_OP_CONTAINS, lattno, right, true);
		return conds;
	}
	if (ldef && ldef->push == GCA_PUSH_WHERE)
		return is_value_expr(right, rel)
			? add_where_comparison(conds, &columns[lattno - 1], lattno, opname, right)
			: conds;
	if (rdef && rdef->push == GCA_PUSH_WHERE)
		return is_value_expr(left, rel) && strcmp(opname, "~~") != 0
			? add_where_comparison(conds, &columns[rattno - 1], rattno,
								   commuted(opname), left)
			: conds;
	if (ldef && is_value_expr(right, rel))
		return add_comparison(conds, ldef, lattno, opname, right);
	if (rdef && is_value_expr(left, rel))
		return add_comparison(conds, rdef, rattno, commuted(opname), left);
	return conds;
}

static List *
classify_saop(List *conds, ScalarArrayOpExpr *saop, RelOptInfo *rel,
			  const GcaColumn *columns, int ncols)
{
	Node	   *left = linitial(saop->args);
	Node	   *right = lsecond(saop->args);
	int			lattno = 0,
				rattno = 0;
	Oid			lcoll = InvalidOid,
				rcoll = InvalidOid;
	const GcaColumnDef *ldef = var_column(left, rel, columns, ncols, &lattno, &lcoll);
	const GcaColumnDef *rdef = var_column(right, rel, columns, ncols, &rattno, &rcoll);
	char	   *opname = get_opname(saop->opno);

	if (!saop->useOr || opname == NULL || strcmp(opname, "=") != 0 ||
		(ldef == NULL) == (rdef == NULL) ||
		!is_shippable_operator(saop->opno, saop->inputcollid, ldef ? lcoll : rcoll))
		return conds;
	if (ldef && ldef->push == GCA_PUSH_WHERE && is_value_expr(right, rel))
		return add_where(conds, &columns[lattno - 1], lattno, GCA_CMP_IN, right, true);
	if (ldef && is_value_expr(right, rel) &&
		(ldef->push == GCA_PUSH_ID || ldef->push == GCA_PUSH_FILTER ||
		 ldef->push == GCA_PUSH_PARAM))
		return add_cond(conds, GCA_OP_IN, lattno, right, true);	/* col = ANY(array) */
	if (rdef && rdef->push == GCA_PUSH_ARRAY_FILTER && is_value_expr(left, rel))
		return add_cond(conds, GCA_OP_CONTAINS, rattno, left, false);	/* value = ANY(col) */
	return conds;
}

/*
 * A boolean column as a whole clause ("WHERE col", "WHERE NOT col": how
 * the planner writes col = true and col = false) on a GCA_PUSH_WHERE
 * column: col = true / false.
 */
static List *
classify_boolean(List *conds, Expr *clause, RelOptInfo *rel,
				 const GcaColumn *columns, int ncols)
{
	bool		negated = is_notclause(clause);
	Node	   *arg = negated ? (Node *) get_notclausearg(clause) : (Node *) clause;
	int			attno = 0;
	Oid			coll;
	const GcaColumnDef *def = var_column(arg, rel, columns, ncols, &attno, &coll);

	if (def == NULL || def->push != GCA_PUSH_WHERE || exprType(arg) != BOOLOID)
		return conds;
	return add_where(conds, &columns[attno - 1], attno, GCA_CMP_EQ,
					 (Node *) makeBoolConst(!negated, false), false);
}

/* Conditions from one clause (conjunct) of the WHERE list. */
static List *
classify_clause(List *conds, Expr *clause, RelOptInfo *rel,
				const GcaColumn *columns, int ncols)
{
	if (IsA(clause, Var) || is_notclause(clause))
		return classify_boolean(conds, clause, rel, columns, ncols);
	if (IsA(clause, OpExpr))
		return classify_opexpr(conds, (OpExpr *) clause, rel, columns, ncols);
	if (IsA(clause, ScalarArrayOpExpr))
		return classify_saop(conds, (ScalarArrayOpExpr *) clause, rel, columns, ncols);
	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;
		int			attno = 0;
		Oid			coll;
		const GcaColumnDef *def = var_column((Node *) nt->arg, rel, columns, ncols,
											 &attno, &coll);

		if (nt->nulltesttype == IS_NOT_NULL && !nt->argisrow &&
			def && def->push == GCA_PUSH_EXISTS)
			return add_cond(conds, GCA_OP_NOT_NULL, attno, NULL, false);
		if (!nt->argisrow && def && def->push == GCA_PUSH_WHERE)
			return add_where(conds, &columns[attno - 1], attno,
							 nt->nulltesttype == IS_NULL ? GCA_CMP_IS_NULL : GCA_CMP_NOT_NULL,
							 NULL, false);
	}
	return conds;
}

/*
 * Finds the pushable conditions among clauses (RestrictInfos or bare
 * expressions) of rel, in clause order.  Every clause stays a local qual.
 */
List *
gca_classify_conditions(PlannerInfo *root, RelOptInfo *rel, List *clauses,
						const GcaColumn *columns, int ncolumns)
{
	List	   *conds = NIL;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		Expr	   *clause = (Expr *) lfirst(lc);

		if (IsA(clause, RestrictInfo))
			clause = ((RestrictInfo *) clause)->clause;
		conds = classify_clause(conds, clause, rel, columns, ncolumns);
	}
	return conds;
}

/*
 * Whether conds let a scan of res run: resources read by time range need
 * a lower time bound or ids.
 */
bool
gca_conds_bound(const GcaResource *res, const GcaColumn *columns, List *conds)
{
	ListCell   *lc;

	if (!res->needs_time_bound)
		return true;
	foreach(lc, conds)
	{
		GcaCond    *c = lfirst(lc);
		const GcaColumnDef *def = columns[c->attnum - 1].def;

		if ((def->push == GCA_PUSH_TIME && (c->op == GCA_OP_GE || c->op == GCA_OP_EQ)) ||
			def->push == GCA_PUSH_ID)
			return true;
	}
	return false;
}

/*
 * Refuses a scan of relname that gives no lower bound on res's time
 * column (nor ids).  Never returns.
 */
void
gca_error_unbounded_scan(const char *relname, const GcaResource *res)
{
	const GcaColumnDef *time = gca_column_with_role(res, GCA_PUSH_TIME);
	const GcaColumnDef *id = gca_column_with_role(res, GCA_PUSH_ID);

	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_EXECUTION),
			 errmsg("a scan of foreign table \"%s\" needs a lower bound on %s",
					relname, time ? time->name : "its time column"),
			 errdetail("Resource \"%s\" is read by time interval; an unbounded scan would crawl the whole history.",
					   res->name),
			 id ? errhint("Add WHERE %s >= ... (and < ...), or filter on %s.",
						  time ? time->name : "...", id->name)
			 : errhint("Add WHERE %s >= ... (and < ...).", time ? time->name : "...")));
}

/* ------------------------------------------------------------------
 * Values at execution
 * ------------------------------------------------------------------
 */

static bool
has_exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		return true;
	return expression_tree_walker(node, has_exec_param_walker, context);
}

static TimestampTz
to_timestamptz(Datum d, Oid typid)
{
	if (typid == DATEOID)
		return DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz, d));
	if (typid == TIMESTAMPOID)
		return DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d));
	return DatumGetTimestampTz(d);
}

typedef struct IndexedString
{
	const char *s;
	int			index;
} IndexedString;

static int
cmp_indexed_string(const void *a, const void *b)
{
	const IndexedString *x = a;
	const IndexedString *y = b;
	int			r = strcmp(x->s, y->s);

	return r != 0 ? r : (x->index > y->index) - (x->index < y->index);
}

/*
 * The distinct strings of values, in first-seen order (n log n: IN-lists
 * run to thousands).  The List is new; the strings are shared.
 */
static List *
distinct_strings(List *values)
{
	int			n = list_length(values);
	IndexedString *items;
	bool	   *keep;
	List	   *result = NIL;
	int			i = 0;
	ListCell   *lc;

	if (n < 2)
		return values;
	items = palloc(sizeof(IndexedString) * n);
	keep = palloc0(sizeof(bool) * n);
	foreach(lc, values)
	{
		items[i].s = lfirst(lc);
		items[i].index = i;
		i++;
	}
	qsort(items, n, sizeof(IndexedString), cmp_indexed_string);
	for (i = 0; i < n; i++)
		keep[items[i].index] = i == 0 || strcmp(items[i].s, items[i - 1].s) != 0;
	i = 0;
	foreach(lc, values)
		if (keep[i++])
			result = lappend(result, lfirst(lc));
	pfree(items);
	pfree(keep);
	return result;
}

/*
 * The API's text of one value (see GcaPushedCompare): timestamps in UTC
 * with milliseconds and "Z", dates ISO, the rest as PostgreSQL prints it.
 * palloc'd.
 */
static char *
api_text(Datum d, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	if (typid == TIMESTAMPTZOID || typid == TIMESTAMPOID)
	{
		char		buf[32];
		TimestampTz t = to_timestamptz(d, typid);

		if (TIMESTAMP_NOT_FINITE(t))
			return NULL;
		/* the APIs count milliseconds: a query language takes no finer literal */
		gca_format_iso_time(t, buf);
		return pstrdup(buf);
	}
	if (typid == DATEOID)
	{
		struct pg_tm tm;

		if (DATE_NOT_FINITE(DatumGetDateADT(d)))
			return NULL;
		j2date(DatumGetDateADT(d) + POSTGRES_EPOCH_JDATE,
			   &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		if (tm.tm_year <= 0 || tm.tm_year > 9999)
			return NULL;
		return psprintf("%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
	}
	if (typid == BOOLOID)
		return pstrdup(DatumGetBool(d) ? "true" : "false");
	getTypeOutputInfo(typid, &outfunc, &isvarlena);
	return OidOutputFunctionCall(outfunc, d);
}

/*
 * The API texts of a GCA_PUSH_WHERE value: one, or an array's distinct
 * non-null ones.  *unsendable is set when a value has no API form
 * (infinite or BC dates).
 */
static List *
api_values(Datum d, Oid typid, bool is_array, bool *unsendable)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	List	   *values = NIL;

	if (!is_array)
	{
		char	   *v = api_text(d, typid);

		*unsendable |= v == NULL;
		return v ? list_make1(v) : NIL;
	}
	arr = DatumGetArrayTypeP(d);
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *v;

		if (nulls[i])
			continue;
		v = api_text(elems[i], ARR_ELEMTYPE(arr));
		if (v == NULL)
			*unsendable = true;
		else
			values = lappend(values, v);
	}
	return distinct_strings(values);
}

/* The text values of a condition: one value, or an array's distinct ones. */
static List *
text_values(Datum d, bool is_array)
{
	bool		unsendable = false;

	return api_values(d, TEXTOID, is_array, &unsendable);
}

/*
 * One GCA_PUSH_WHERE condition into pushed->compares.  A value that the
 * API cannot take (an infinite date) gives the comparison no values: the
 * resource leaves it to the local check.
 */
static void
add_compare(GcaPushed *pushed, GcaCond *c, const GcaColumnDef *def, Datum d)
{
	GcaPushedCompare *pc = palloc0(sizeof(GcaPushedCompare));
	bool		unsendable = false;

	pc->def = def;
	pc->cmp = c->cmp;
	if (c->state)
	{
		Oid			type = exprType((Node *) c->state->expr);

		if (c->is_array)
			type = get_element_type(type);
		pc->values = api_values(d, type, c->is_array, &unsendable);
		if (unsendable)
			pc->values = NIL;	/* kept, so the resource knows of it */
		else if (pc->values == NIL)
		{
			pushed->empty = true;	/* = ANY of no value */
			return;
		}
	}
	pushed->compares = lappend(pushed->compares, pc);
}

static void
add_time_bound(GcaPushed *pushed, GcaCondOp op, TimestampTz t)
{
	if (op == GCA_OP_GE || op == GCA_OP_EQ)
	{
		if (!pushed->have_lower || t > pushed->lower)
			pushed->lower = t;
		pushed->have_lower = true;
		if (op == GCA_OP_GE)
			return;
	}
	if (op != GCA_OP_LT)
		t += 1000;				/* the APIs count milliseconds */
	if (!pushed->have_upper || t < pushed->upper)
		pushed->upper = t;
	pushed->have_upper = true;
}

/* Inserts f after the filters of its group and priority (stable). */
static List *
insert_filter(List *filters, GcaPushedValues *f)
{
	int			pos = 0;
	ListCell   *lc;

	foreach(lc, filters)
	{
		const GcaColumnDef *d = ((GcaPushedValues *) lfirst(lc))->def;

		if (d->push_group > f->def->push_group ||
			(d->push_group == f->def->push_group &&
			 d->push_priority > f->def->push_priority))
			break;
		pos++;
	}
	return list_insert_nth(filters, pos, f);
}

/*
 * Evaluates the conditions (whose state fields are initialised) for one
 * run into *pushed.  In EXPLAIN without ANALYZE, values that need an
 * outer row are skipped and pushed->needs_outer is set.
 */
void
gca_evaluate_conds(GcaPushed *pushed, List *conds, const GcaColumn *columns,
				   ExprContext *econtext, bool explain_only)
{
	ListCell   *lc;

	memset(pushed, 0, sizeof(GcaPushed));
	pushed->limit = -1;
	foreach(lc, conds)
	{
		GcaCond    *c = lfirst(lc);
		const GcaColumnDef *def = columns[c->attnum - 1].def;
		Datum		d = (Datum) 0;
		bool		isnull = false;
		GcaPushedValues *f;

		if (c->state)
		{
			if (explain_only && has_exec_param_walker((Node *) c->state->expr, NULL))
			{
				pushed->needs_outer = true;
				continue;
			}
			d = ExecEvalExpr(c->state, econtext, &isnull);
			if (isnull)
			{
				/* col = NULL, or an empty bound: no row can match */
				pushed->empty = true;
				continue;
			}
		}
		switch (def->push)
		{
			case GCA_PUSH_TIME:
				add_time_bound(pushed, c->op,
							   to_timestamptz(d, exprType((Node *) c->state->expr)));
				break;
			case GCA_PUSH_ID:
				if (!pushed->by_id)
				{
					pushed->by_id = true;
					pushed->ids = text_values(d, c->is_array);
					pushed->empty |= pushed->ids == NIL;
				}
				break;
			case GCA_PUSH_FILTER:
			case GCA_PUSH_ARRAY_FILTER:
			case GCA_PUSH_PARAM:
				f = palloc0(sizeof(GcaPushedValues));
				f->def = def;
				f->values = text_values(d, c->is_array);
				if (f->values == NIL)
					pushed->empty = true;
				else if (def->push == GCA_PUSH_PARAM)
					pushed->params = lappend(pushed->params, f);
				else
					pushed->filters = insert_filter(pushed->filters, f);
				break;
			case GCA_PUSH_EXISTS:
				pushed->exists = list_append_unique_ptr(pushed->exists, (void *) def);
				break;
			case GCA_PUSH_WHERE:
				add_compare(pushed, c, def, d);
				break;
			case GCA_PUSH_NONE:
				break;
		}
	}
	if (pushed->have_lower && pushed->have_upper && pushed->lower >= pushed->upper)
		pushed->empty = true;
}
