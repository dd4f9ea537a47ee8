/*-------------------------------------------------------------------------
 *
 * gcsim_check.c
 *		A small client of gcsim for its test suites and benchmark: pages
 *		through the Genesys endpoints and compares what it finds with the
 *		ground truth that `gcsim truth` writes.
 *
 *	gcsim_check details URL INTERVAL TRUTHDIR [PAGESIZE]
 *		every conversation of the truth exactly once, metrics agree with
 *		segments, metric sums agree with conversations.csv
 *	gcsim_check jobs URL INTERVAL TRUTHDIR [PAGESIZE]
 *		the same through a details job (startOfDayIntervalMatching), plus
 *		participant attributes against the truth
 *	gcsim_check aggregates URL INTERVAL TRUTHDIR
 *		P1D aggregates by queue and media type against queue_daily.csv
 *	gcsim_check faults URL N
 *		N requests; prints the share of each outcome
 *	gcsim_check bench URL INTERVAL PAGES
 *		pages per second served against json-c parsing the same bytes
 *	gcsim_check serve-days URL FIRSTDAY NDAYS
 *		downloads every conversation of NDAYS days through details jobs
 *		(pageSize 1000) and prints how many and how fast
 *
 * Prints "ok: ..." lines, or "FAIL: ..." and exits 1.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gcsim_check.c
 *
 *-------------------------------------------------------------------------
 */
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "gc.h"

/* gc.h declares the server's per-thread correlation id; define it here */
__thread char sim_correlation_id[40];

static const char *base_url;
static char token[256];
static CURL *curl;
static int	failures;
static bool fresh_connections;	/* no keep-alive: curl would retry a drop */

typedef struct HttpResult
{
	long		status;
	CURLcode	code;
	StrBuf		body;
	char		retry_after[32];
} HttpResult;

static void
fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	if (++failures > 20)
	{
		puts("FAIL: too many failures");
		exit(1);
	}
}

static size_t
write_cb(char *ptr, size_t size, size_t n, void *ud)
{
	sb_append((StrBuf *) ud, ptr, size * n);
	return size * n;
}

static size_t
header_cb(char *buf, size_t size, size_t n, void *ud)
{
	HttpResult *r = ud;
	size_t		len = size * n;

	if (len > 13 && strncasecmp(buf, "Retry-After:", 12) == 0)
		snprintf(r->retry_after, sizeof(r->retry_after), "%.*s", (int) (len - 14), buf + 13);
	return len;
}

static StrBuf reuse_buf;
static bool reuse_body;			/* bench: one receive buffer, never freed */

/* one request; body NULL for GET (or DELETE when method says so) */
static void
http(const char *method, const char *path, const char *body, HttpResult *r)
{
	char		url[4096];
	char		auth[300];
	struct curl_slist *h = NULL;

	memset(r, 0, sizeof(*r));
	if (reuse_body)
	{
		if (!reuse_buf.data)
			sb_init(&reuse_buf, 1024 * 1024);
		reuse_buf.len = 0;
		r->body = reuse_buf;
	}
	else
		sb_init(&r->body, 64 * 1024);
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	if (body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	if (fresh_connections)
		curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
	r->code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (reuse_body)
		reuse_buf = r->body;	/* it may have grown */
	curl_slist_free_all(h);
}

static void
get_token(void)
{
	HttpResult	r;
	json_object *o,
			   *v;
	char		url[1024];

	memset(&r, 0, sizeof(r));
	sb_init(&r.body, 1024);
	snprintf(url, sizeof(url), "%s/oauth/token", base_url);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERPWD, "gcsim-check:secret");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "grant_type=client_credentials");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
	if (curl_easy_perform(curl) != CURLE_OK ||
		!(o = json_tokener_parse(r.body.data)) ||
		!json_object_object_get_ex(o, "access_token", &v))
	{
		printf("FAIL: no token from %s: %s\n", url, r.body.data ? r.body.data : "");
		exit(1);
	}
	snprintf(token, sizeof(token), "%s", json_object_get_string(v));
	json_object_put(o);
	sb_free(&r.body);
}

/* ----------------------------------------------------------------------
 * The truth: conversations.csv as a table keyed by id
 * ----------------------------------------------------------------------
 */
enum
{
	T_ID = 0, T_START, T_END, T_MEDIA, T_DIR, T_QUEUE, T_AGENT, T_WRAPUP, T_ANI,
	T_TALK, T_HELD, T_ACW, T_HANDLE, T_ACD, T_IVR, T_ALERT, T_TRANSFERS,
	T_ABANDONED, T_ESCALATED, T_BOT_ONLY, T_ACCOUNT, T_PHONE_ACCOUNT, T_TIER,
	T_NEVAL, T_NCOLS
};

typedef struct TruthRow
{
	char	   *f[T_NCOLS];
	int			seen;
} TruthRow;

typedef struct Truth
{
	int			n;
	TruthRow   *rows;
	int			nslots;
	int		   *slots;			/* hash of id -> row */
} Truth;

/* splits a CSV line in place (no quoted fields in these files) */
static int
split_csv(char *line, char **f, int max)
{
	int			n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ',')
		{
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static void
truth_load(Truth *t, const char *dir)
{
	char		path[4096];
	char		line[4096];
	FILE	   *f;
	int			cap = 1024;

	snprintf(path, sizeof(path), "%s/conversations.csv", dir);
	if (!(f = fopen(path, "r")))
	{
		printf("FAIL: cannot read %s\n", path);
		exit(1);
	}
	memset(t, 0, sizeof(*t));
	t->rows = malloc(sizeof(TruthRow) * (size_t) cap);
	if (!fgets(line, sizeof(line), f))
		exit(1);
	while (fgets(line, sizeof(line), f))
	{
		char	   *copy = strdup(line);
		TruthRow   *r;

		if (t->n >= cap)
			t->rows = realloc(t->rows, sizeof(TruthRow) * (size_t) (cap *= 2));
		r = &t->rows[t->n];
		memset(r, 0, sizeof(*r));
		if (split_csv(copy, r->f, T_NCOLS) != T_NCOLS)
		{
			printf("FAIL: bad truth line: %s", line);
			exit(1);
		}
		t->n++;
	}
	fclose(f);
	t->nslots = t->n * 2 + 1;
	t->slots = malloc(sizeof(int) * (size_t) t->nslots);
	for (int i = 0; i < t->nslots; i++)
		t->slots[i] = -1;
	for (int i = 0; i < t->n; i++)
	{
		uint64_t	h = sim_hash_str(t->rows[i].f[T_ID]);

		while (t->slots[h % (uint64_t) t->nslots] >= 0)
			h++;
		t->slots[h % (uint64_t) t->nslots] = i;
	}
}

static TruthRow *
truth_find(Truth *t, const char *id)
{
	uint64_t	h = sim_hash_str(id);

	for (;; h++)
	{
		int			i = t->slots[h % (uint64_t) t->nslots];

		if (i < 0)
			return NULL;
		if (strcmp(t->rows[i].f[T_ID], id) == 0)
			return &t->rows[i];
	}
}

/* ----------------------------------------------------------------------
 * One conversation record: metrics against segments, sums against truth
 * ----------------------------------------------------------------------
 */
static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t
jts(json_object *o, const char *key)
{
	const char *s = jstr(o, key);
	int64_t		ms;

	if (!s || sim_parse_ts(s, strlen(s), &ms) != 0)
		return -1;
	return ms;
}

/* sums of the metrics named like the truth columns */
static const char *const sum_metrics[] = {
	"tTalk", "tHeld", "tAcw", "tHandle", "tAcd", "tIvr", "tAlert", "nTransferred"
};
static const int sum_cols[] = {T_TALK, T_HELD, T_ACW, T_HANDLE, T_ACD, T_IVR, T_ALERT, T_TRANSFERS};
#define NSUM 8

static void
check_record(json_object *conv, Truth *t, bool want_attributes)
{
	const char *id = jstr(conv, "conversationId");
	json_object *parts;
	int64_t		sums[NSUM] = {0};
	TruthRow   *row;

	if (!id)
	{
		fail("a conversation without conversationId");
		return;
	}
	row = truth_find(t, id);
	if (!row)
	{
		fail("conversation %s is not in the truth", id);
		return;
	}
	row->seen++;
	if (!json_object_object_get_ex(conv, "participants", &parts))
	{
		fail("%s: no participants", id);
		return;
	}
	for (size_t p = 0; p < json_object_array_length(parts); p++)
	{
		json_object *pa = json_object_array_get_idx(parts, p);
		const char *purpose = jstr(pa, "purpose");
		json_object *sessions,
				   *attrs;
		bool		has_attrs = json_object_object_get_ex(pa, "attributes", &attrs);

		if (p == 0 && want_attributes)
		{
			const char *acct = has_attrs ? jstr(attrs, "sfAccountId") : NULL;
			const char *esc = has_attrs ? jstr(attrs, "escalated") : NULL;

			if (!has_attrs)
				fail("%s: job result without attributes", id);
			else if (strcmp(acct ? acct : "", row->f[T_ACCOUNT]) != 0)
				fail("%s: sfAccountId %s, truth %s", id, acct ? acct : "(none)", row->f[T_ACCOUNT]);
			else if (!esc || strcmp(esc, row->f[T_ESCALATED]) != 0)
				fail("%s: escalated %s, truth %s", id, esc ? esc : "(none)", row->f[T_ESCALATED]);
		}
		else if (has_attrs && !want_attributes)
			fail("%s: attributes in a synchronous response", id);
		if (!json_object_object_get_ex(pa, "sessions", &sessions))
			continue;
		for (size_t s = 0; s < json_object_array_length(sessions); s++)
		{
			json_object *se = json_object_array_get_idx(sessions, s);
			json_object *segs,
					   *mets;
			int64_t		seg_sum[4] = {0};	/* interact, hold, wrapup, all */
			int64_t		alert = 0;
			bool		complete = true;
			int64_t		m[NSUM] = {0};
			bool		has[NSUM] = {0};

			if (json_object_object_get_ex(se, "segments", &segs))
				for (size_t g = 0; g < json_object_array_length(segs); g++)
				{
					json_object *sg = json_object_array_get_idx(segs, g);
					const char *type = jstr(sg, "segmentType");
					int64_t		a = jts(sg, "segmentStart"),
								b = jts(sg, "segmentEnd");

					if (b < 0)
					{
						complete = false;
						continue;
					}
					seg_sum[3] += b - a;
					if (strcmp(type, "interact") == 0)
						seg_sum[0] += b - a;
					else if (strcmp(type, "hold") == 0)
						seg_sum[1] += b - a;
					else if (strcmp(type, "wrapup") == 0)
						seg_sum[2] += b - a;
					else if (strcmp(type, "alert") == 0)
						alert += b - a;
				}
			if (json_object_object_get_ex(se, "metrics", &mets))
				for (size_t k = 0; k < json_object_array_length(mets); k++)
				{
					json_object *mv = json_object_array_get_idx(mets, k);
					const char *name = jstr(mv, "name");
					json_object *val;

					json_object_object_get_ex(mv, "value", &val);
					for (int i = 0; i < NSUM; i++)
						if (strcmp(name, sum_metrics[i]) == 0)
						{
							m[i] += json_object_get_int64(val);
							has[i] = true;
							sums[i] += json_object_get_int64(val);
						}
				}
			if (strcmp(purpose, "agent") == 0)
			{
				if (complete && (m[0] != seg_sum[0] || m[1] != seg_sum[1] || m[2] != seg_sum[2] ||
								 m[3] != m[0] + m[1] + m[2] || !has[3]))
					fail("%s: agent metrics talk %lld held %lld acw %lld handle %lld, segments %lld %lld %lld",
						 id, (long long) m[0], (long long) m[1], (long long) m[2], (long long) m[3],
						 (long long) seg_sum[0], (long long) seg_sum[1], (long long) seg_sum[2]);
				if (!complete && (has[0] || has[3]))
					fail("%s: tTalk/tHandle on an agent session still in progress", id);
				if (m[6] != alert)
					fail("%s: tAlert %lld, alert segments %lld", id, (long long) m[6], (long long) alert);
			}
			else if (strcmp(purpose, "acd") == 0 && complete && m[4] != seg_sum[3])
				fail("%s: tAcd %lld, acd segments %lld", id, (long long) m[4], (long long) seg_sum[3]);
			else if (strcmp(purpose, "ivr") == 0 && complete && m[5] != seg_sum[3])
				fail("%s: tIvr %lld, ivr segments %lld", id, (long long) m[5], (long long) seg_sum[3]);
		}
	}
	for (int i = 0; i < NSUM; i++)
		if (sums[i] != atoll(row->f[sum_cols[i]]))
			fail("%s: sum of %s is %lld, truth %s", id, sum_metrics[i], (long long) sums[i],
				 row->f[sum_cols[i]]);
	if (strcmp(jstr(conv, "conversationStart"), row->f[T_START]) != 0)
		fail("%s: conversationStart differs from the truth", id);
}

static void
check_all_seen(Truth *t, const char *what)
{
	int			missing = 0,
				dup = 0;

	for (int i = 0; i < t->n; i++)
	{
		if (t->rows[i].seen == 0 && missing++ < 3)
			fail("%s: conversation %s of the truth was not returned", what, t->rows[i].f[T_ID]);
		if (t->rows[i].seen > 1 && dup++ < 3)
			fail("%s: conversation %s returned %d times", what, t->rows[i].f[T_ID],
				 t->rows[i].seen);
	}
	if (missing || dup)
		fail("%s: %d missing, %d duplicated of %d", what, missing, dup, t->n);
	else
		printf("ok: %s returned each of the %d conversations of the truth exactly once\n",
			   what, t->n);
}

static int
cmd_details(const char *interval, const char *dir, int page_size)
{
	Truth		t;
	char		body[1024];
	int			pages = 0,
				total = 0;
	int64_t		prev_start = -1;

	truth_load(&t, dir);
	for (int page = 1;; page++)
	{
		HttpResult	r;
		json_object *o,
				   *convs,
				   *hits;

		snprintf(body, sizeof(body),
				 "{\"interval\":\"%s\",\"order\":\"asc\",\"paging\":{\"pageSize\":%d,\"pageNumber\":%d}}",
				 interval, page_size, page);
		http("POST", "/api/v2/analytics/conversations/details/query", body, &r);
		if (r.status != 200 || !(o = json_tokener_parse(r.body.data)))
		{
			fail("page %d: status %ld: %.300s", page, r.status, r.body.data);
			return 1;
		}
		if (!json_object_object_get_ex(o, "totalHits", &hits))
			fail("page %d: no totalHits", page);
		if (!json_object_object_get_ex(o, "conversations", &convs))
		{
			if (strstr(r.body.data, "\"conversations\""))
				fail("page %d: conversations present but unparsable", page);
			printf("ok: conversations omitted past the last page (page %d, totalHits %d)\n",
				   page, json_object_get_int(hits));
			if (json_object_get_int(hits) != t.n)
				fail("totalHits %d, truth %d", json_object_get_int(hits), t.n);
			json_object_put(o);
			sb_free(&r.body);
			break;
		}
		if (json_object_array_length(convs) == 0)
			fail("page %d: an empty conversations array instead of omitting it", page);
		for (size_t i = 0; i < json_object_array_length(convs); i++)
		{
			json_object *c = json_object_array_get_idx(convs, i);
			int64_t		st = jts(c, "conversationStart");

			if (st < prev_start)
				fail("page %d: not in conversationStart order", page);
			prev_start = st;
			check_record(c, &t, false);
			total++;
		}
		pages++;
		json_object_put(o);
		sb_free(&r.body);
	}
	printf("ok: %d pages of up to %d, %d conversations\n", pages, page_size, total);
	check_all_seen(&t, "details query");
	if (!failures)
		printf("ok: metrics agree with segments and with the truth for all %d conversations\n", total);
	return failures ? 1 : 0;
}

static int
cmd_jobs(const char *interval, const char *dir, int page_size)
{
	Truth		t;
	char		body[1024],
				path[1024],
				job[64] = "",
				cursor[128] = "";
	HttpResult	r;
	json_object *o,
			   *v;
	int			pages = 0,
				total = 0;

	truth_load(&t, dir);
	snprintf(body, sizeof(body), "{\"interval\":\"%s\",\"startOfDayIntervalMatching\":true}", interval);
	http("POST", "/api/v2/analytics/conversations/details/jobs", body, &r);
	if (r.status != 202 || !(o = json_tokener_parse(r.body.data)) ||
		!json_object_object_get_ex(o, "jobId", &v))
	{
		fail("job create: status %ld %.300s", r.status, r.body.data);
		return 1;
	}
	snprintf(job, sizeof(job), "%s", json_object_get_string(v));
	json_object_put(o);
	printf("ok: job created with 202, jobId %s\n", job);
	for (int i = 0;; i++)
	{
		const char *state;

		snprintf(path, sizeof(path), "/api/v2/analytics/conversations/details/jobs/%s", job);
		http("GET", path, NULL, &r);
		o = json_tokener_parse(r.body.data);
		state = o ? jstr(o, "state") : NULL;
		if (r.status != 200 || !state)
		{
			fail("job status: %ld %.300s", r.status, r.body.data);
			return 1;
		}
		if (strcmp(state, "FULFILLED") == 0)
		{
			printf("ok: job FULFILLED after %d polls\n", i + 1);
			json_object_put(o);
			break;
		}
		if (strcmp(state, "QUEUED") != 0 && strcmp(state, "PENDING") != 0)
			fail("job state %s", state);
		json_object_put(o);
		usleep(50000);
	}
	for (;;)
	{
		json_object *convs;

		snprintf(path, sizeof(path),
				 "/api/v2/analytics/conversations/details/jobs/%s/results?pageSize=%d%s%s",
				 job, page_size, cursor[0] ? "&cursor=" : "", cursor);
		http("GET", path, NULL, &r);
		if (r.status != 200 || !(o = json_tokener_parse(r.body.data)))
		{
			fail("job results: %ld %.300s", r.status, r.body.data);
			return 1;
		}
		if (!json_object_object_get_ex(o, "dataAvailabilityDate", &v))
			fail("job results without dataAvailabilityDate");
		if (json_object_object_get_ex(o, "conversations", &convs))
			for (size_t i = 0; i < json_object_array_length(convs); i++)
			{
				check_record(json_object_array_get_idx(convs, i), &t, true);
				total++;
			}
		pages++;
		if (!json_object_object_get_ex(o, "cursor", &v))
		{
			json_object_put(o);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", json_object_get_string(v));
		json_object_put(o);
	}
	printf("ok: %d result pages, %d conversations, cursor absent on the last\n", pages, total);
	check_all_seen(&t, "details job");
	snprintf(path, sizeof(path), "/api/v2/analytics/conversations/details/jobs/%s", job);
	http("DELETE", path, NULL, &r);
	if (r.status != 204)
		fail("job delete: %ld", r.status);
	http("GET", path, NULL, &r);
	if (r.status != 404)
		fail("deleted job: status %ld, expected 404", r.status);
	else
		puts("ok: DELETE 204, then 404");
	return failures ? 1 : 0;
}

/* ----------------------------------------------------------------------
 * Aggregates against queue_daily.csv
 * ----------------------------------------------------------------------
 */
static int
cmd_aggregates(const char *interval, const char *dir)
{
	char		body[1024],
				path[4096],
				line[4096];
	HttpResult	r;
	json_object *o,
			   *results;
	FILE	   *f;
	int			rows = 0,
				matched = 0;

	snprintf(body, sizeof(body),
			 "{\"interval\":\"%s\",\"granularity\":\"P1D\",\"groupBy\":[\"queueId\",\"mediaType\"],"
			 "\"metrics\":[\"nOffered\",\"tAbandon\",\"tHandle\",\"tTalk\",\"tAcd\"]}", interval);
	http("POST", "/api/v2/analytics/conversations/aggregates/query", body, &r);
	if (r.status != 200 || !(o = json_tokener_parse(r.body.data)) ||
		!json_object_object_get_ex(o, "results", &results))
	{
		fail("aggregates: %ld %.300s", r.status, r.body.data);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/queue_daily.csv", dir);
	if (!(f = fopen(path, "r")) || !fgets(line, sizeof(line), f))
	{
		fail("cannot read %s", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f))
	{
		char	   *c[9];
		int64_t		expect[6];
		int64_t		got[6] = {0};
		bool		found = false;

		if (split_csv(line, c, 9) != 9)
			continue;
		rows++;
		for (int i = 0; i < 6; i++)
			expect[i] = atoll(c[3 + i]);
		for (size_t g = 0; g < json_object_array_length(results); g++)
		{
			json_object *res = json_object_array_get_idx(results, g),
					   *grp,
					   *data;

			json_object_object_get_ex(res, "group", &grp);
			if (!jstr(grp, "queueId") || !jstr(grp, "mediaType") ||
				strcmp(jstr(grp, "queueId"), c[1]) != 0 || strcmp(jstr(grp, "mediaType"), c[2]) != 0)
				continue;
			json_object_object_get_ex(res, "data", &data);
			for (size_t b = 0; b < json_object_array_length(data); b++)
			{
				json_object *bucket = json_object_array_get_idx(data, b),
						   *mets;
				const char *iv = jstr(bucket, "interval");

				if (!iv || strncmp(iv, c[0], 10) != 0)
					continue;
				found = true;
				json_object_object_get_ex(bucket, "metrics", &mets);
				for (size_t k = 0; k < json_object_array_length(mets); k++)
				{
					json_object *mv = json_object_array_get_idx(mets, k),
							   *stats,
							   *x;
					const char *name = jstr(mv, "metric");

					json_object_object_get_ex(mv, "stats", &stats);
#define STAT(key) (json_object_object_get_ex(stats, key, &x) ? json_object_get_int64(x) : 0)
					if (strcmp(name, "nOffered") == 0)
						got[0] = STAT("count");
					else if (strcmp(name, "tAbandon") == 0)
						got[1] = STAT("count");
					else if (strcmp(name, "tHandle") == 0)
					{
						got[2] = STAT("sum");
						got[3] = STAT("count");
					}
					else if (strcmp(name, "tTalk") == 0)
						got[4] = STAT("sum");
					else if (strcmp(name, "tAcd") == 0)
						got[5] = STAT("sum");
#undef STAT
				}
			}
		}
		if (!found)
		{
			fail("no aggregate for %s %s %s", c[0], c[1], c[2]);
			continue;
		}
		if (memcmp(got, expect, sizeof(got)) != 0)
			fail("%s %s %s: aggregates %lld %lld %lld %lld %lld %lld, truth %lld %lld %lld %lld %lld %lld",
				 c[0], c[1], c[2], (long long) got[0], (long long) got[1], (long long) got[2],
				 (long long) got[3], (long long) got[4], (long long) got[5],
				 (long long) expect[0], (long long) expect[1], (long long) expect[2],
				 (long long) expect[3], (long long) expect[4], (long long) expect[5]);
		else
			matched++;
	}
	fclose(f);
	json_object_put(o);
	if (rows == 0)
		fail("queue_daily.csv is empty");
	if (!failures)
		printf("ok: aggregates agree with queue_daily.csv on all %d (date, queue, media) rows\n", matched);
	return failures ? 1 : 0;
}

/* ----------------------------------------------------------------------
 * Faults: the share of each outcome over N requests
 * ----------------------------------------------------------------------
 */
static int
cmd_faults(int n)
{
	int			ok = 0,
				s429 = 0,
				s500 = 0,
				s503 = 0,
				s401 = 0,
				drop = 0,
				trunc = 0,
				other = 0;

	fresh_connections = true;
	for (int i = 0; i < n; i++)
	{
		HttpResult	r;

		http("GET", "/api/v2/routing/queues?pageSize=100", NULL, &r);
		if (r.code == CURLE_GOT_NOTHING || r.code == CURLE_RECV_ERROR)
			drop++;
		else if (r.code == CURLE_PARTIAL_FILE)
			trunc++;
		else if (r.code != CURLE_OK)
			other++;
		else if (r.status == 200)
			ok++;
		else if (r.status == 429)
			s429 += r.retry_after[0] ? 1 : 0;
		else if (r.status == 500)
			s500++;
		else if (r.status == 503)
			s503++;
		else if (r.status == 401)
			s401++;
		else
			other++;
		sb_free(&r.body);
	}
	printf("requests %d ok %d 429 %d 500 %d 503 %d 401 %d drop %d truncate %d other %d\n",
		   n, ok, s429, s500, s503, s401, drop, trunc, other);
	return 0;
}

/* ----------------------------------------------------------------------
 * Benchmark: serving pages against json-c parsing them
 * ----------------------------------------------------------------------
 */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

#define BENCH_DISTINCT 20

static int
cmd_bench(const char *interval, int npages)
{
	char		body[1024];
	double		t0,
				serve_s,
				parse_s;
	size_t		bytes = 0;
	char	   *saved[BENCH_DISTINCT] = {0};

	/* warm the day and match caches; keep the distinct pages for json-c */
	for (int p = 0; p < BENCH_DISTINCT; p++)
	{
		HttpResult	r;

		snprintf(body, sizeof(body),
				 "{\"interval\":\"%s\",\"paging\":{\"pageSize\":100,\"pageNumber\":%d}}",
				 interval, p + 1);
		http("POST", "/api/v2/analytics/conversations/details/query", body, &r);
		if (r.status != 200 || !strstr(r.body.data, "\"conversations\""))
		{
			fail("bench needs %d full pages: status %ld", BENCH_DISTINCT, r.status);
			return 1;
		}
		saved[p] = strdup(r.body.data);
		sb_free(&r.body);
	}
	reuse_body = true;
	t0 = now_s();
	for (int p = 0; p < npages; p++)
	{
		HttpResult	r;

		snprintf(body, sizeof(body),
				 "{\"interval\":\"%s\",\"paging\":{\"pageSize\":100,\"pageNumber\":%d}}",
				 interval, p % BENCH_DISTINCT + 1);
		http("POST", "/api/v2/analytics/conversations/details/query", body, &r);
		if (r.status != 200)
		{
			fail("bench page: %ld", r.status);
			return 1;
		}
		bytes += r.body.len;
	}
	serve_s = now_s() - t0;
	/* json-c: only json_tokener_parse is timed, not freeing the tree */
	parse_s = 0;
	for (int p = 0; p < npages; p++)
	{
		double		a = now_s();
		json_object *o = json_tokener_parse(saved[p % BENCH_DISTINCT]);

		parse_s += now_s() - a;
		if (!o)
			fail("json-c could not parse page %d", p);
		json_object_put(o);
	}
	printf("pages %d bytes_per_page %zu serve_pages_per_s %.1f parse_pages_per_s %.1f ratio %.2f\n",
		   npages, bytes / (size_t) (npages ? npages : 1), npages / serve_s, npages / parse_s,
		   parse_s / serve_s);
	for (int p = 0; p < BENCH_DISTINCT; p++)
		free(saved[p]);
	return failures ? 1 : 0;
}

/* the number of records in a page: one conversationId each */
static int
count_records(const char *body)
{
	int			n = 0;

	for (const char *p = body; (p = strstr(p, "{\"conversationId\":")); p++)
		n++;
	return n;
}

static int
cmd_serve_days(const char *first_day, int ndays)
{
	int64_t		day0;
	int64_t		total = 0,
				bytes = 0;
	int			pages = 0;
	double		t0 = now_s();

	if (sim_parse_ts(first_day, strlen(first_day), &day0) != 0)
	{
		fail("bad day %s", first_day);
		return 1;
	}
	for (int d = 0; d < ndays; d++)
	{
		char		a[32],
					b[32],
					body[256],
					path[512],
					job[64],
					cursor[128] = "";
		HttpResult	r;
		json_object *o,
				   *v;

		sim_format_ts(a, day0 + d * MS_PER_DAY);
		sim_format_ts(b, day0 + (d + 1) * MS_PER_DAY);
		snprintf(body, sizeof(body),
				 "{\"interval\":\"%s/%s\",\"startOfDayIntervalMatching\":true}", a, b);
		http("POST", "/api/v2/analytics/conversations/details/jobs", body, &r);
		if (r.status != 202 || !(o = json_tokener_parse(r.body.data)) ||
			!json_object_object_get_ex(o, "jobId", &v))
		{
			fail("job: %ld %.200s", r.status, r.body.data);
			return 1;
		}
		snprintf(job, sizeof(job), "%s", json_object_get_string(v));
		json_object_put(o);
		sb_free(&r.body);
		for (;;)
		{
			snprintf(path, sizeof(path),
					 "/api/v2/analytics/conversations/details/jobs/%s/results?pageSize=1000%s%s",
					 job, cursor[0] ? "&cursor=" : "", cursor);
			http("GET", path, NULL, &r);
			if (r.status == 400 && strstr(r.body.data, "not fulfilled"))
			{
				sb_free(&r.body);
				usleep(20000);
				continue;
			}
			if (r.status != 200)
			{
				fail("results: %ld %.200s", r.status, r.body.data);
				return 1;
			}
			total += count_records(r.body.data);
			bytes += (int64_t) r.body.len;
			pages++;
			{
				char	   *c = strstr(r.body.data, "\"cursor\":\"");

				if (!c)
				{
					sb_free(&r.body);
					break;
				}
				c += 10;
				snprintf(cursor, sizeof(cursor), "%.*s", (int) strcspn(c, "\""), c);
			}
			sb_free(&r.body);
		}
	}
	printf("conversations %lld pages %d bytes %lld seconds %.2f conversations_per_s %.0f\n",
		   (long long) total, pages, (long long) bytes, now_s() - t0,
		   total / (now_s() - t0));
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int			rc = 2;

	if (argc < 3)
	{
		fprintf(stderr, "usage: gcsim_check details|jobs|aggregates|faults|bench URL ...\n");
		return 2;
	}
	base_url = argv[2];
	curl_global_init(CURL_GLOBAL_ALL);
	curl = curl_easy_init();
	get_token();
	if (strcmp(argv[1], "details") == 0 && argc >= 5)
		rc = cmd_details(argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 100);
	else if (strcmp(argv[1], "jobs") == 0 && argc >= 5)
		rc = cmd_jobs(argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 1000);
	else if (strcmp(argv[1], "aggregates") == 0 && argc >= 5)
		rc = cmd_aggregates(argv[3], argv[4]);
	else if (strcmp(argv[1], "faults") == 0 && argc >= 4)
		rc = cmd_faults(atoi(argv[3]));
	else if (strcmp(argv[1], "bench") == 0 && argc >= 5)
		rc = cmd_bench(argv[3], atoi(argv[4]));
	else if (strcmp(argv[1], "serve-days") == 0 && argc >= 5)
		rc = cmd_serve_days(argv[3], atoi(argv[4]));
	else
		fprintf(stderr, "gcsim_check: bad arguments\n");
	curl_easy_cleanup(curl);
	return rc;
}
