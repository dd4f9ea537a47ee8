/*-------------------------------------------------------------------------
 *
 * gc_api.c
 *		The Genesys Cloud side of gcsim: routing, OAuth client credentials,
 *		error bodies, reference data listings and quality evaluations.
 *
 * Tokens are stateless: "gcsim1.<issued ms hex>.<client hex>.<mac hex>",
 * verified by recomputing the mac from the seed, so a token survives
 * nothing but its own lifetime (--gc-token-ttl seconds of simulated time).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_api.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

#define API_PREFIX "/api/v2/"
#define DETAILS_PREFIX "/api/v2/analytics/conversations/"

void
gc_error(SimResponse *resp, int status, const char *code, const char *fmt,...)
{
	StrBuf		sb;
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_init(&sb, 256);
	sb_puts(&sb, "{\"message\":");
	sb_json_str(&sb, msg);
	sb_puts(&sb, ",\"code\":");
	sb_json_str(&sb, code);
	sb_printf(&sb, ",\"status\":%d,\"messageParams\":{},\"contextId\":", status);
	sb_json_str(&sb, sim_correlation_id);
	sb_puts(&sb, ",\"details\":[],\"errors\":[]}");
	free(resp->body);
	resp->status = status;
	resp->content_type = NULL;
	sb_to_response(&sb, resp);
}

/* ----------------------------------------------------------------------
 * OAuth
 * ----------------------------------------------------------------------
 */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
token_mac(uint64_t issued, uint64_t client)
{
	return mix(sim_config.seed ^ mix(issued ^ mix(client + UINT64_C(0x6763736d))));
}

/* parses and verifies a token; false when forged or malformed */
static bool
token_parse(const char *tok, uint64_t *issued, uint64_t *client)
{
	unsigned long long a,
				b,
				m;
	int			n = 0;

	if (sscanf(tok, "gcsim1.%llx.%llx.%llx%n", &a, &b, &m, &n) != 3 || tok[n] != '\0')
		return false;
	if (token_mac(a, b) != m)
		return false;
	*issued = a;
	*client = b;
	return true;
}

bool
gc_token_client(const char *authorization, uint64_t *client_key)
{
	uint64_t	issued;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	return token_parse(authorization + 7, &issued, client_key);
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* decodes base64 into out (NUL-terminated); -1 on bad input */
static int
b64_decode(const char *in, char *out, size_t outcap)
{
	size_t		o = 0;
	uint32_t	acc = 0;
	int			bits = 0;

	for (; *in && *in != '='; in++)
	{
		int			v = b64val((unsigned char) *in);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (o + 1 >= outcap)
				return -1;
			out[o++] = (char) ((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return 0;
}

static void
oauth_error(SimResponse *resp, int status, const char *error, const char *desc)
{
	StrBuf		sb;

	sb_init(&sb, 128);
	sb_puts(&sb, "{\"error\":");
	sb_json_str(&sb, error);
	sb_puts(&sb, ",\"description\":");
	sb_json_str(&sb, desc);
	sb_puts(&sb, ",\"error_description\":");
	sb_json_str(&sb, desc);
	sb_putc(&sb, '}');
	free(resp->body);
	resp->status = status;
	sb_to_response(&sb, resp);
}

static void
oauth_token(const SimRequest *req, SimResponse *resp)
{
	char		creds[512];
	char		grant[64];
	char	   *colon;
	uint64_t	client,
				issued;
	StrBuf		sb;

	if (strcmp(req->method, "POST") != 0)
	{
		oauth_error(resp, 400, "invalid_request", "Use POST.");
		return;
	}
	if (!req->authorization || strncasecmp(req->authorization, "Basic ", 6) != 0 ||
		b64_decode(req->authorization + 6, creds, sizeof(creds)) != 0 ||
		!(colon = strchr(creds, ':')))
	{
		oauth_error(resp, 401, "invalid_client",
					"Client authentication failed: send Basic base64(client_id:client_secret).");
		return;
	}
	*colon = '\0';
	if (!creds[0] || !colon[1] ||
		(sim_config.client_id && strcmp(creds, sim_config.client_id) != 0) ||
		(sim_config.client_secret && strcmp(colon + 1, sim_config.client_secret) != 0))
	{
		oauth_error(resp, 401, "invalid_client", "Client authentication failed.");
		return;
	}
	if (!sim_query_arg(req->body, "grant_type", grant, sizeof(grant)))
	{
		oauth_error(resp, 400, "invalid_request", "grant_type is required.");
		return;
	}
	if (strcmp(grant, "client_credentials") != 0)
	{
		oauth_error(resp, 400, "unsupported_grant_type",
					"Only grant_type=client_credentials is supported.");
		return;
	}
	client = sim_hash_str(creds) | 1;
	issued = (uint64_t) req->now_ms;
	sb_init(&sb, 160);
	sb_printf(&sb, "{\"access_token\":\"gcsim1.%llx.%llx.%llx\",\"token_type\":\"bearer\","
			  "\"expires_in\":%d}",
			  (unsigned long long) issued, (unsigned long long) client,
			  (unsigned long long) token_mac(issued, client), sim_config.gc_token_ttl_s);
	resp->status = 200;
	sb_to_response(&sb, resp);
}

/* checks the bearer token of an API request; false with resp filled */
static bool
check_auth(const SimRequest *req, SimResponse *resp)
{
	uint64_t	issued,
				client;

	if (!req->authorization || strncasecmp(req->authorization, "Bearer ", 7) != 0)
	{
		gc_error(resp, 401, "authentication.required",
				 "No authentication bearer token specified in authorization header.");
		return false;
	}
	if (!token_parse(req->authorization + 7, &issued, &client))
	{
		gc_error(resp, 401, "bad.credentials", "Invalid login credentials.");
		return false;
	}
	if ((int64_t) issued + (int64_t) sim_config.gc_token_ttl_s * 1000 <= req->now_ms)
	{
		gc_error(resp, 401, "credentials.expired", "The authentication token has expired.");
		return false;
	}
	return true;
}

/* ----------------------------------------------------------------------
 * Entity listings: queues, users, wrap-up codes
 * ----------------------------------------------------------------------
 */
typedef enum ListKind
{
	LIST_QUEUES, LIST_USERS, LIST_WRAPUPS
} ListKind;

/* {"id","name","selfUri":uri_base + id} */
static void
entity_ref(StrBuf *sb, const char *id, const char *name, const char *uri_base)
{
	sb_puts(sb, "{\"id\":");
	sb_json_str(sb, id);
	sb_puts(sb, ",\"name\":");
	sb_json_str(sb, name);
	sb_puts(sb, ",\"selfUri\":\"");
	sb_puts(sb, uri_base);
	sb_puts(sb, id);
	sb_puts(sb, "\"}");
}

static void
render_division(StrBuf *sb, int div)
{
	entity_ref(sb, gc_world.divisions[div].id, gc_world.divisions[div].name,
			   "/api/v2/authorization/divisions/");
}

static void
render_entity(StrBuf *sb, ListKind kind, int i)
{
	if (kind == LIST_QUEUES)
	{
		const GcQueue *q = &gc_world.queues[i];

		sb_puts(sb, "{\"id\":");
		sb_json_str(sb, q->id);
		sb_puts(sb, ",\"name\":");
		sb_json_str(sb, q->name);
		sb_puts(sb, ",\"division\":");
		render_division(sb, q->division);
		sb_puts(sb, ",\"description\":");
		sb_json_str(sb, q->internal ? "Internal queue" : "Customer queue");
		sb_puts(sb, ",\"dateCreated\":");
		sb_json_ts(sb, q->created_ms);
		sb_puts(sb, ",\"dateModified\":");
		sb_json_ts(sb, q->created_ms + 30 * MS_PER_DAY);
		sb_printf(sb, ",\"memberCount\":%d,\"userMemberCount\":%d,\"joinedMemberCount\":%d",
				  q->nagents, q->nagents, q->nagents);
		sb_puts(sb, ",\"skillEvaluationMethod\":\"BEST\",\"acwSettings\":{\"wrapupPrompt\":\"MANDATORY_TIMEOUT\",\"timeoutMs\":60000}");
		sb_puts(sb, ",\"selfUri\":\"/api/v2/routing/queues/");
		sb_puts(sb, q->id);
		sb_puts(sb, "\"}");
	}
	else if (kind == LIST_USERS)
	{
		const GcUser *u = &gc_world.users[i];

		sb_puts(sb, "{\"id\":");
		sb_json_str(sb, u->id);
		sb_puts(sb, ",\"name\":");
		sb_json_str(sb, u->name);
		sb_puts(sb, ",\"division\":");
		render_division(sb, u->division);
		sb_puts(sb, ",\"email\":");
		sb_json_str(sb, u->email);
		sb_puts(sb, ",\"username\":");
		sb_json_str(sb, u->email);
		sb_puts(sb, ",\"state\":");
		sb_json_str(sb, u->state);
		sb_puts(sb, ",\"title\":");
		sb_json_str(sb, u->title);
		sb_puts(sb, ",\"department\":");
		sb_json_str(sb, u->department);
		sb_puts(sb, ",\"version\":1,\"selfUri\":\"/api/v2/users/");
		sb_puts(sb, u->id);
		sb_puts(sb, "\"}");
	}
	else
	{
		const GcWrapup *w = &gc_world.wrapups[i];

		sb_puts(sb, "{\"id\":");
		sb_json_str(sb, w->id);
		sb_puts(sb, ",\"name\":");
		sb_json_str(sb, w->name);
		sb_puts(sb, ",\"division\":");
		render_division(sb, w->division);
		sb_puts(sb, ",\"dateCreated\":");
		sb_json_ts(sb, w->created_ms);
		sb_puts(sb, ",\"dateModified\":");
		sb_json_ts(sb, w->created_ms);
		sb_puts(sb, ",\"createdBy\":\"admin\",\"selfUri\":\"/api/v2/routing/wrapupcodes/");
		sb_puts(sb, w->id);
		sb_puts(sb, "\"}");
	}
}

static const char *
entity_name(ListKind kind, int i)
{
	return kind == LIST_QUEUES ? gc_world.queues[i].name :
		kind == LIST_USERS ? gc_world.users[i].name : gc_world.wrapups[i].name;
}

static int
cmp_entities(const void *a, const void *b, void *arg)
{
	ListKind	kind = *(const ListKind *) arg;

	return strcmp(entity_name(kind, *(const int *) a), entity_name(kind, *(const int *) b));
}

static void
listing(const SimRequest *req, SimResponse *resp, ListKind kind)
{
	static const char *const paths[] = {
		"/api/v2/routing/queues", "/api/v2/users", "/api/v2/routing/wrapupcodes"
	};
	int			total = kind == LIST_QUEUES ? gc_world.nqueues :
		kind == LIST_USERS ? gc_world.nusers : gc_world.nwrapups;
	int		   *sel = malloc(sizeof(int) * (size_t) (total + 1));
	int			nsel = 0;
	int			page_size = 25,
				page_number = 1,
				page_count;
	char		arg[256];
	char		name_pat[256] = "";
	char		state[32] = "active";
	char		id_filter[64] = "";
	bool		desc = false;
	StrBuf		sb;

	if (sim_query_arg(req->query, "pageSize", arg, sizeof(arg)))
		page_size = atoi(arg);
	if (sim_query_arg(req->query, "pageNumber", arg, sizeof(arg)))
		page_number = atoi(arg);
	if (page_size < 1 || page_size > sim_config.listing_page_max || page_number < 1)
	{
		gc_error(resp, 400, "bad.request",
				 "pageSize must be between 1 and %d and pageNumber at least 1",
				 sim_config.listing_page_max);
		free(sel);
		return;
	}
	/* the server's own cap, reflected in pageSize and pageCount */
	if (gc_config.listing_page_cap > 0 && page_size > gc_config.listing_page_cap)
		page_size = gc_config.listing_page_cap;
	sim_query_arg(req->query, "name", name_pat, sizeof(name_pat));
	if (!sim_query_arg(req->query, "state", state, sizeof(state)) || !state[0])
		snprintf(state, sizeof(state), "active");
	if (!sim_query_arg(req->query, "id", id_filter, sizeof(id_filter)))
		sim_query_arg(req->query, "id[]", id_filter, sizeof(id_filter));
	if (sim_query_arg(req->query, "sortOrder", arg, sizeof(arg)))
		desc = strncmp(arg, "desc", 4) == 0;
	for (int i = 0; i < total; i++)
	{
		const char *id = kind == LIST_QUEUES ? gc_world.queues[i].id :
			kind == LIST_USERS ? gc_world.users[i].id : gc_world.wrapups[i].id;

		if (name_pat[0] && fnmatch(name_pat, entity_name(kind, i), FNM_CASEFOLD) != 0)
			continue;
		if (id_filter[0] && strcmp(id_filter, id) != 0)
			continue;
		if (kind == LIST_USERS && strcmp(state, "any") != 0 &&
			strcmp(state, gc_world.users[i].state) != 0)
			continue;
		sel[nsel++] = i;
	}
	qsort_r(sel, (size_t) nsel, sizeof(int), cmp_entities, &kind);
	if (desc)
		for (int i = 0; i < nsel / 2; i++)
		{
			int			t = sel[i];

			sel[i] = sel[nsel - 1 - i];
			sel[nsel - 1 - i] = t;
		}
	page_count = (nsel + page_size - 1) / page_size;
	sb_init(&sb, 4096);
	sb_puts(&sb, "{\"entities\":[");
	for (int k = (page_number - 1) * page_size, n = 0; k < nsel && n < page_size; k++, n++)
	{
		if (n)
			sb_putc(&sb, ',');
		render_entity(&sb, kind, sel[k]);
	}
	sb_printf(&sb, "],\"pageSize\":%d,\"pageNumber\":%d,\"total\":%d,\"pageCount\":%d",
			  page_size, page_number, nsel, page_count);
	sb_printf(&sb, ",\"firstUri\":\"%s?pageSize=%d&pageNumber=1\"", paths[kind], page_size);
	if (page_number > 1)
		sb_printf(&sb, ",\"previousUri\":\"%s?pageSize=%d&pageNumber=%d\"", paths[kind],
				  page_size, page_number - 1);
	if (page_number < page_count)
		sb_printf(&sb, ",\"nextUri\":\"%s?pageSize=%d&pageNumber=%d\"", paths[kind],
				  page_size, page_number + 1);
	sb_printf(&sb, ",\"lastUri\":\"%s?pageSize=%d&pageNumber=%d\"", paths[kind], page_size,
			  page_count > 0 ? page_count : 1);
	sb_printf(&sb, ",\"selfUri\":\"%s?pageSize=%d&pageNumber=%d\"}", paths[kind], page_size,
			  page_number);
	free(sel);
	resp->status = 200;
	sb_to_response(&sb, resp);
}

/* ----------------------------------------------------------------------
 * GET /api/v2/quality/conversations/{c}/evaluations/{e}
 * ----------------------------------------------------------------------
 */
static void
user_ref(StrBuf *sb, const char *key, int user)
{
	sb_printf(sb, ",\"%s\":", key);
	entity_ref(sb, gc_world.users[user].id, gc_world.users[user].name, "/api/v2/users/");
}

/*
 * Evaluation e of conversation c as the Quality API's EvaluationResponse;
 * answers: with the scoring set (a listing leaves it out unless asked).
 */
void
gc_render_evaluation(StrBuf *sb, const GcConversation *c, const GcEvaluation *e,
					 bool answers)
{
	const GcForm *f = &gc_world.forms[e->form];
	int			scores[GC_FORM_GROUPS][GC_GROUP_QUESTIONS];

	gc_eval_answers(e, scores);
	sb_puts(sb, "{\"id\":");
	sb_json_str(sb, e->id);
	sb_printf(sb, ",\"name\":\"Evaluation %s\"", e->id);
	sb_puts(sb, ",\"conversation\":{\"id\":");
	sb_json_str(sb, c->id);
	sb_printf(sb, ",\"selfUri\":\"/api/v2/conversations/%s\"}", c->id);
	sb_puts(sb, ",\"evaluationForm\":{\"id\":");
	sb_json_str(sb, f->id);
	sb_puts(sb, ",\"name\":");
	sb_json_str(sb, f->name);
	sb_puts(sb, ",\"contextId\":");
	sb_json_str(sb, f->context_id);
	sb_puts(sb, ",\"published\":true,\"weightMode\":\"SCALED\"}");
	user_ref(sb, "evaluator", e->evaluator);
	user_ref(sb, "agent", e->agent);
	user_ref(sb, "assignee", e->evaluator);
	if (e->calibration)
	{
		sb_puts(sb, ",\"calibration\":{\"id\":");
		sb_json_str(sb, e->calibration_id);
		sb_printf(sb, ",\"selfUri\":\"/api/v2/quality/calibrations/%s\"}", e->calibration_id);
	}
	sb_puts(sb, ",\"status\":");
	sb_json_str(sb, gc_eval_status_quality[e->status]);
	sb_printf(sb, ",\"agentHasRead\":%s,\"neverRelease\":false,\"assigned\":true,"
			  "\"assigneeApplicable\":true,\"rescore\":false,\"redacted\":false,"
			  "\"isScoringIndex\":false",
			  e->released_ms && (e->id_seed & 1) ? "true" : "false");
	if (e->released_ms)
	{
		sb_puts(sb, ",\"releaseDate\":");
		sb_json_ts(sb, e->released_ms);
	}
	sb_puts(sb, ",\"assignedDate\":");
	sb_json_ts(sb, e->created_ms);
	sb_puts(sb, ",\"createdDate\":");
	sb_json_ts(sb, e->created_ms);
	sb_puts(sb, ",\"changedDate\":");
	sb_json_ts(sb, e->changed_ms);
	if (e->status == EVAL_FINISHED)
	{
		sb_puts(sb, ",\"submittedDate\":");
		sb_json_ts(sb, e->changed_ms);
	}
	sb_puts(sb, ",\"conversationDate\":");
	sb_json_ts(sb, c->start_ms);
	if (e->queue != GC_NONE)
	{
		sb_puts(sb, ",\"queue\":{\"id\":");
		sb_json_str(sb, gc_world.queues[e->queue].id);
		sb_puts(sb, ",\"name\":");
		sb_json_str(sb, gc_world.queues[e->queue].name);
		sb_putc(sb, '}');
	}
	sb_printf(sb, ",\"mediaType\":[\"%s\"]", gc_media_names[c->media]);
	sb_puts(sb, ",\"divisionIds\":[");
	sb_json_str(sb, gc_world.divisions[c->division].id);
	sb_putc(sb, ']');
	if (!answers)
		goto tail;
	sb_printf(sb, ",\"answers\":{\"totalScore\":%.2f,\"totalCriticalScore\":%.2f,"
			  "\"totalNonCriticalScore\":%.2f,\"maxTotalRawScore\":%d,"
			  "\"maxTotalRawCriticalScore\":%d,\"anyFailedKillQuestions\":%s,"
			  "\"comments\":\"\",\"agentComments\":\"\",\"questionGroupScores\":[",
			  e->total_score, e->critical_score, e->noncritical_score,
			  5 * GC_FORM_GROUPS * GC_GROUP_QUESTIONS, 5 * GC_GROUP_QUESTIONS,
			  e->any_failed_kill ? "true" : "false");
	for (int g = 0; g < GC_FORM_GROUPS; g++)
	{
		int			raw = 0;

		for (int q = 0; q < GC_GROUP_QUESTIONS; q++)
			raw += scores[g][q];
		sb_printf(sb, "%s{\"questionGroupId\":\"%s\",\"totalScore\":%.2f,"
				  "\"maxTotalScore\":100.0,\"markedNA\":false,\"systemMarkedNA\":false,"
				  "\"totalCriticalScore\":%.2f,\"maxTotalCriticalScore\":%.1f,"
				  "\"totalNonCriticalScore\":%.2f,\"maxTotalNonCriticalScore\":%.1f,"
				  "\"totalScoreUnweighted\":%d.0,\"maxTotalScoreUnweighted\":%d.0,"
				  "\"questionScores\":[",
				  g ? "," : "", f->group_ids[g], raw * 100.0 / (5.0 * GC_GROUP_QUESTIONS),
				  g == 2 ? raw * 100.0 / (5.0 * GC_GROUP_QUESTIONS) : 0.0, g == 2 ? 100.0 : 0.0,
				  g != 2 ? raw * 100.0 / (5.0 * GC_GROUP_QUESTIONS) : 0.0, g != 2 ? 100.0 : 0.0,
				  raw, 5 * GC_GROUP_QUESTIONS);
		for (int q = 0; q < GC_GROUP_QUESTIONS; q++)
		{
			SimRng		r = sim_rng_derive(e->id_seed, "answer", (uint64_t) (g * 10 + q));
			char		answer_id[37];

			gc_uuid(answer_id, &r);
			sb_printf(sb, "%s{\"questionId\":\"%s\",\"answerId\":\"%s\",\"score\":%d,"
					  "\"markedNA\":false,\"failedKillQuestion\":%s}",
					  q ? "," : "", f->question_ids[g][q], answer_id, scores[g][q],
					  g == 2 && q == 0 && scores[g][q] == 0 ? "true" : "false");
		}
		sb_puts(sb, "]}");
	}
	sb_puts(sb, "]}");
tail:
	sb_printf(sb, ",\"resourceType\":\"%s\",\"selfUri\":\"/api/v2/quality/conversations/%s/evaluations/%s\"}",
			  c->media == MEDIA_EMAIL ? "EMAIL" : "CONVERSATION", c->id, e->id);
}

static void
quality_evaluation(const char *conv_id, const char *eval_id, SimResponse *resp)
{
	GcDay	   *d;
	GcConversation *c = gc_conversation_find(conv_id, &d);
	const GcEvaluation *e = NULL;
	StrBuf		sb;

	for (int i = 0; c && i < c->neval; i++)
		if (strcmp(d->eval[c->first_eval + i].id, eval_id) == 0)
			e = &d->eval[c->first_eval + i];
	if (!e || gc_eval_gone(eval_id))
	{
		if (c)
			gc_day_release(d);
		gc_error(resp, 404, "not.found", "Evaluation %s of conversation %s was not found.",
				 eval_id, conv_id);
		return;
	}
	sb_init(&sb, 4096);
	gc_render_evaluation(&sb, c, e, true);
	gc_day_release(d);
	resp->status = 200;
	sb_to_response(&sb, resp);
}

/* ----------------------------------------------------------------------
 * Routing
 * ----------------------------------------------------------------------
 */
void
gc_reset(void)
{
	gc_jobs_reset();
	gc_faults_reset();
}

typedef enum GcRoute
{
	R_NONE = 0,					/* not a Genesys path */
	R_OAUTH,
	R_DETAILS_QUERY,
	R_JOBS_CREATE,
	R_JOBS_AVAILABILITY,
	R_JOBS_STATUS,
	R_JOBS_DELETE,
	R_JOBS_RESULTS,
	R_CONVERSATIONS,
	R_CONVERSATION,
	R_AGGREGATES,
	R_QUEUES,
	R_USERS,
	R_WRAPUPS,
	R_QUALITY,
	R_QUALITY_QUERY,
	R_UNKNOWN,
	NUM_ROUTES
} GcRoute;

static const char *const route_labels[NUM_ROUTES] = {
	NULL, "gc.oauth", "gc.details.query", "gc.jobs.create", "gc.jobs.availability",
	"gc.jobs.status", "gc.jobs.delete", "gc.jobs.results", "gc.conversations",
	"gc.conversation", "gc.aggregates.query", "gc.queues", "gc.users",
	"gc.wrapupcodes", "gc.quality.evaluation", "gc.quality.evaluations.query", "gc.unknown"
};

/* which endpoint a request is for; ids found in the path go to a and b */
static GcRoute
route(const SimRequest *req, char a[64], char b[64])
{
	const char *path = req->path;
	const char *m = req->method;
	bool		get = strcmp(m, "GET") == 0;
	bool		post = strcmp(m, "POST") == 0;

	a[0] = b[0] = '\0';
	if (strcmp(path, "/oauth/token") == 0)
		return R_OAUTH;
	if (strncmp(path, API_PREFIX, strlen(API_PREFIX)) != 0 ||
		strncmp(path, "/api/v2/workforcemanagement/", 28) == 0)
		return R_NONE;			/* gc_wfm.c's, or not Genesys's */
	if (strncmp(path, DETAILS_PREFIX, strlen(DETAILS_PREFIX)) == 0)
	{
		const char *rest = path + strlen(DETAILS_PREFIX);
		size_t		n = strlen(rest);

		if (strcmp(rest, "details/query") == 0 && post)
			return R_DETAILS_QUERY;
		if (strcmp(rest, "details/jobs") == 0 && post)
			return R_JOBS_CREATE;
		if (strcmp(rest, "details/jobs/availability") == 0 && get)
			return R_JOBS_AVAILABILITY;
		if (strncmp(rest, "details/jobs/", 13) == 0)
		{
			int			used = 0;

			if (sscanf(rest + 13, "%63[^/]%n", a, &used) != 1)
				return R_UNKNOWN;
			if (rest[13 + used] == '\0')
				return get ? R_JOBS_STATUS : strcmp(m, "DELETE") == 0 ? R_JOBS_DELETE : R_UNKNOWN;
			return get && strcmp(rest + 13 + used, "/results") == 0 ? R_JOBS_RESULTS : R_UNKNOWN;
		}
		if (strcmp(rest, "details") == 0 && get)
			return R_CONVERSATIONS;
		if (strcmp(rest, "aggregates/query") == 0 && post)
			return R_AGGREGATES;
		if (get && n > 8 && n - 8 < 64 && strcmp(rest + n - 8, "/details") == 0 &&
			!memchr(rest, '/', n - 8))
		{
			snprintf(a, 64, "%.*s", (int) (n - 8), rest);
			return R_CONVERSATION;
		}
		return R_UNKNOWN;
	}
	if (get && strcmp(path, "/api/v2/routing/queues") == 0)
		return R_QUEUES;
	if (get && strcmp(path, "/api/v2/users") == 0)
		return R_USERS;
	if (get && strcmp(path, "/api/v2/routing/wrapupcodes") == 0)
		return R_WRAPUPS;
	if (get && strcmp(path, "/api/v2/quality/evaluations/query") == 0)
		return R_QUALITY_QUERY;
	if (get && strncmp(path, "/api/v2/quality/conversations/", 30) == 0)
	{
		int			used = 0;

		if (sscanf(path + 30, "%63[^/]/evaluations/%63[^/]%n", a, b, &used) == 2 &&
			path[30 + used] == '\0')
			return R_QUALITY;
	}
	return R_UNKNOWN;
}

const char *
gc_endpoint_label(const SimRequest *req)
{
	char		a[64],
				b[64];
	int			n;
	GcRoute		r = route(req, a, b);

	if (r == R_NONE)
		return gc_wfm_route(req, a, &n);
	return route_labels[r];
}

int
gc_handle(const SimRequest *req, SimResponse *resp)
{
	char		a[64],
				b[64];
	GcRoute		r = route(req, a, b);

	if (r == R_NONE)
	{
		char		id[64];
		int			n;
		const char *label = gc_wfm_route(req, id, &n);

		if (!label || strcmp(label, "gc.unknown") == 0)
			return 0;
		resp->endpoint = label;
		/* a download URL is pre-signed: no token */
		if (strcmp(label, "gc.wfm.download") != 0 && !check_auth(req, resp))
			resp->endpoint = "gc.unauthorized";
		else
			gc_wfm_handle(req, label, id, n, resp);
		return 1;
	}
	resp->endpoint = route_labels[r];
	if (r == R_OAUTH)
	{
		oauth_token(req, resp);
		return 1;
	}
	if (!check_auth(req, resp))
	{
		resp->endpoint = "gc.unauthorized";
		return 1;
	}
	switch (r)
	{
		case R_DETAILS_QUERY:
			gc_details_query(req, resp);
			break;
		case R_JOBS_CREATE:
			gc_job_create(req, resp);
			break;
		case R_JOBS_AVAILABILITY:
			gc_job_availability(resp);
			break;
		case R_JOBS_STATUS:
			gc_job_status(a, resp);
			break;
		case R_JOBS_DELETE:
			gc_job_delete(a, resp);
			break;
		case R_JOBS_RESULTS:
			gc_job_results(req, a, resp);
			break;
		case R_CONVERSATIONS:
			gc_conversations_by_ids(req, resp);
			break;
		case R_CONVERSATION:
			gc_conversation_by_id(a, resp);
			break;
		case R_AGGREGATES:
			gc_aggregates_query(req, resp);
			break;
		case R_QUEUES:
			listing(req, resp, LIST_QUEUES);
			break;
		case R_USERS:
			listing(req, resp, LIST_USERS);
			break;
		case R_WRAPUPS:
			listing(req, resp, LIST_WRAPUPS);
			break;
		case R_QUALITY:
			quality_evaluation(a, b, resp);
			break;
		case R_QUALITY_QUERY:
			gc_quality_evaluations_query(req, resp);
			break;
		default:
			gc_error(resp, 404, "not.found", "The requested resource was not found: %s %s",
					 req->method, req->path);
			break;
	}
	return 1;
}
