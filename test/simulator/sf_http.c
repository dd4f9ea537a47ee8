/*-------------------------------------------------------------------------
 *
 * sf_http.c
 *		The Salesforce REST endpoints of gcsim: OAuth token (client
 *		credentials, refresh token), query / queryAll with nextRecordsUrl
 *		paging, sobjects list and describe, limits, API versions; session
 *		expiry, the daily request allocation and Sforce-Limit-Info.
 *
 * sf_handle() runs on several threads at once: the world and the schema
 * are read-only once built; the query locators and the request counter
 * are guarded by sf_lock.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_http.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

#define DEFAULT_BATCH	2000
#define MIN_BATCH		200
#define LOCATOR_SLOTS	65536	/* open cursors kept; the oldest go first */
#define MIN_VERSION		20
#define TOKEN_PREFIX	"00DSIM000000001!AQgcsim."
#define REVOKED_PREFIX	"revoked"	/* refresh tokens gcsim refuses */

typedef struct Locator
{
	uint64_t	seq;			/* 0: free slot */
	char	   *soql;
	bool		all;			/* queryAll */
	int			batch;
	int64_t		created_ms;
} Locator;

static pthread_mutex_t sf_lock = PTHREAD_MUTEX_INITIALIZER;
static Locator locators[LOCATOR_SLOTS];
static uint64_t locator_seq;
static int64_t api_used;		/* requests counted against the allocation */

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */
static const char *
max_version(void)
{
	return sim_config.sf_api_version ? sim_config.sf_api_version : "62.0";
}

/* --sf-daily-limit; 0 means every counted request is over the limit */
static int
daily_limit(void)
{
	return sim_config.sf_daily_limit >= 0 ? sim_config.sf_daily_limit : 100000;
}

static const char *
base_url(void)
{
	return sim_config.base_url ? sim_config.base_url : "http://127.0.0.1";
}

void
sf_error(SimResponse *resp, int status, const char *error_code,
		 const char *message)
{
	StrBuf		b;

	sb_init(&b, 256);
	sb_puts(&b, "[{\"message\":");
	sb_json_str(&b, message);
	sb_puts(&b, ",\"errorCode\":");
	sb_json_str(&b, error_code);
	sb_puts(&b, "}]");
	free(resp->body);
	sb_to_response(&b, resp);
	resp->status = status;
	resp->content_type = "application/json;charset=UTF-8";
}

static void
sf_error_from(SimResponse *resp, const SfError *err)
{
	sf_error(resp, err->status, err->code, err->message);
}

/* the OAuth endpoint's own error shape */
static void
oauth_error(SimResponse *resp, const char *error, const char *description)
{
	StrBuf		b;

	sb_init(&b, 256);
	sb_puts(&b, "{\"error\":");
	sb_json_str(&b, error);
	sb_puts(&b, ",\"error_description\":");
	sb_json_str(&b, description);
	sb_putc(&b, '}');
	sb_to_response(&b, resp);
	resp->status = 400;
}

static void
json_response(SimResponse *resp, StrBuf *b)
{
	sb_to_response(b, resp);
	resp->status = 200;
}

/* ---------------------------------------------------------------------
 * OAuth
 * ---------------------------------------------------------------------
 */

/* HMAC of text under the simulator's key (the seed), as 32 hex chars */
static void
token_mac(int64_t issued_ms, char out[33])
{
	char		key[64],
				msg[64];
	unsigned char mac[32];

	snprintf(key, sizeof(key), "gcsim-sf-%" PRIu64, sim_config.seed);
	snprintf(msg, sizeof(msg), "token:%" PRId64, issued_ms);
	sf_hmac_sha256((unsigned char *) key, strlen(key),
				   (unsigned char *) msg, strlen(msg), mac);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", mac[i]);
}

/*
 * Checks "Bearer <token>" (or the legacy "OAuth <token>"): well-formed,
 * signed by us, and younger than the session timeout.
 */
static bool
token_valid(const char *authorization, int64_t now_ms)
{
	const char *tok;
	char	   *end;
	int64_t		issued;
	char		mac[33];
	int64_t		ttl_ms = (int64_t) (sim_config.sf_token_ttl_s > 0 ?
									sim_config.sf_token_ttl_s : 7200) * 1000;

	if (authorization == NULL)
		return false;
	if (strncasecmp(authorization, "Bearer ", 7) == 0)
		tok = authorization + 7;
	else if (strncasecmp(authorization, "OAuth ", 6) == 0)
		tok = authorization + 6;
	else
		return false;
	while (*tok == ' ')
		tok++;
	if (strncmp(tok, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return false;
	tok += strlen(TOKEN_PREFIX);
	if (!isdigit((unsigned char) *tok))
		return false;
	issued = strtoll(tok, &end, 10);
	if (*end != '.' || strlen(end + 1) != 32)
		return false;
	token_mac(issued, mac);
	if (strcmp(mac, end + 1) != 0)
		return false;
	return now_ms - issued <= ttl_ms;
}

static void
handle_token(const SimRequest *req, SimResponse *resp)
{
	char		grant[64],
				client_id[256] = "",
				client_secret[256] = "",
				refresh[512] = "";
	bool		have_secret;
	char		mac[33],
				id_url[512],
				issued[32],
				token[128],
				sig[64];
	unsigned char sigraw[32];
	StrBuf		b;

	resp->endpoint = "sf.token";
	resp->content_type = "application/json;charset=UTF-8";
	if (strcmp(req->method, "POST") != 0)
	{
		oauth_error(resp, "invalid_request", "must use HTTP POST");
		return;
	}
	if (!sim_query_arg(req->body, "grant_type", grant, sizeof(grant)))
	{
		oauth_error(resp, "unsupported_grant_type", "grant type not supported");
		return;
	}
	sim_query_arg(req->body, "client_id", client_id, sizeof(client_id));
	have_secret = sim_query_arg(req->body, "client_secret", client_secret,
								sizeof(client_secret));
	/* HTTP Basic client_id:client_secret instead of the form fields */
	if (req->authorization && strncasecmp(req->authorization, "Basic ", 6) == 0)
	{
		unsigned char raw[512];
		size_t		n;
		char	   *colon;

		if (sf_base64_decode(req->authorization + 6, raw, sizeof(raw) - 1, &n) == 0)
		{
			raw[n] = '\0';
			colon = strchr((char *) raw, ':');
			if (colon)
			{
				*colon = '\0';
				snprintf(client_id, sizeof(client_id), "%.255s", (char *) raw);
				snprintf(client_secret, sizeof(client_secret), "%.255s", colon + 1);
				have_secret = true;
			}
		}
	}

	if (strcmp(grant, "client_credentials") == 0)
	{
		if (!have_secret)
		{
			oauth_error(resp, "invalid_client", "invalid client credentials");
			return;
		}
	}
	else if (strcmp(grant, "refresh_token") == 0)
	{
		/* any refresh token is good unless empty or "revoked..." */
		if (!sim_query_arg(req->body, "refresh_token", refresh, sizeof(refresh)) ||
			refresh[0] == '\0' ||
			strncmp(refresh, REVOKED_PREFIX, strlen(REVOKED_PREFIX)) == 0)
		{
			oauth_error(resp, "invalid_grant", "expired access/refresh token");
			return;
		}
	}
	else
	{
		oauth_error(resp, "unsupported_grant_type", "grant type not supported");
		return;
	}
	if (client_id[0] == '\0')
	{
		oauth_error(resp, "invalid_client_id", "client identifier invalid");
		return;
	}
	if ((sim_config.client_id && strcmp(client_id, sim_config.client_id) != 0) ||
		(sim_config.client_secret && have_secret &&
		 strcmp(client_secret, sim_config.client_secret) != 0))
	{
		oauth_error(resp, "invalid_client", "invalid client credentials");
		return;
	}

	token_mac(req->now_ms, mac);
	snprintf(token, sizeof(token), "%s%" PRId64 ".%s", TOKEN_PREFIX, req->now_ms, mac);
	snprintf(issued, sizeof(issued), "%" PRId64, req->now_ms);
	snprintf(id_url, sizeof(id_url), "%s/id/%s/%s", base_url(), SF_ORG_ID,
			 SF_PRIV && SF_PRIV->nusers > 0 ? SF_PRIV->users[0].id : "005SM0000000000AAA");
	{
		char		msg[600];

		snprintf(msg, sizeof(msg), "%s%s", id_url, issued);
		sf_hmac_sha256((unsigned char *) client_secret, strlen(client_secret),
					   (unsigned char *) msg, strlen(msg), sigraw);
		sf_base64_encode(sigraw, 32, sig);
	}
	sb_init(&b, 256);
	sb_puts(&b, "{\"access_token\":");
	sb_json_str(&b, token);
	sb_puts(&b, ",\"signature\":");
	sb_json_str(&b, sig);
	sb_puts(&b, ",\"scope\":\"api\",\"instance_url\":");
	sb_json_str(&b, base_url());
	sb_puts(&b, ",\"id\":");
	sb_json_str(&b, id_url);
	sb_puts(&b, ",\"token_type\":\"Bearer\",\"issued_at\":");
	sb_json_str(&b, issued);
	sb_putc(&b, '}');
	json_response(resp, &b);
}

/* ---------------------------------------------------------------------
 * Query
 * ---------------------------------------------------------------------
 */

/* batchSize from Sforce-Query-Options, clamped, capped by --sf-batch-max */
static int
batch_size(const SimRequest *req)
{
	int			n = DEFAULT_BATCH;
	const char *o = req->sforce_query_options;
	const char *p = o ? strcasestr(o, "batchSize=") : NULL;

	if (p)
	{
		n = atoi(p + 10);
		n = n < MIN_BATCH ? MIN_BATCH : n > DEFAULT_BATCH ? DEFAULT_BATCH : n;
	}
	if (sim_config.sf_batch_max > 0 && n > sim_config.sf_batch_max)
		n = sim_config.sf_batch_max;
	return n;
}

static uint64_t
locator_open(const char *soql, bool all, int batch, int64_t now_ms)
{
	Locator    *l;
	uint64_t	seq;

	pthread_mutex_lock(&sf_lock);
	seq = ++locator_seq;
	l = &locators[seq % LOCATOR_SLOTS];
	free(l->soql);
	l->seq = seq;
	l->soql = strdup(soql);
	l->all = all;
	l->batch = batch;
	l->created_ms = now_ms;
	pthread_mutex_unlock(&sf_lock);
	return seq;
}

/* copies out the locator's query (malloc'd) or returns NULL if unknown */
static char *
locator_get(const char *loc, int64_t now_ms, bool *all, int *batch)
{
	static const char digits[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char		check[19];
	uint64_t	seq = 0;
	char	   *soql = NULL;

	if (strlen(loc) != 18 || strncmp(loc, "01gSM0", 6) != 0)
		return NULL;
	for (int i = 6; i < 15; i++)
	{
		const char *d = strchr(digits, loc[i]);

		if (d == NULL || *d == '\0')
			return NULL;
		seq = seq * 62 + (uint64_t) (d - digits);
	}
	sf_make_id(check, "01g", seq);
	if (strcmp(check, loc) != 0)
		return NULL;
	pthread_mutex_lock(&sf_lock);
	{
		Locator    *l = &locators[seq % LOCATOR_SLOTS];

		if (l->seq == seq && seq != 0 && now_ms - l->created_ms <= SF_LOCATOR_TTL_MS)
		{
			soql = strdup(l->soql);
			*all = l->all;
			*batch = l->batch;
		}
	}
	pthread_mutex_unlock(&sf_lock);
	return soql;
}

/*
 * Runs soql and writes the batch starting at offset: totalSize, done,
 * nextRecordsUrl (opening a locator on the first batch when more remain)
 * and records.
 */
static void
query_page(const SimRequest *req, SimResponse *resp, const char *version,
		   const char *soql, bool all, int batch, int offset,
		   const char *locator)
{
	SfError		err;
	SfQuery    *q = sf_soql_parse(soql, &err);
	int		   *rows;
	int			nrows,
				end;
	StrBuf		b;
	char		loc[19];

	if (q == NULL)
	{
		sf_error_from(resp, &err);
		return;
	}
	sf_soql_execute(q, all, &rows, &nrows);
	if (offset > nrows)
	{
		sf_error(resp, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
		free(rows);
		sf_soql_free(q);
		return;
	}
	sb_init(&b, 256);
	sb_printf(&b, "{\"totalSize\":%d,", nrows);
	if (sf_soql_is_count(q))
		end = offset = nrows;
	else
		end = offset + batch < nrows ? offset + batch : nrows;
	if (end < nrows)
	{
		if (locator == NULL)
		{
			sf_make_id(loc, "01g", locator_open(soql, all, batch, req->now_ms));
			locator = loc;
		}
		sb_printf(&b, "\"done\":false,\"nextRecordsUrl\":\"/services/data/v%s/query/%s-%d\",",
				   version, locator, end);
	}
	else
		sb_puts(&b, "\"done\":true,");
	sb_puts(&b, "\"records\":[");
	for (int i = offset; i < end; i++)
	{
		if (i > offset)
			sb_putc(&b, ',');
		sf_soql_record_json(&b, q, rows[i], version);
	}
	sb_puts(&b, "]}");
	json_response(resp, &b);
	free(rows);
	sf_soql_free(q);
}

static void
handle_query(const SimRequest *req, SimResponse *resp, const char *version,
			 bool all)
{
	size_t		cap = strlen(req->query) + 1;
	char	   *soql = malloc(cap);

	resp->endpoint = "sf.query";
	if (soql == NULL)
		abort();
	if (!sim_query_arg(req->query, "q", soql, cap) || soql[0] == '\0')
		sf_error(resp, 400, "MALFORMED_QUERY", "A query string has to be specified");
	else
		query_page(req, resp, version, soql, all, batch_size(req), 0, NULL);
	free(soql);
}

/* GET .../query/<locator>-<offset> */
static void
handle_query_more(const SimRequest *req, SimResponse *resp,
				  const char *version, const char *rest)
{
	char		loc[64];
	const char *dash = strrchr(rest, '-');
	char	   *soql = NULL;
	char	   *end;
	long		offset = -1;
	bool		all = false;
	int			batch = DEFAULT_BATCH;

	resp->endpoint = "sf.query_more";
	if (dash && (size_t) (dash - rest) < sizeof(loc) && isdigit((unsigned char) dash[1]))
	{
		memcpy(loc, rest, dash - rest);
		loc[dash - rest] = '\0';
		offset = strtol(dash + 1, &end, 10);
		if (*end == '\0')
			soql = locator_get(loc, req->now_ms, &all, &batch);
	}
	if (soql == NULL)
	{
		sf_error(resp, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
		return;
	}
	query_page(req, resp, version, soql, all, batch, (int) offset, loc);
	free(soql);
}

/* ---------------------------------------------------------------------
 * Describe, limits, versions
 * ---------------------------------------------------------------------
 */
static const char *
soap_type(SfFieldType t)
{
	switch (t)
	{
		case SF_T_ID:
		case SF_T_REFERENCE:
			return "tns:ID";
		case SF_T_BOOLEAN:
			return "xsd:boolean";
		case SF_T_INT:
			return "xsd:int";
		case SF_T_DOUBLE:
		case SF_T_CURRENCY:
		case SF_T_PERCENT:
			return "xsd:double";
		case SF_T_DATE:
			return "xsd:date";
		case SF_T_DATETIME:
			return "xsd:dateTime";
		default:
			return "xsd:string";
	}
}

static void
put_bool(StrBuf *b, const char *key, bool v, bool *first)
{
	sb_key(b, key, first);
	sb_puts(b, v ? "true" : "false");
}

static void
put_int(StrBuf *b, const char *key, int v, bool *first)
{
	sb_key(b, key, first);
	sb_printf(b, "%d", v);
}

static void
put_str(StrBuf *b, const char *key, const char *v, bool *first)
{
	sb_key(b, key, first);
	sb_json_str(b, v);
}

static void
put_field(StrBuf *b, const SfFieldDef *f)
{
	bool		first = true;
	bool		text = sf_type_is_text(f->type);
	bool		groupable = f->filterable && f->type != SF_T_DATETIME &&
		f->type != SF_T_DOUBLE && f->type != SF_T_CURRENCY &&
		f->type != SF_T_PERCENT;

	sb_putc(b, '{');
	put_bool(b, "calculated", false, &first);
	put_bool(b, "custom", f->custom, &first);
	put_int(b, "digits", f->type == SF_T_INT ? 9 : 0, &first);
	put_bool(b, "filterable", f->filterable, &first);
	put_bool(b, "groupable", groupable, &first);
	put_bool(b, "idLookup", f->type == SF_T_ID, &first);
	put_str(b, "label", f->label, &first);
	put_int(b, "length", text ? f->length : 0, &first);
	put_int(b, "byteLength", text ? f->length * 3 : 0, &first);
	put_str(b, "name", f->name, &first);
	put_bool(b, "nameField", strcmp(f->name, "Name") == 0, &first);
	put_bool(b, "nillable", f->nillable, &first);
	sb_key(b, "picklistValues", &first);
	sb_putc(b, '[');
	for (int k = 0; f->picklist && f->picklist[k]; k++)
	{
		if (k > 0)
			sb_putc(b, ',');
		sb_puts(b, "{\"active\":true,\"defaultValue\":false,\"label\":");
		sb_json_str(b, f->picklist[k]);
		sb_puts(b, ",\"validFor\":null,\"value\":");
		sb_json_str(b, f->picklist[k]);
		sb_putc(b, '}');
	}
	sb_putc(b, ']');
	put_int(b, "precision", f->precision, &first);
	sb_key(b, "referenceTo", &first);
	if (f->type == SF_T_REFERENCE)
		sb_printf(b, "[\"%s\"]", sf_objects[f->ref_obj].name);
	else
		sb_puts(b, "[]");
	put_str(b, "relationshipName", f->rel_name, &first);
	put_int(b, "scale", f->scale, &first);
	put_str(b, "soapType", soap_type(f->type), &first);
	put_bool(b, "sortable", f->sortable, &first);
	put_str(b, "type", sf_type_name(f->type), &first);
	put_bool(b, "unique", false, &first);
	put_bool(b, "updateable", f->type != SF_T_ID && strcmp(f->name, "IsDeleted") != 0 &&
			 f->type != SF_T_DATETIME, &first);
	sb_putc(b, '}');
}

static void
put_object_urls(StrBuf *b, const char *version, const char *name)
{
	sb_printf(b, "\"urls\":{\"sobject\":\"/services/data/v%s/sobjects/%s\","
			   "\"describe\":\"/services/data/v%s/sobjects/%s/describe\","
			   "\"rowTemplate\":\"/services/data/v%s/sobjects/%s/{ID}\"}",
			   version, name, version, name, version, name);
}

static void
put_object_header(StrBuf *b, const SfObjectDef *od)
{
	sb_printf(b, "\"custom\":false,\"keyPrefix\":\"%s\",\"label\":\"%s\","
			   "\"labelPlural\":\"%s\",\"name\":\"%s\",\"queryable\":true,"
			   "\"retrieveable\":true,\"searchable\":true,\"createable\":false,"
			   "\"updateable\":false,\"deletable\":false,",
			   od->key_prefix, od->label, od->label_plural, od->name);
}

static void
handle_sobjects(SimResponse *resp, const char *version)
{
	StrBuf		b;

	resp->endpoint = "sf.describe";
	sb_init(&b, 256);
	sb_puts(&b, "{\"encoding\":\"UTF-8\",\"maxBatchSize\":200,\"sobjects\":[");
	for (int i = 0; i < SF_NOBJECTS; i++)
	{
		if (i > 0)
			sb_putc(&b, ',');
		sb_putc(&b, '{');
		put_object_header(&b, &sf_objects[i]);
		put_object_urls(&b, version, sf_objects[i].name);
		sb_putc(&b, '}');
	}
	sb_puts(&b, "]}");
	json_response(resp, &b);
}

static void
handle_describe(SimResponse *resp, const char *version, const char *name)
{
	int			obj = sf_find_object(name, strlen(name));
	const SfObjectDef *od;
	bool		first = true;
	StrBuf		b;

	resp->endpoint = "sf.describe";
	if (obj < 0)
	{
		sf_error(resp, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	od = &sf_objects[obj];
	sb_init(&b, 256);
	sb_puts(&b, "{\"childRelationships\":[");
	/* every reference field of any object that points here */
	for (int c = 0; c < SF_NOBJECTS; c++)
		for (int i = 0; i < sf_objects[c].nfields; i++)
		{
			const SfFieldDef *f = &sf_objects[c].fields[i];

			if (f->type != SF_T_REFERENCE || f->ref_obj != (SfObject) obj)
				continue;
			if (!first)
				sb_putc(&b, ',');
			first = false;
			sb_printf(&b, "{\"cascadeDelete\":false,\"childSObject\":\"%s\","
					   "\"field\":\"%s\",\"relationshipName\":",
					   sf_objects[c].name, f->name);
			sb_json_str(&b, f->child_rel);
			sb_putc(&b, '}');
		}
	sb_puts(&b, "],");
	put_object_header(&b, od);
	sb_puts(&b, "\"fields\":[");
	for (int i = 0; i < od->nfields; i++)
	{
		if (i > 0)
			sb_putc(&b, ',');
		put_field(&b, &od->fields[i]);
	}
	sb_puts(&b, "],");
	put_object_urls(&b, version, od->name);
	sb_putc(&b, '}');
	json_response(resp, &b);
}

static void
handle_limits(SimResponse *resp, int64_t used)
{
	StrBuf		b;
	int64_t		max = daily_limit();

	resp->endpoint = "sf.limits";
	sb_init(&b, 256);
	sb_printf(&b, "{\"DailyApiRequests\":{\"Max\":%" PRId64 ",\"Remaining\":%" PRId64 "},"
			   "\"DailyBulkV2QueryJobs\":{\"Max\":10000,\"Remaining\":10000},"
			   "\"DailyBulkV2QueryFileStorageMB\":{\"Max\":1000000,\"Remaining\":1000000}}",
			   max, used < max ? max - used : 0);
	json_response(resp, &b);
}

/* Spring, Summer, Winter releases: 60.0 is Spring '24 */
static void
release_label(int v, char *buf, size_t len)
{
	static const char *const seasons[] = {"Spring", "Summer", "Winter"};
	int			k = v - 60;
	int			idx = ((k % 3) + 3) % 3;
	int			year = 24 + (k - idx) / 3 + (idx == 2);

	snprintf(buf, len, "%s '%02d", seasons[idx], year);
}

static void
handle_versions(SimResponse *resp)
{
	StrBuf		b;
	int			max = atoi(max_version());

	resp->endpoint = "sf.versions";
	sb_init(&b, 256);
	sb_putc(&b, '[');
	for (int v = 31; v <= max; v++)
	{
		char		label[32];

		release_label(v, label, sizeof(label));
		sb_printf(&b, "%s{\"label\":\"%s\",\"url\":\"/services/data/v%d.0\",\"version\":\"%d.0\"}",
				   v > 31 ? "," : "", label, v, v);
	}
	sb_putc(&b, ']');
	json_response(resp, &b);
}

static void
handle_resources(SimResponse *resp, const char *version)
{
	StrBuf		b;

	resp->endpoint = "sf.versions";
	sb_init(&b, 256);
	sb_printf(&b, "{\"limits\":\"/services/data/v%s/limits\","
			   "\"query\":\"/services/data/v%s/query\","
			   "\"queryAll\":\"/services/data/v%s/queryAll\","
			   "\"sobjects\":\"/services/data/v%s/sobjects\"}",
			   version, version, version, version);
	json_response(resp, &b);
}

/* ---------------------------------------------------------------------
 * Routing
 * ---------------------------------------------------------------------
 */

/*
 * Parses "vNN.0" at the start of s into version ("62.0"); returns the rest
 * of the path, or NULL if it is not a version this simulator serves.
 */
static const char *
parse_version(const char *s, char *version, size_t len)
{
	int			v = 0,
				n = 0;

	if (*s++ != 'v')
		return NULL;
	while (isdigit((unsigned char) s[n]) && n < 4)
		v = v * 10 + (s[n++] - '0');
	if (n == 0 || strncmp(s + n, ".0", 2) != 0 ||
		(s[n + 2] != '\0' && s[n + 2] != '/'))
		return NULL;
	if (v < MIN_VERSION || v > atoi(max_version()))
		return NULL;
	snprintf(version, len, "%d.0", v);
	return s + n + 2;
}

/* path == want, allowing one trailing slash */
static bool
path_is(const char *path, const char *want)
{
	size_t		n = strlen(want);

	return strncmp(path, want, n) == 0 &&
		(path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0'));
}

/*
 * Serves one /services/data/... request; *used is the request count after
 * it (unchanged when the request does not count).
 */
static void
handle_data(const SimRequest *req, SimResponse *resp, int64_t *used)
{
	const char *path = req->path;
	const char *rest;
	const char *slash;
	char		version[16];

	pthread_mutex_lock(&sf_lock);
	*used = api_used;
	pthread_mutex_unlock(&sf_lock);

	if (req->url_len > SF_MAX_URL)
	{
		sf_error(resp, 414, "URI_TOO_LONG",
				 "The request URI is longer than 16384 bytes");
		return;
	}
	if (req->url_len + req->header_len > SF_MAX_URL)
	{
		sf_error(resp, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
				 "The request URI and headers are longer than 16384 bytes");
		return;
	}
	if (path_is(path, "/services/data"))
	{
		handle_versions(resp);
		return;
	}
	if (strncmp(path, "/services/data/", 15) != 0 ||
		(rest = parse_version(path + 15, version, sizeof(version))) == NULL)
	{
		sf_error(resp, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	if (!token_valid(req->authorization, req->now_ms))
	{
		sf_error(resp, 401, "INVALID_SESSION_ID", "Session expired or invalid");
		return;
	}

	pthread_mutex_lock(&sf_lock);
	*used = ++api_used;
	pthread_mutex_unlock(&sf_lock);
	if (*used > daily_limit())
	{
		resp->endpoint = "sf.limits";
		sf_error(resp, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
	}
	else if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
	{
		char		msg[96];

		snprintf(msg, sizeof(msg), "HTTP Method '%.16s' not allowed. Allowed are GET,HEAD",
				 req->method);
		sf_error(resp, 405, "METHOD_NOT_ALLOWED", msg);
	}
	else if (path_is(rest, ""))
		handle_resources(resp, version);
	else if (path_is(rest, "/query") || path_is(rest, "/queryAll"))
		handle_query(req, resp, version, rest[6] == 'A');
	else if (strncmp(rest, "/query/", 7) == 0)
		handle_query_more(req, resp, version, rest + 7);
	else if (strncmp(rest, "/queryAll/", 10) == 0)
		handle_query_more(req, resp, version, rest + 10);
	else if (path_is(rest, "/sobjects"))
		handle_sobjects(resp, version);
	else if (strncmp(rest, "/sobjects/", 10) == 0 &&
			 (slash = strchr(rest + 10, '/')) != NULL &&
			 slash - (rest + 10) < 64 && path_is(slash, "/describe"))
	{
		char		name[64];

		snprintf(name, sizeof(name), "%.*s", (int) (slash - (rest + 10)), rest + 10);
		handle_describe(resp, version, name);
	}
	else if (path_is(rest, "/limits"))
		handle_limits(resp, *used);
	else
		sf_error(resp, 404, "NOT_FOUND", "The requested resource does not exist");
}

int
sf_handle(const SimRequest *req, SimResponse *resp)
{
	int64_t		used;

	if (strncmp(req->path, "/services/", 10) != 0)
		return 0;
	resp->content_type = "application/json;charset=UTF-8";
	resp->endpoint = "sf.other";
	if (path_is(req->path, "/services/oauth2/token"))
	{
		handle_token(req, resp);
		return 1;
	}
	/* every REST response says how much of the allocation is used */
	handle_data(req, resp, &used);
	sim_response_header(resp, "Sforce-Limit-Info", "api-usage=%" PRId64 "/%d",
						used, daily_limit());
	return 1;
}
