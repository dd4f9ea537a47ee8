/*-------------------------------------------------------------------------
 *
 * gc_filter.c
 *		The analytics filter model: conversationFilters, segmentFilters,
 *		evaluationFilters of the details query and jobs, and the filter of
 *		the aggregates query.
 *
 *	Filter	{type: and|or, clauses?: Clause[], predicates?: Predicate[]}
 *	Clause	{type: and|or, predicates: Predicate[]}
 *	Predicate {type?: dimension|metric, dimension?, metric?,
 *			   operator?: matches|exists|notExists, value?, range?}
 *
 * An array of filters is ANDed.  A segment filter holds for a conversation
 * when one of its segments satisfies it as a whole, an evaluation filter
 * when one of its evaluations does; an aggregate filter is checked against
 * the session a metric belongs to.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_filter.c
 *
 *-------------------------------------------------------------------------
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

typedef enum Dim
{
	D_CONVERSATION_ID = 0,
	D_CONVERSATION_END,
	D_DIVISION_ID,
	D_ORIGINATING_DIRECTION,
	D_CONVERSATION_INITIATOR,
	D_QUEUE_ID,
	D_USER_ID,
	D_MEDIA_TYPE,
	D_DIRECTION,
	D_WRAPUP_CODE,
	D_ANI,
	D_DNIS,
	D_PURPOSE,
	D_SEGMENT_TYPE,
	D_SEGMENT_END,
	D_DISCONNECT_TYPE,
	D_FLOW_ID,
	D_EVALUATION_ID,
	D_CALIBRATION_ID,
	D_FORM_ID,
	D_FORM_NAME,
	D_EVALUATOR_ID,
	D_EVALUATION_STATUS,
	NUM_DIMS
} Dim;

#define S_CONV	(1 << SCOPE_CONVERSATION)
#define S_SEG	(1 << SCOPE_SEGMENT)
#define S_EVAL	(1 << SCOPE_EVALUATION)
#define S_AGG	(1 << SCOPE_AGGREGATE)

static const struct
{
	const char *name;
	int			scopes;
}			dims[NUM_DIMS] = {
	[D_CONVERSATION_ID] = {"conversationId", S_CONV | S_AGG},
	[D_CONVERSATION_END] = {"conversationEnd", S_CONV},
	[D_DIVISION_ID] = {"divisionId", S_CONV | S_AGG},
	[D_ORIGINATING_DIRECTION] = {"originatingDirection", S_CONV | S_AGG},
	[D_CONVERSATION_INITIATOR] = {"conversationInitiator", S_CONV},
	[D_QUEUE_ID] = {"queueId", S_SEG | S_EVAL | S_AGG},
	[D_USER_ID] = {"userId", S_SEG | S_EVAL | S_AGG},
	[D_MEDIA_TYPE] = {"mediaType", S_SEG | S_AGG},
	[D_DIRECTION] = {"direction", S_SEG | S_AGG},
	[D_WRAPUP_CODE] = {"wrapUpCode", S_SEG | S_AGG},
	[D_ANI] = {"ani", S_SEG | S_AGG},
	[D_DNIS] = {"dnis", S_SEG | S_AGG},
	[D_PURPOSE] = {"purpose", S_SEG | S_AGG},
	[D_SEGMENT_TYPE] = {"segmentType", S_SEG},
	[D_SEGMENT_END] = {"segmentEnd", S_SEG},
	[D_DISCONNECT_TYPE] = {"disconnectType", S_SEG | S_AGG},
	[D_FLOW_ID] = {"flowId", S_SEG},
	[D_EVALUATION_ID] = {"evaluationId", S_EVAL},
	[D_CALIBRATION_ID] = {"calibrationId", S_EVAL},
	[D_FORM_ID] = {"formId", S_EVAL},
	[D_FORM_NAME] = {"formName", S_EVAL},
	[D_EVALUATOR_ID] = {"evaluatorId", S_EVAL},
	[D_EVALUATION_STATUS] = {"evaluationStatus", S_EVAL},
};

/* metric predicates: conversation sums, tConversationDuration, segment and
 * evaluation metrics */
enum
{
	PM_SEGMENT_DURATION = NUM_METRICS,
	PM_CONVERSATION_DURATION,
	PM_TOTAL_SCORE,
	PM_CRITICAL_SCORE
};

typedef enum PredOp
{
	OP_MATCHES = 0, OP_EXISTS, OP_NOTEXISTS
} PredOp;

typedef struct Pred
{
	bool		is_metric;
	int			dim;			/* Dim or metric code */
	PredOp		op;
	char	   *value;
	bool		has_gt,
				has_gte,
				has_lt,
				has_lte;
	double		gt,
				gte,
				lt,
				lte;
} Pred;

typedef struct PredList
{
	bool		is_or;
	int			n;
	Pred	   *preds;
} PredList;

typedef struct Filter
{
	PredList	top;			/* the filter's own predicates and type */
	int			nclauses;
	PredList   *clauses;
} Filter;

struct GcFilterSet
{
	GcScope		scope;
	int			n;
	Filter	   *filters;
};

/* what a predicate is evaluated against */
typedef struct FCtx
{
	const GcDay *d;
	const GcConversation *c;
	const GcParticipant *pa;
	const GcSession *se;
	const GcSegment *sg;		/* NULL: session level (aggregates) */
	const GcEvaluation *ev;
	char		buf[48];
} FCtx;

static int
parse_bool_type(json_object *o, bool *is_or, char *err, size_t errlen)
{
	json_object *t;
	const char *s;

	if (!json_object_object_get_ex(o, "type", &t))
	{
		snprintf(err, errlen, "A filter or clause requires a type (and, or).");
		return -1;
	}
	s = json_object_get_string(t);
	if (strcmp(s, "and") == 0)
		*is_or = false;
	else if (strcmp(s, "or") == 0)
		*is_or = true;
	else
	{
		snprintf(err, errlen, "Invalid filter type \"%s\"; expected and, or.", s);
		return -1;
	}
	return 0;
}

static int
lookup_metric(const char *name, GcScope scope)
{
	if (scope == SCOPE_SEGMENT)
		return strcmp(name, "tSegmentDuration") == 0 ? PM_SEGMENT_DURATION : -1;
	if (scope == SCOPE_EVALUATION)
		return strcmp(name, "oTotalScore") == 0 ? PM_TOTAL_SCORE :
			strcmp(name, "oTotalCriticalScore") == 0 ? PM_CRITICAL_SCORE : -1;
	if (scope == SCOPE_CONVERSATION)
	{
		if (strcmp(name, "tConversationDuration") == 0)
			return PM_CONVERSATION_DURATION;
		for (int m = 0; m < NUM_DETAIL_METRICS; m++)
			if (strcmp(name, gc_metric_names[m]) == 0)
				return m;
	}
	return -1;
}

static int
parse_range(json_object *r, Pred *p, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_is_type(r, json_type_object))
	{
		snprintf(err, errlen, "A metric predicate range must be an object.");
		return -1;
	}
#define RANGE_FIELD(name) \
	if (json_object_object_get_ex(r, #name, &v)) \
	{ \
		p->has_##name = true; \
		p->name = json_object_get_double(v); \
	}
	RANGE_FIELD(gt);
	RANGE_FIELD(gte);
	RANGE_FIELD(lt);
	RANGE_FIELD(lte);
#undef RANGE_FIELD
	return 0;
}

static int
parse_pred(json_object *o, Pred *p, GcScope scope, char *err, size_t errlen)
{
	json_object *v;
	const char *type = "dimension";

	memset(p, 0, sizeof(*p));
	if (!json_object_is_type(o, json_type_object))
	{
		snprintf(err, errlen, "A predicate must be an object.");
		return -1;
	}
	if (json_object_object_get_ex(o, "type", &v))
		type = json_object_get_string(v);
	if (json_object_object_get_ex(o, "metric", &v) && strcmp(type, "dimension") == 0 &&
		!json_object_object_get_ex(o, "dimension", NULL))
		type = "metric";
	if (json_object_object_get_ex(o, "operator", &v))
	{
		const char *op = json_object_get_string(v);

		if (strcmp(op, "matches") == 0)
			p->op = OP_MATCHES;
		else if (strcmp(op, "exists") == 0)
			p->op = OP_EXISTS;
		else if (strcmp(op, "notExists") == 0)
			p->op = OP_NOTEXISTS;
		else
		{
			snprintf(err, errlen, "Invalid predicate operator \"%s\".", op);
			return -1;
		}
	}
	if (strcmp(type, "metric") == 0)
	{
		const char *name = json_object_object_get_ex(o, "metric", &v) ?
			json_object_get_string(v) : "";

		p->is_metric = true;
		p->dim = lookup_metric(name, scope);
		if (p->dim < 0)
		{
			snprintf(err, errlen, "Unsupported metric \"%s\" in this filter.", name);
			return -1;
		}
		if (json_object_object_get_ex(o, "range", &v))
			return parse_range(v, p, err, errlen);
		if (p->op == OP_MATCHES)
		{
			snprintf(err, errlen, "A metric predicate needs a range.");
			return -1;
		}
		return 0;
	}
	if (strcmp(type, "dimension") != 0)
	{
		snprintf(err, errlen, "Unsupported predicate type \"%s\".", type);
		return -1;
	}
	{
		const char *name = json_object_object_get_ex(o, "dimension", &v) ?
			json_object_get_string(v) : "";

		p->dim = -1;
		for (int d = 0; d < NUM_DIMS; d++)
			if (strcmp(dims[d].name, name) == 0 && (dims[d].scopes & (1 << scope)))
				p->dim = d;
		if (p->dim < 0)
		{
			snprintf(err, errlen, "Unsupported dimension \"%s\" in this filter.", name);
			return -1;
		}
	}
	if (json_object_object_get_ex(o, "value", &v) && !json_object_is_type(v, json_type_null))
		p->value = strdup(json_object_get_string(v));
	if (p->op == OP_MATCHES && !p->value)
	{
		snprintf(err, errlen, "A matches predicate needs a value.");
		return -1;
	}
	return 0;
}

static int
parse_pred_list(json_object *arr, PredList *pl, GcScope scope, char *err, size_t errlen)
{
	size_t		n;

	if (!arr)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
	{
		snprintf(err, errlen, "predicates must be an array.");
		return -1;
	}
	n = json_object_array_length(arr);
	pl->preds = calloc(n + 1, sizeof(Pred));
	for (size_t i = 0; i < n; i++)
	{
		if (parse_pred(json_object_array_get_idx(arr, i), &pl->preds[i], scope, err, errlen))
			return -1;
		pl->n++;
	}
	return 0;
}

static int
parse_filter(json_object *o, Filter *f, GcScope scope, char *err, size_t errlen)
{
	json_object *v;

	memset(f, 0, sizeof(*f));
	if (!json_object_is_type(o, json_type_object))
	{
		snprintf(err, errlen, "A filter must be an object.");
		return -1;
	}
	if (parse_bool_type(o, &f->top.is_or, err, errlen))
		return -1;
	if (json_object_object_get_ex(o, "predicates", &v) &&
		parse_pred_list(v, &f->top, scope, err, errlen))
		return -1;
	if (json_object_object_get_ex(o, "clauses", &v))
	{
		size_t		n;

		if (!json_object_is_type(v, json_type_array))
		{
			snprintf(err, errlen, "clauses must be an array.");
			return -1;
		}
		n = json_object_array_length(v);
		f->clauses = calloc(n + 1, sizeof(PredList));
		for (size_t i = 0; i < n; i++)
		{
			json_object *c = json_object_array_get_idx(v, i),
					   *cp;

			f->nclauses++;
			if (!json_object_is_type(c, json_type_object) ||
				parse_bool_type(c, &f->clauses[i].is_or, err, errlen))
			{
				if (!err[0])
					snprintf(err, errlen, "A clause must be an object.");
				return -1;
			}
			if (!json_object_object_get_ex(c, "predicates", &cp))
			{
				snprintf(err, errlen, "A clause requires predicates.");
				return -1;
			}
			if (parse_pred_list(cp, &f->clauses[i], scope, err, errlen))
				return -1;
		}
	}
	return 0;
}

GcFilterSet *
gc_filters_parse(struct json_object *v, GcScope scope, char *err, size_t errlen)
{
	GcFilterSet *fs = calloc(1, sizeof(GcFilterSet));
	bool		single = json_object_is_type(v, json_type_object);
	size_t		n = single ? 1 : json_object_is_type(v, json_type_array) ?
		json_object_array_length(v) : 0;

	err[0] = '\0';
	fs->scope = scope;
	if (!single && !json_object_is_type(v, json_type_array))
	{
		snprintf(err, errlen, "Filters must be an array of filter objects.");
		free(fs);
		return NULL;
	}
	fs->filters = calloc(n + 1, sizeof(Filter));
	for (size_t i = 0; i < n; i++)
	{
		fs->n++;
		if (parse_filter(single ? v : json_object_array_get_idx(v, i), &fs->filters[i],
						 scope, err, errlen))
		{
			gc_filters_free(fs);
			return NULL;
		}
	}
	return fs;
}

static void
free_pred_list(PredList *pl)
{
	for (int i = 0; i < pl->n; i++)
		free(pl->preds[i].value);
	free(pl->preds);
}

void
gc_filters_free(GcFilterSet *fs)
{
	if (!fs)
		return;
	for (int i = 0; i < fs->n; i++)
	{
		free_pred_list(&fs->filters[i].top);
		for (int c = 0; c < fs->filters[i].nclauses; c++)
			free_pred_list(&fs->filters[i].clauses[c]);
		free(fs->filters[i].clauses);
	}
	free(fs->filters);
	free(fs);
}

/* ----------------------------------------------------------------------
 * Evaluation
 * ----------------------------------------------------------------------
 */

/* the session's queue and wrap-up code (aggregates see sessions) */
int
gc_session_queue(const GcDay *d, const GcParticipant *pa, const GcSession *se)
{
	if (pa->queue != GC_NONE)
		return pa->queue;
	for (int s = 0; s < se->nseg; s++)
		if (d->seg[se->first_seg + s].queue != GC_NONE)
			return d->seg[se->first_seg + s].queue;
	return GC_NONE;
}

int
gc_session_wrapup(const GcDay *d, const GcSession *se)
{
	for (int s = se->nseg - 1; s >= 0; s--)
		if (d->seg[se->first_seg + s].wrapup != GC_NONE)
			return d->seg[se->first_seg + s].wrapup;
	return GC_NONE;
}

/* the value of a dimension in ctx, NULL when absent */
static const char *
dim_value(FCtx *x, int dim)
{
	const GcConversation *c = x->c;
	int			q;

	switch ((Dim) dim)
	{
		case D_CONVERSATION_ID:
			return c->id;
		case D_CONVERSATION_END:
			return c->end_ms == GC_OPEN ? NULL : "end";
		case D_DIVISION_ID:
			return gc_world.divisions[c->division].id;
		case D_ORIGINATING_DIRECTION:
			return c->orig_dir ? "outbound" : "inbound";
		case D_CONVERSATION_INITIATOR:
			return c->orig_dir ? "agent" : "customer";
		case D_QUEUE_ID:
			if (x->ev)
				q = x->ev->queue;
			else if (x->sg)
				q = x->sg->queue;
			else
				q = gc_session_queue(x->d, x->pa, x->se);
			return q == GC_NONE ? NULL : gc_world.queues[q].id;
		case D_USER_ID:
			if (x->ev)
				return gc_world.users[x->ev->agent].id;
			return x->pa->user == GC_NONE ? NULL : gc_world.users[x->pa->user].id;
		case D_MEDIA_TYPE:
			return gc_media_names[x->se->media];
		case D_DIRECTION:
			return x->se->direction ? "outbound" : "inbound";
		case D_WRAPUP_CODE:
			return gc_wrapup_id(x->sg ? x->sg->wrapup : gc_session_wrapup(x->d, x->se));
		case D_ANI:
			return gc_ani(c, x->buf);
		case D_DNIS:
			return gc_dnis(c, x->buf);
		case D_PURPOSE:
			return gc_purpose_names[x->pa->purpose];
		case D_SEGMENT_TYPE:
			return gc_segtype_names[x->sg->type];
		case D_SEGMENT_END:
			return x->sg->end_ms == GC_OPEN ? NULL : "end";
		case D_DISCONNECT_TYPE:
			if (x->sg)
				return gc_disconnect_names[x->sg->disconnect];
			return x->se->nseg ?
				gc_disconnect_names[x->d->seg[x->se->first_seg + x->se->nseg - 1].disconnect] : NULL;
		case D_FLOW_ID:
			return x->se->flow == GC_NONE ? NULL : gc_world.flows[x->se->flow].id;
		case D_EVALUATION_ID:
			return x->ev->id;
		case D_CALIBRATION_ID:
			return x->ev->calibration ? x->ev->calibration_id : NULL;
		case D_FORM_ID:
			return gc_world.forms[x->ev->form].id;
		case D_FORM_NAME:
			return gc_world.forms[x->ev->form].name;
		case D_EVALUATOR_ID:
			return gc_world.users[x->ev->evaluator].id;
		case D_EVALUATION_STATUS:
			return gc_eval_status_names[x->ev->status];
		case NUM_DIMS:
			break;
	}
	return NULL;
}

/* a conversation-level metric: the sum over its sessions, or absent */
static bool
metric_value(FCtx *x, int m, double *v)
{
	const GcConversation *c = x->c;
	bool		found = false;

	switch (m)
	{
		case PM_SEGMENT_DURATION:
			if (x->sg->end_ms == GC_OPEN)
				return false;
			*v = (double) (x->sg->end_ms - x->sg->start_ms);
			return true;
		case PM_CONVERSATION_DURATION:
			if (c->end_ms == GC_OPEN)
				return false;
			*v = (double) (c->end_ms - c->start_ms);
			return true;
		case PM_TOTAL_SCORE:
			*v = (double) lround(x->ev->total_score);
			return true;
		case PM_CRITICAL_SCORE:
			*v = (double) lround(x->ev->critical_score);
			return true;
		default:
			break;
	}
	*v = 0;
	for (int p = 0; p < c->npart; p++)
	{
		const GcSession *se = &x->d->sess[x->d->part[c->first_part + p].first_sess];

		for (int k = 0; k < se->nmetric; k++)
			if (x->d->met[se->first_metric + k].metric == m)
			{
				*v += (double) x->d->met[se->first_metric + k].value;
				found = true;
			}
	}
	return found;
}

static bool
pred_eval(const Pred *p, FCtx *x)
{
	if (p->is_metric)
	{
		double		v;
		bool		has = metric_value(x, p->dim, &v);

		if (p->op == OP_EXISTS)
			return has;
		if (p->op == OP_NOTEXISTS)
			return !has;
		if (!has)
			return false;
		return (!p->has_gt || v > p->gt) && (!p->has_gte || v >= p->gte) &&
			(!p->has_lt || v < p->lt) && (!p->has_lte || v <= p->lte);
	}
	else
	{
		const char *v = dim_value(x, p->dim);

		if (p->op == OP_EXISTS)
			return v != NULL;
		if (p->op == OP_NOTEXISTS)
			return v == NULL;
		return v != NULL && strcmp(v, p->value) == 0;
	}
}

static bool
list_eval(const PredList *pl, FCtx *x, int nextra, const bool *extra)
{
	int			n = pl->n + nextra;

	if (n == 0)
		return true;
	for (int i = 0; i < pl->n; i++)
	{
		bool		r = pred_eval(&pl->preds[i], x);

		if (r && pl->is_or)
			return true;
		if (!r && !pl->is_or)
			return false;
	}
	for (int i = 0; i < nextra; i++)
	{
		if (extra[i] && pl->is_or)
			return true;
		if (!extra[i] && !pl->is_or)
			return false;
	}
	return !pl->is_or;
}

static bool
filter_eval(const Filter *f, FCtx *x)
{
	bool		res[16];
	int			n = f->nclauses < 16 ? f->nclauses : 16;

	for (int i = 0; i < n; i++)
		res[i] = list_eval(&f->clauses[i], x, 0, NULL);
	return list_eval(&f->top, x, n, res);
}

/* does any segment (or evaluation) of c satisfy filter f? */
static bool
filter_any(const Filter *f, GcScope scope, FCtx *x)
{
	const GcDay *d = x->d;
	const GcConversation *c = x->c;

	if (scope == SCOPE_CONVERSATION)
		return filter_eval(f, x);
	if (scope == SCOPE_EVALUATION)
	{
		for (int e = 0; e < c->neval; e++)
		{
			x->ev = &d->eval[c->first_eval + e];
			if (filter_eval(f, x))
				return true;
		}
		x->ev = NULL;
		return false;
	}
	for (int p = 0; p < c->npart; p++)
	{
		x->pa = &d->part[c->first_part + p];
		for (int s = 0; s < x->pa->nsess; s++)
		{
			x->se = &d->sess[x->pa->first_sess + s];
			for (int g = 0; g < x->se->nseg; g++)
			{
				x->sg = &d->seg[x->se->first_seg + g];
				if (filter_eval(f, x))
					return true;
			}
		}
	}
	return false;
}

bool
gc_filters_match(const GcFilterSet *fs, const GcDay *d, const GcConversation *c)
{
	FCtx		x;

	if (!fs || fs->n == 0)
		return true;
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.c = c;
	for (int i = 0; i < fs->n; i++)
		if (!filter_any(&fs->filters[i], fs->scope, &x))
			return false;
	return true;
}

bool
gc_filters_match_session(const GcFilterSet *fs, const GcDay *d, const GcConversation *c,
						 const GcParticipant *pa, const GcSession *se)
{
	FCtx		x;

	if (!fs || fs->n == 0)
		return true;
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.c = c;
	x.pa = pa;
	x.se = se;
	for (int i = 0; i < fs->n; i++)
		if (!filter_eval(&fs->filters[i], &x))
			return false;
	return true;
}

int
gc_dim_lookup(const char *name, GcScope scope)
{
	for (int d = 0; d < NUM_DIMS; d++)
		if (strcmp(dims[d].name, name) == 0 && (dims[d].scopes & (1 << scope)))
			return d;
	return -1;
}

const char *
gc_dim_name(int dim)
{
	return dims[dim].name;
}

const char *
gc_dim_session_value(int dim, const GcDay *d, const GcConversation *c,
					 const GcParticipant *pa, const GcSession *se, char *buf)
{
	FCtx		x;
	const char *v;

	memset(&x, 0, sizeof(x));
	x.d = d;
	x.c = c;
	x.pa = pa;
	x.se = se;
	v = dim_value(&x, dim);
	if (v == x.buf)
	{
		snprintf(buf, 48, "%s", x.buf);
		return buf;
	}
	return v;
}
