/*-------------------------------------------------------------------------
 *
 * gc_aggr.c
 *		POST /api/v2/analytics/conversations/aggregates/query.
 *
 * Every detail metric a session emits is an observation with its emitDate
 * and the dimensions of its session (queueId, userId, mediaType,
 * direction, wrapUpCode, purpose, ani, dnis, disconnectType) and
 * conversation (conversationId, divisionId, originatingDirection).  An
 * observation falls in the bucket of its emitDate; n-metrics report
 * {count}, t-metrics {max, min, count, sum}.  nConversations is observed
 * once per conversation at conversationStart, with the dimensions of its
 * first ACD session (or of the customer's when it never queued).
 *
 * Metrics only the aggregates know, derived from the detail metrics:
 * tWait (each ACD session's tAcd: time waiting in queue, answered or
 * abandoned), nOutbound (an outbound conversation, at its start, with the
 * dimensions of its agent session) and oServiceLevel (each ACD session
 * that ended, at its tAcd: numerator 1 when it was answered within the
 * target of 20 s, denominator 1; abandons count in the denominator).
 *
 * Granularity PTnM, PTnH, PnD, PnW or absent (one bucket for the whole
 * interval).  timeZone: any IANA name (UTC when absent); day and week
 * buckets are calendar days in that zone (23 or 25 hours across a DST
 * change), minute and hour buckets are fixed lengths from the interval's
 * start.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_aggr.c
 *
 *-------------------------------------------------------------------------
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gc.h"

#define MAX_GROUP_BY 8
#define MAX_BUCKETS 20000
#define SL_TARGET_MS 20000

typedef struct Stat
{
	int64_t		count;
	int64_t		sum;
	int64_t		min;
	int64_t		max;
} Stat;

typedef struct Group
{
	char	   *key;			/* dimension values joined by \x1f */
	const char *values[MAX_GROUP_BY];	/* NULL when absent */
	Stat	   *stats;			/* [bucket][metric] */
} Group;

typedef struct AggQuery
{
	int64_t		start_ms;
	int64_t		end_ms;
	int64_t		gran_ms;
	int			nbuckets;
	int64_t    *bounds;			/* calendar buckets: nbuckets + 1 starts; NULL: fixed */
	int			ngroup_by;
	int			group_by[MAX_GROUP_BY];
	int			nmetrics;
	int			metrics[NUM_METRICS];	/* GcMetric codes requested */
	int			slot_of[NUM_METRICS];	/* GcMetric -> index, -1 */
	GcFilterSet *filter;
	int			ngroups;
	int			cap;
	Group	   *groups;
	int			nslots;
	int		   *slots;
} AggQuery;

/* parses an ISO-8601 period PTnM, PTnH, PnD (also P1W); -1 when invalid */
static int64_t
parse_period(const char *s)
{
	long long	n;
	char		unit;
	int			used = 0;

	if (sscanf(s, "PT%lld%c%n", &n, &unit, &used) == 2 && s[used] == '\0' && n > 0)
		return unit == 'M' ? n * MS_PER_MIN : unit == 'H' ? n * MS_PER_HOUR :
			unit == 'S' ? n * MS_PER_SEC : -1;
	if (sscanf(s, "P%lld%c%n", &n, &unit, &used) == 2 && s[used] == '\0' && n > 0)
		return unit == 'D' ? n * MS_PER_DAY : unit == 'W' ? n * 7 * MS_PER_DAY : -1;
	return -1;
}

/*
 * The local-time functions read the process's TZ: one zone at a time (the
 * server answers requests from several threads).
 */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* a zone name of the system's IANA database (a file under zoneinfo) */
bool
gc_tz_known(const char *tz)
{
	char		path[256];
	struct stat st;

	if (!tz[0] || tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 128)
		return false;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * tz_enter(tz): the process's TZ set to tz under tz_lock, the old value
 * returned for tz_leave(), which restores it and releases the lock.
 */
static char *
tz_enter(const char *tz)
{
	const char *old;
	char	   *saved;

	pthread_mutex_lock(&tz_lock);
	old = getenv("TZ");
	saved = old ? strdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

static void
tz_leave(char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_lock);
	free(saved);
}

/*
 * local_time(tz, ms, tm, n_days): the local time of ms in zone tz (into
 * tm); with n_days >= 0, the local midnight n_days days after that day
 * (23 or 25 hours across a DST change) as ms.
 */
static int64_t
local_time(const char *tz, int64_t ms, struct tm *tm, int n_days)
{
	time_t		t = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int64_t		r = 0;
	char	   *saved = tz_enter(tz);

	localtime_r(&t, tm);
	if (n_days >= 0)
	{
		struct tm	m = *tm;

		m.tm_hour = m.tm_min = m.tm_sec = 0;
		m.tm_mday += n_days;
		m.tm_isdst = -1;
		r = (int64_t) mktime(&m) * 1000;
	}
	tz_leave(saved);
	return r;
}

static bool
is_utc(const char *tz)
{
	return strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0;
}

/* The local midnight of zone tz at or before ms, moved n_days days. */
int64_t
gc_local_midnight(const char *tz, int64_t ms, int n_days)
{
	struct tm	tm;

	if (is_utc(tz))				/* no zone file needed */
		return (ms >= 0 ? ms / MS_PER_DAY : (ms - MS_PER_DAY + 1) / MS_PER_DAY) * MS_PER_DAY +
			(int64_t) n_days * MS_PER_DAY;
	return local_time(tz, ms, &tm, n_days);
}

/* The local date of ms in zone tz, as days since 1970-01-01. */
int64_t
gc_local_date(const char *tz, int64_t ms)
{
	struct tm	tm;

	if (is_utc(tz))
		return ms >= 0 ? ms / MS_PER_DAY : (ms - MS_PER_DAY + 1) / MS_PER_DAY;
	local_time(tz, ms, &tm, -1);
	return sim_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/*
 * The starts of calendar buckets of n_days days in zone tz from start_ms
 * (a local midnight or not) until end_ms: q->bounds, q->nbuckets.  -1
 * when there would be more than MAX_BUCKETS.
 */
static int
calendar_bounds(AggQuery *q, const char *tz, int n_days)
{
	int			cap = 64,
				n = 0,
				rc = 0;
	time_t		t = (time_t) (q->start_ms / 1000);
	struct tm	tm;
	char	   *saved;

	q->bounds = malloc(sizeof(int64_t) * (size_t) cap);
	saved = tz_enter(tz);
	localtime_r(&t, &tm);
	q->bounds[n++] = q->start_ms;
	while (q->bounds[n - 1] < q->end_ms)
	{
		int64_t		next;

		tm.tm_mday += n_days;
		tm.tm_isdst = -1;
		next = (int64_t) mktime(&tm) * 1000 + q->start_ms % 1000;
		if (next > q->end_ms)
			next = q->end_ms;
		if (n >= MAX_BUCKETS + 1)
		{
			rc = -1;
			break;
		}
		if (n >= cap)
			q->bounds = realloc(q->bounds, sizeof(int64_t) * (size_t) (cap *= 2));
		q->bounds[n++] = next;
	}
	tz_leave(saved);
	q->nbuckets = n - 1;
	return rc;
}

/* the bucket of emit (start_ms <= emit < end_ms) */
static int
bucket_of(const AggQuery *q, int64_t emit)
{
	int			lo = 0,
				hi = q->nbuckets - 1;

	if (!q->bounds)
		return (int) ((emit - q->start_ms) / q->gran_ms);
	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (q->bounds[mid] <= emit)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* the group of these dimension values, created when new */
static Group *
group_for(AggQuery *q, const char **values)
{
	char		key[1024];
	size_t		len = 0;
	uint64_t	h;

	/* no groupBy: the one group's key is empty (never the stack's bytes) */
	key[0] = '\0';
	for (int i = 0; i < q->ngroup_by; i++)
		len += (size_t) snprintf(key + len, sizeof(key) - len, "%s\x1f",
								 values[i] ? values[i] : "\x1e");
	h = sim_hash_str(key);
	for (;; h++)
	{
		int		   *slot = &q->slots[h % (uint64_t) q->nslots];
		Group	   *g;

		if (*slot >= 0)
		{
			if (strcmp(q->groups[*slot].key, key) == 0)
				return &q->groups[*slot];
			continue;
		}
		if (q->ngroups >= q->cap || q->ngroups * 2 >= q->nslots)
			return NULL;		/* full: caller reports 400 */
		*slot = q->ngroups;
		g = &q->groups[q->ngroups++];
		g->key = strdup(key);
		for (int i = 0; i < q->ngroup_by; i++)
			g->values[i] = values[i] ? strdup(values[i]) : NULL;
		g->stats = calloc((size_t) (q->nbuckets * q->nmetrics), sizeof(Stat));
		return g;
	}
}

static bool
observe(AggQuery *q, const GcDay *d, const GcConversation *c, const GcParticipant *pa,
		const GcSession *se, int metric, int64_t value, int64_t emit)
{
	const char *values[MAX_GROUP_BY];
	char		bufs[MAX_GROUP_BY][48];
	Group	   *g;
	Stat	   *st;
	int			bucket;

	if (q->slot_of[metric] < 0 || emit < q->start_ms || emit >= q->end_ms)
		return true;
	if (!gc_filters_match_session(q->filter, d, c, pa, se))
		return true;
	for (int i = 0; i < q->ngroup_by; i++)
		values[i] = gc_dim_session_value(q->group_by[i], d, c, pa, se, bufs[i]);
	if (!(g = group_for(q, values)))
		return false;
	bucket = bucket_of(q, emit);
	st = &g->stats[bucket * q->nmetrics + q->slot_of[metric]];
	if (st->count == 0 || value < st->min)
		st->min = value;
	if (st->count == 0 || value > st->max)
		st->max = value;
	st->count++;
	st->sum += value;
	return true;
}

static bool
scan_conversation(AggQuery *q, const GcDay *d, const GcConversation *c)
{
	const GcParticipant *ctx_pa = &d->part[c->first_part];
	bool		outbound_counted = false;

	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];

		if (pa->purpose == PURPOSE_ACD && ctx_pa->purpose != PURPOSE_ACD)
			ctx_pa = pa;
		for (int s = 0; s < pa->nsess; s++)
		{
			const GcSession *se = &d->sess[pa->first_sess + s];

			for (int m = 0; m < se->nmetric; m++)
			{
				const GcMetricVal *mv = &d->met[se->first_metric + m];

				if (!observe(q, d, c, pa, se, mv->metric, mv->value, mv->emit_ms))
					return false;
				if (mv->metric == M_TACD)
				{
					bool		abandoned = false;

					for (int k = 0; k < se->nmetric; k++)
						abandoned |= d->met[se->first_metric + k].metric == M_TABANDON;
					/* oServiceLevel: count = denominator, sum = numerator */
					if (!observe(q, d, c, pa, se, M_TWAIT, mv->value, mv->emit_ms) ||
						!observe(q, d, c, pa, se, M_OSERVICELEVEL,
								 !abandoned && mv->value <= SL_TARGET_MS, mv->emit_ms))
						return false;
				}
			}
			/* nOutbound: once, with the first agent session's dimensions */
			if (c->orig_dir == 1 && pa->purpose == PURPOSE_AGENT && !outbound_counted)
			{
				outbound_counted = true;
				if (!observe(q, d, c, pa, se, M_NOUTBOUND, 1, c->start_ms))
					return false;
			}
		}
	}
	return observe(q, d, c, ctx_pa, &d->sess[ctx_pa->first_sess], M_NCONVERSATIONS, 1,
				   c->start_ms);
}

static int
cmp_groups(const void *a, const void *b)
{
	return strcmp(((const Group *) a)->key, ((const Group *) b)->key);
}

static void
agg_free(AggQuery *q)
{
	for (int i = 0; i < q->ngroups; i++)
	{
		free(q->groups[i].key);
		for (int k = 0; k < q->ngroup_by; k++)
			free((char *) q->groups[i].values[k]);
		free(q->groups[i].stats);
	}
	free(q->groups);
	free(q->slots);
	free(q->bounds);
	gc_filters_free(q->filter);
}

/* parses the request into q; 400 in resp on error */
static int
agg_parse(json_object *body, AggQuery *q, SimResponse *resp)
{
	json_object *v;
	char		err[256];

	memset(q, 0, sizeof(*q));
	for (int m = 0; m < NUM_METRICS; m++)
		q->slot_of[m] = -1;
	if (!json_object_object_get_ex(body, "interval", &v) ||
		gc_parse_interval(json_object_get_string(v), &q->start_ms, &q->end_ms) != 0)
	{
		gc_error(resp, 400, "bad.request",
				 "interval is required as an ISO-8601 start/end with end after start");
		return -1;
	}
	q->gran_ms = q->end_ms - q->start_ms;
	if (json_object_object_get_ex(body, "granularity", &v) &&
		(q->gran_ms = parse_period(json_object_get_string(v))) <= 0)
	{
		gc_error(resp, 400, "bad.request", "Invalid granularity \"%s\"",
				 json_object_get_string(v));
		return -1;
	}
	if ((q->end_ms - q->start_ms + q->gran_ms - 1) / q->gran_ms > MAX_BUCKETS)
	{
		gc_error(resp, 400, "bad.request", "The interval has more than %d buckets.", MAX_BUCKETS);
		return -1;
	}
	q->nbuckets = (int) ((q->end_ms - q->start_ms + q->gran_ms - 1) / q->gran_ms);
	if (json_object_object_get_ex(body, "timeZone", &v))
	{
		const char *tz = json_object_get_string(v);

		if (!tz || !gc_tz_known(tz))
		{
			gc_error(resp, 400, "bad.request", "Invalid timeZone \"%s\"", tz ? tz : "");
			return -1;
		}
		/* days and weeks in a zone other than UTC: calendar buckets */
		if (q->gran_ms % MS_PER_DAY == 0 && json_object_object_get_ex(body, "granularity", NULL) &&
			strcmp(tz, "UTC") != 0 && strcmp(tz, "Etc/UTC") != 0 &&
			calendar_bounds(q, tz, (int) (q->gran_ms / MS_PER_DAY)) != 0)
		{
			gc_error(resp, 400, "bad.request", "The interval has more than %d buckets.", MAX_BUCKETS);
			return -1;
		}
	}
	if (json_object_object_get_ex(body, "groupBy", &v))
	{
		size_t		n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;

		if (n > MAX_GROUP_BY)
		{
			gc_error(resp, 400, "bad.request", "At most %d groupBy dimensions.", MAX_GROUP_BY);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
		{
			const char *name = json_object_get_string(json_object_array_get_idx(v, i));
			int			dim = gc_dim_lookup(name, SCOPE_AGGREGATE);

			if (dim < 0)
			{
				gc_error(resp, 400, "bad.request", "Unsupported groupBy dimension \"%s\"", name);
				return -1;
			}
			q->group_by[q->ngroup_by++] = dim;
		}
	}
	if (!json_object_object_get_ex(body, "metrics", &v) ||
		!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
	{
		gc_error(resp, 400, "bad.request", "metrics is required");
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++)
	{
		const char *name = json_object_get_string(json_object_array_get_idx(v, i));
		int			m;

		for (m = 0; m < NUM_METRICS; m++)
			if (strcmp(gc_metric_names[m], name) == 0)
				break;
		if (m == NUM_METRICS)
		{
			gc_error(resp, 400, "bad.request", "Unsupported metric \"%s\"", name);
			return -1;
		}
		if (q->slot_of[m] < 0)
		{
			q->slot_of[m] = q->nmetrics;
			q->metrics[q->nmetrics++] = m;
		}
	}
	if (json_object_object_get_ex(body, "filter", &v) &&
		!(q->filter = gc_filters_parse(v, SCOPE_AGGREGATE, err, sizeof(err))))
	{
		gc_error(resp, 400, "bad.request", "filter: %s", err);
		return -1;
	}
	q->cap = 20000;
	q->nslots = 2 * q->cap + 1;
	q->groups = calloc((size_t) q->cap, sizeof(Group));
	q->slots = malloc(sizeof(int) * (size_t) q->nslots);
	for (int i = 0; i < q->nslots; i++)
		q->slots[i] = -1;
	return 0;
}

static void
render_results(AggQuery *q, StrBuf *sb)
{
	qsort(q->groups, (size_t) q->ngroups, sizeof(Group), cmp_groups);
	sb_puts(sb, "{\"results\":[");
	for (int gi = 0; gi < q->ngroups; gi++)
	{
		Group	   *g = &q->groups[gi];
		bool		first = true,
					first_bucket = true;

		sb_puts(sb, gi ? ",{\"group\":{" : "{\"group\":{");
		for (int i = 0; i < q->ngroup_by; i++)
			if (g->values[i])
			{
				sb_key(sb, gc_dim_name(q->group_by[i]), &first);
				sb_json_str(sb, g->values[i]);
			}
		sb_puts(sb, "},\"data\":[");
		for (int b = 0; b < q->nbuckets; b++)
		{
			int64_t		bs = q->bounds ? q->bounds[b] : q->start_ms + b * q->gran_ms;
			int64_t		be = q->bounds ? q->bounds[b + 1] :
				bs + q->gran_ms < q->end_ms ? bs + q->gran_ms : q->end_ms;
			bool		any = false,
						first_metric = true;
			char		t1[32],
						t2[32];

			for (int m = 0; m < q->nmetrics; m++)
				any |= g->stats[b * q->nmetrics + m].count > 0;
			if (!any)
				continue;
			sim_format_ts(t1, bs);
			sim_format_ts(t2, be);
			sb_printf(sb, "%s{\"interval\":\"%s/%s\",\"metrics\":[", first_bucket ? "" : ",", t1, t2);
			first_bucket = false;
			for (int m = 0; m < q->nmetrics; m++)
			{
				Stat	   *st = &g->stats[b * q->nmetrics + m];
				const char *name = gc_metric_names[q->metrics[m]];

				if (st->count == 0)
					continue;
				sb_printf(sb, "%s{\"metric\":\"%s\",\"stats\":", first_metric ? "" : ",", name);
				first_metric = false;
				if (name[0] == 'n')
					sb_printf(sb, "{\"count\":%lld}}", (long long) st->sum);
				else if (name[0] == 'o')
					sb_printf(sb, "{\"ratio\":%.6f,\"numerator\":%lld,\"denominator\":%lld,\"target\":0.8}}",
							  (double) st->sum / (double) st->count, (long long) st->sum,
							  (long long) st->count);
				else
					sb_printf(sb, "{\"max\":%lld,\"min\":%lld,\"count\":%lld,\"sum\":%lld}}",
							  (long long) st->max, (long long) st->min, (long long) st->count,
							  (long long) st->sum);
			}
			sb_puts(sb, "]}");
		}
		sb_puts(sb, "]}");
	}
	sb_puts(sb, "]}");
}

void
gc_aggregates_query(const SimRequest *req, SimResponse *resp)
{
	json_object *body;
	AggQuery	q;
	StrBuf		sb;
	int64_t		first,
				last,
				now_day = sim_config.now_ms / MS_PER_DAY;
	bool		ok = true;

	if (!(body = gc_parse_body(req, resp)))
		return;
	if (agg_parse(body, &q, resp) != 0)
	{
		json_object_put(body);
		agg_free(&q);
		return;
	}
	json_object_put(body);
	/* metrics are emitted after their conversation starts: from the day before */
	first = q.start_ms / MS_PER_DAY - 1;
	last = (q.end_ms - 1) / MS_PER_DAY;
	if (last > now_day)
		last = now_day;
	if (last - first > 400)
	{
		gc_error(resp, 400, "bad.request", "The interval spans more than 400 days.");
		agg_free(&q);
		return;
	}
	for (int64_t day = first < 0 ? 0 : first; day <= last && ok; day++)
	{
		GcDay	   *d = gc_day_get(day);

		for (int i = 0; i < d->nconv && ok; i++)
			ok = scan_conversation(&q, d, &d->conv[i]);
		gc_day_release(d);
	}
	if (!ok)
	{
		gc_error(resp, 400, "response.entity.too.large",
				 "The query has too many groups; group by fewer dimensions.");
		agg_free(&q);
		return;
	}
	sb_init(&sb, 4096);
	render_results(&q, &sb);
	agg_free(&q);
	resp->status = 200;
	sb_to_response(&sb, resp);
}
