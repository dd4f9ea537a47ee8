/*-------------------------------------------------------------------------
 *
 * deparse.c
 *		Which WHERE conditions go to the Genesys API, and the request body.
 *
 * design.md 2.4: the conversation_start range becomes the request
 * interval, conversation ids go to the by-id endpoint, dimension columns
 * become filter predicates and conversation_end IS NOT NULL an "exists"
 * predicate.  Every condition also stays in the scan's local quals, since
 * the API matches differently (interval overlap, any segment).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/fdw/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "fdw.h"
#include "genesys.h"

/*
 * Columns that become filter predicates.  Only one segment dimension is
 * sent per request (the one with the lowest priority number): the API
 * may require one segment to match all segment predicates, while our
 * columns come from different segments.  Conversation dimensions are all
 * sent.
 */
static const GcaDimension dimensions[] = {
	{GCOL_QUEUE_ID, true, "queueId", 1},
	{GCOL_AGENT_ID, true, "userId", 2},
	{GCOL_WRAPUP_CODE, true, "wrapUpCode", 3},
	{GCOL_ANI, true, "ani", 4},
	{GCOL_DNIS, true, "dnis", 5},
	{GCOL_MEDIA_TYPE, true, "mediaType", 6},
	{GCOL_SEG_QUEUE_ID, true, "queueId", 1},
	{GCOL_USER_ID, true, "userId", 2},
	{GCOL_SEG_WRAPUP_CODE, true, "wrapUpCode", 3},
	{GCOL_SEGMENT_TYPE, true, "segmentType", 6},
	{GCOL_PURPOSE, true, "purpose", 7},
	{GCOL_SEG_MEDIA_TYPE, true, "mediaType", 6},
	{GCOL_DIRECTION, true, "direction", 8},
	{GCOL_DISCONNECT_TYPE, true, "disconnectType", 5},
	{GCOL_ORIGINATING_DIRECTION, false, "originatingDirection", 0},
	{GCOL_DIVISION_IDS, false, "divisionId", 0},
	{0}
};

const GcaDimension *
gca_dimension(int column)
{
	const GcaDimension *d;

	for (d = dimensions; d->column; d++)
		if (d->column == column)
			return d;
	return NULL;
}

/* The column kind of a plain Var of rel, or GCOL_NONE. */
static int
var_column(Node *node, RelOptInfo *rel, const int *colkinds, int ncols)
{
	Var		   *var;

	if (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var))
		return GCOL_NONE;
	var = (Var *) node;
	if (var->varno != rel->relid || var->varlevelsup != 0 ||
		var->varattno <= 0 || var->varattno > ncols)
		return GCOL_NONE;
	return colkinds[var->varattno - 1];
}

/*
 * True when expr can be evaluated before the scan: no Var of rel, nothing
 * volatile (outer Vars become parameters).
 */
static bool
is_value_expr(Expr *expr, RelOptInfo *rel)
{
	Relids		relids = pull_varnos(NULL, (Node *) expr);

	return !bms_is_member(rel->relid, relids) &&
		!contain_volatile_functions((Node *) expr) &&
		!contain_subplans((Node *) expr);
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

/* Adds a condition for "col op value" (value on the right). */
static List *
add_comparison(List *conds, int column, const char *opname, Expr *value)
{
	GcaCond    *c = palloc0(sizeof(GcaCond));
	Oid			valtype = exprType((Node *) value);

	c->column = column;
	c->value = value;
	if (column == GCOL_CONVERSATION_START)
	{
		if (!is_time_type(valtype))
			return conds;
		if (strcmp(opname, ">=") == 0 || strcmp(opname, ">") == 0)
			c->kind = COND_START_GE;
		else if (strcmp(opname, "<") == 0)
			c->kind = COND_START_LT;
		else if (strcmp(opname, "<=") == 0)
			c->kind = COND_START_LE;
		else if (strcmp(opname, "=") == 0)
			c->kind = COND_START_EQ;
		else
			return conds;
	}
	else
	{
		if (strcmp(opname, "=") != 0 || !is_text_type(valtype))
			return conds;
		if (column == GCOL_CONVERSATION_ID)
			c->kind = COND_ID_IN;
		else if (gca_dimension(column) && column != GCOL_DIVISION_IDS)
			c->kind = COND_DIM_IN;
		else
			return conds;
	}
	return lappend(conds, c);
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

/* Conditions from one clause (conjunct) of the WHERE list. */
static List *
classify_clause(List *conds, Expr *clause, RelOptInfo *rel,
				const int *colkinds, int ncols)
{
	if (IsA(clause, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) clause;
		char	   *opname;
		Node	   *left,
				   *right;
		int			lcol,
					rcol;

		if (list_length(op->args) != 2)
			return conds;
		opname = get_opname(op->opno);
		if (opname == NULL)
			return conds;
		left = linitial(op->args);
		right = lsecond(op->args);
		lcol = var_column(left, rel, colkinds, ncols);
		rcol = var_column(right, rel, colkinds, ncols);
		if (lcol != GCOL_NONE && rcol == GCOL_NONE && is_value_expr((Expr *) right, rel))
			return add_comparison(conds, lcol, opname, (Expr *) right);
		if (rcol != GCOL_NONE && lcol == GCOL_NONE && is_value_expr((Expr *) left, rel))
			return add_comparison(conds, rcol, commuted(opname), (Expr *) left);
		/* division_ids @> array */
		if (lcol == GCOL_DIVISION_IDS && strcmp(opname, "@>") == 0 &&
			rcol == GCOL_NONE && is_value_expr((Expr *) right, rel))
		{
			GcaCond    *c = palloc0(sizeof(GcaCond));

			c->kind = COND_DIM_IN;
			c->column = GCOL_DIVISION_IDS;
			c->value = (Expr *) right;
			c->is_array = true;
			/* every element must be present: push only a one-element array */
			if (IsA(right, Const) && !((Const *) right)->constisnull &&
				ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(((Const *) right)->constvalue)),
							   ARR_DIMS(DatumGetArrayTypeP(((Const *) right)->constvalue))) == 1)
				return lappend(conds, c);
		}
		return conds;
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Node	   *left = linitial(saop->args);
		Node	   *right = lsecond(saop->args);
		char	   *opname = get_opname(saop->opno);
		int			lcol = var_column(left, rel, colkinds, ncols);
		int			rcol = var_column(right, rel, colkinds, ncols);
		GcaCond    *c;

		if (!saop->useOr || opname == NULL || strcmp(opname, "=") != 0)
			return conds;
		c = palloc0(sizeof(GcaCond));
		if (lcol != GCOL_NONE && rcol == GCOL_NONE && is_value_expr((Expr *) right, rel))
		{
			/* col = ANY(array) */
			c->column = lcol;
			c->value = (Expr *) right;
			c->is_array = true;
			if (lcol == GCOL_CONVERSATION_ID)
				c->kind = COND_ID_IN;
			else if (gca_dimension(lcol) && lcol != GCOL_DIVISION_IDS)
				c->kind = COND_DIM_IN;
			else
				return conds;
			return lappend(conds, c);
		}
		if (rcol == GCOL_DIVISION_IDS && lcol == GCOL_NONE && is_value_expr((Expr *) left, rel))
		{
			/* value = ANY(division_ids) */
			c->kind = COND_DIM_IN;
			c->column = GCOL_DIVISION_IDS;
			c->value = (Expr *) left;
			return lappend(conds, c);
		}
		return conds;
	}
	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;

		if (nt->nulltesttype == IS_NOT_NULL && !nt->argisrow &&
			var_column((Node *) nt->arg, rel, colkinds, ncols) == GCOL_CONVERSATION_END)
		{
			GcaCond    *c = palloc0(sizeof(GcaCond));

			c->kind = COND_END_NOT_NULL;
			c->column = GCOL_CONVERSATION_END;
			return lappend(conds, c);
		}
	}
	return conds;
}

List *
gca_classify_conditions(PlannerInfo *root, RelOptInfo *rel, List *clauses,
						const int *colkinds, int ncols)
{
	List	   *conds = NIL;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		Expr	   *clause = (Expr *) lfirst(lc);

		if (IsA(clause, RestrictInfo))
			clause = ((RestrictInfo *) clause)->clause;
		conds = classify_clause(conds, clause, rel, colkinds, ncols);
	}
	return conds;
}

/*
 * Refuses a scan of relname that gives no lower bound on
 * conversation_start (nor conversation ids).  Never returns.
 */
void
gca_error_unbounded_scan(const char *relname)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_INDEX),
			 errmsg("a scan of foreign table \"%s\" needs a lower bound on conversation_start",
					relname),
			 errdetail("Genesys Cloud is read by time interval; an unbounded scan would crawl the whole history."),
			 errhint("Add WHERE conversation_start >= ... (and < ...), or filter on conversation_id.")));
}

/* ------------------------------------------------------------------
 * Request bodies
 * ------------------------------------------------------------------
 */

static void
append_time(StringInfo buf, TimestampTz t)
{
	char		iso[32];

	gca_format_iso_time(t, iso);
	appendStringInfoString(buf, iso);
}

/* {"type":"or","predicates":[{"dimension":D,"value":V}, ...]} */
static void
append_filter(StringInfo buf, const char *dimension, List *values)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoString(buf, "{\"type\":\"or\",\"predicates\":[");
	foreach(lc, values)
	{
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfo(buf, "{\"type\":\"dimension\",\"dimension\":\"%s\",\"operator\":\"matches\",\"value\":",
						 dimension);
		escape_json(buf, (const char *) lfirst(lc));
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoString(buf, "]}");
}

/*
 * Appends the JSON body of a details query (page_number > 0) or a
 * details job (page_number == 0) for [start, end).  Remote text is
 * escaped as JSON.
 */
void
gca_append_details_body(StringInfo buf, const GcaRequestSpec *spec,
						TimestampTz start, TimestampTz end,
						int page_size, int page_number)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoString(buf, "{\"interval\":\"");
	append_time(buf, start);
	appendStringInfoChar(buf, '/');
	append_time(buf, end);
	appendStringInfoString(buf, "\",\"order\":\"asc\",\"orderBy\":\"conversationStart\"");
	if (page_number > 0)
		appendStringInfo(buf, ",\"paging\":{\"pageSize\":%d,\"pageNumber\":%d}",
						 page_size, page_number);

	if (spec->end_not_null || spec->conv_filters != NIL)
	{
		appendStringInfoString(buf, ",\"conversationFilters\":[");
		if (spec->end_not_null)
		{
			appendStringInfoString(buf, "{\"type\":\"and\",\"predicates\":[{\"type\":\"dimension\",\"dimension\":\"conversationEnd\",\"operator\":\"exists\"}]}");
			first = false;
		}
		foreach(lc, spec->conv_filters)
		{
			GcaFilterValues *f = lfirst(lc);

			if (!first)
				appendStringInfoChar(buf, ',');
			first = false;
			append_filter(buf, gca_dimension(f->column)->dimension, f->values);
		}
		appendStringInfoChar(buf, ']');
	}
	if (spec->seg_filter)
	{
		appendStringInfoString(buf, ",\"segmentFilters\":[");
		append_filter(buf, gca_dimension(spec->seg_filter->column)->dimension,
					  spec->seg_filter->values);
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoChar(buf, '}');
}

/* Appends s percent-encoded for a URL query value (RFC 3986 unreserved kept). */
void
gca_append_url_escaped(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
			appendStringInfoChar(buf, c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}
