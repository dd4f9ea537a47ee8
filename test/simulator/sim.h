/*-------------------------------------------------------------------------
 *
 * sim.h
 *		Shared contract of gcsim, the Genesys Cloud + Salesforce simulator.
 *
 * The server core (main.c, http routing, fault injection, rate limiting,
 * stats) and the Genesys side live in gc_*.c; the Salesforce side (CRM
 * world, OAuth, SOQL engine, describe, limits) lives in sf_*.c.  The two
 * halves meet only through this header.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sim.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCSIM_SIM_H
#define GCSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* milliseconds, the unit of every simulated time (epoch ms, UTC) */
#define MS_PER_SEC	INT64_C(1000)
#define MS_PER_MIN	INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY	INT64_C(86400000)

/* ---------------------------------------------------------------------
 * Deterministic randomness: the same seed gives the same bytes.
 * splitmix64; sim_rng_derive() makes an independent stream for a
 * sub-object (an account, a day, a conversation) so that generating one
 * object never depends on how many others were generated before it.
 * ---------------------------------------------------------------------
 */
typedef struct SimRng
{
	uint64_t	state;
} SimRng;

extern void sim_rng_seed(SimRng *rng, uint64_t seed);
extern SimRng sim_rng_derive(uint64_t seed, const char *label, uint64_t index);
extern uint64_t sim_rng_next(SimRng *rng);
extern double sim_rng_uniform(SimRng *rng);	/* [0, 1) */
extern int64_t sim_rng_range(SimRng *rng, int64_t lo, int64_t hi);	/* [lo, hi] */

/* ---------------------------------------------------------------------
 * Configuration: every command-line knob, parsed once by main.c.
 * ---------------------------------------------------------------------
 */
#define SIM_MAX_TIER_CHANGES 256

typedef struct SimConfig
{
	uint64_t	seed;			/* --seed, default 42 */
	int64_t		now_ms;			/* --now, simulated current time, epoch ms;
								 * with follow_clock the real time in whole
								 * minutes, moved forward by main.c as the
								 * clock goes (read it once per use) */
	bool		follow_clock;	/* --now wall */
	int64_t		shift_days;		/* the world's calendar (days generated,
								 * releases) moved by this many days: whole
								 * weeks, from --now wall or
								 * --world-shift-weeks */
	int			conversations_per_day;	/* --conversations-per-day */
	int			accounts;		/* --accounts, Salesforce accounts, default 2000 */
	int			port;			/* --port, 0 = pick a free one and print it */
	int			latency_ms;		/* --latency-ms added to every response */
	int			rate_limit_per_minute;	/* --rate-limit-per-minute, 0 = none */
	int			details_page_max;	/* --details-page-max, default 100 */
	int			job_page_max;	/* --job-page-max, default 1000 */
	int			listing_page_max;	/* --listing-page-max, default 100 */
	int			sf_batch_max;	/* --sf-batch-max, default 2000 */
	int			gc_token_ttl_s; /* --gc-token-ttl, expires_in, default 86400 */
	int			sf_token_ttl_s; /* --sf-token-ttl, session timeout, default 7200 */
	int			job_delay_ms;	/* --job-delay-ms before a job is FULFILLED */
	const char *client_id;		/* --client-id: NULL = accept any non-empty */
	const char *client_secret;	/* --client-secret: NULL = accept any */
	/* fault injection, shares in [0, 1] of eligible API requests */
	double		fault_429;
	double		fault_500;
	double		fault_503;
	double		fault_drop;		/* close the connection without a response */
	double		fault_truncate; /* send a truncated body */
	double		fault_401;		/* reject a valid token as expired */
	int			sf_daily_limit; /* --sf-daily-limit, DailyApiRequests Max,
								 * default 100000 */
	const char *sf_api_version; /* newest version served, default "62.0" */
	int			sf_wide_account;	/* --sf-wide-account N: Account gains N
									 * managed-package fields, default 0 */
	/* --sf-tier-change ACCOUNT_ID=TIER, as given (sf_world_build applies) */
	int			sf_ntier_changes;
	const char *sf_tier_changes[SIM_MAX_TIER_CHANGES];
	const char *base_url;		/* "http://127.0.0.1:PORT", set by main.c
								 * once the port is bound; Salesforce's
								 * instance_url */
} SimConfig;

extern SimConfig sim_config;

/*
 * The base calendar's week: "now" 2026-04-20T12:00:00Z falls in the week
 * that starts on Monday 2026-04-20 (release 5.0 shipped the Monday before).
 * --now wall shifts the world by the whole weeks between that Monday and
 * the real now, so that the real now falls in the same place of its week's
 * story (test/simulator/README.md, "Following the wall clock").
 */
#define SIM_BASE_WEEK_DAY	INT64_C(20563)	/* 2026-04-20, days since 1970 */
#define SIM_BASE_NOW_MS		(SIM_BASE_WEEK_DAY * MS_PER_DAY + 12 * MS_PER_HOUR)

/* ---------------------------------------------------------------------
 * One HTTP exchange.  The core fills SimRequest (all strings are
 * NUL-terminated and owned by the core for the duration of the call) and
 * the handler fills SimResponse.  body is malloc'd by the handler and
 * freed by the core.
 * ---------------------------------------------------------------------
 */
#define SIM_MAX_HEADERS 8

typedef struct SimRequest
{
	const char *method;			/* "GET", "POST", ... */
	const char *path;			/* URL path, percent-decoded, no query */
	const char *query;			/* raw query string after '?', "" if none */
	const char *body;			/* request body, "" if none */
	size_t		body_len;
	const char *authorization;	/* Authorization header or NULL */
	const char *content_type;	/* Content-Type header or NULL */
	const char *sforce_query_options;	/* Sforce-Query-Options header or
										 * NULL */
	size_t		url_len;		/* length of the raw request URL with its
								 * query (for 414) */
	size_t		header_len;		/* bytes of the header lines, "Name: value"
								 * CRLF each (for 431) */
	int64_t		now_ms;			/* simulated time of this request */
} SimRequest;

typedef struct SimHeader
{
	char		name[64];
	char		value[256];
} SimHeader;

typedef struct SimResponse
{
	int			status;
	char	   *body;			/* malloc'd, may be NULL for an empty body */
	size_t		body_len;
	const char *content_type;	/* static string, default application/json */
	const char *endpoint;		/* static label for /sim/stats, e.g.
								 * "sf.query" */
	int			nheaders;
	SimHeader	headers[SIM_MAX_HEADERS];
} SimResponse;

extern void sim_response_header(SimResponse *resp, const char *name,
								const char *fmt,...);
/* Looks up a query-string argument, percent-decoded into buf; 0 if absent */
extern int	sim_query_arg(const char *query, const char *name,
						  char *buf, size_t buflen);

/* ---------------------------------------------------------------------
 * Growable strings (sim_util.c): both halves build their JSON as text
 * into a StrBuf.  data is always NUL-terminated; running out of memory
 * aborts.
 * ---------------------------------------------------------------------
 */
typedef struct StrBuf
{
	char	   *data;			/* NUL-terminated, malloc'd */
	size_t		len;
	size_t		cap;
} StrBuf;

/* an empty buffer with room for cap bytes (64 at least) */
extern void sb_init(StrBuf *sb, size_t cap);
extern void sb_free(StrBuf *sb);
/* makes room for extra more bytes plus the terminating NUL */
extern void sb_reserve(StrBuf *sb, size_t extra);
extern void sb_append(StrBuf *sb, const char *s, size_t n);
extern void sb_puts(StrBuf *sb, const char *s);
extern void sb_putc(StrBuf *sb, char c);
extern void sb_printf(StrBuf *sb, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
/*
 * A JSON string literal with its quotes: " \ \n \r \t escaped as such,
 * other bytes below 0x20 as \u00XX, the rest (UTF-8 too) as they are;
 * NULL gives null.
 */
extern void sb_json_str(StrBuf *sb, const char *s);
/*
 * "key": with a leading comma unless *first (which it clears); first may
 * be NULL (always a comma).  key is written as it is, not escaped.
 */
extern void sb_key(StrBuf *sb, const char *key, bool *first);
/* hands the buffer's bytes over to resp (body, body_len), leaves sb empty */
extern void sb_to_response(StrBuf *sb, SimResponse *resp);

/* ---------------------------------------------------------------------
 * Civil dates (sim_util.c), proleptic Gregorian: days since 1970-01-01
 * of a valid y-m-d (Howard Hinnant's algorithms), and back.
 * ---------------------------------------------------------------------
 */
extern int64_t sim_days_from_civil(int y, int m, int d);
extern void sim_civil_from_days(int64_t days, int *y, int *m, int *d);

/*
 * ISO-8601 time in UTC (sim_util.c).  sim_format_ts writes
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars + NUL) into buf; sim_format_date
 * writes "YYYY-MM-DD" but needs the same 25 bytes.  sim_parse_ts parses a
 * date, or date 'T' time with optional fraction and Z or +-HH[:MM]
 * offset; returns 0 on success.
 */
extern void sim_format_ts(char *buf, int64_t ms);
/* the monotonic clock in ms (ages jobs; never the world's time) */
extern int64_t sim_mono_ms(void);
extern void sim_format_date(char *buf, int64_t ms);
extern int	sim_parse_ts(const char *s, size_t len, int64_t *ms);

/* ---------------------------------------------------------------------
 * CSV fields of the truth files (sim_util.c), RFC 4180 quoting, lines
 * ending in LF.  Each writes the field and then ',' or, when last, '\n'.
 * ---------------------------------------------------------------------
 */
/* NULL is an empty field; "" is written as ""; quoted when it holds , " CR LF */
extern void sim_csv_field(FILE *f, const char *s, bool last);
/* a decimal integer */
extern void sim_csv_int(FILE *f, int64_t v, bool last);

/* ---------------------------------------------------------------------
 * The Salesforce world (sf_world.c).  Built once from the seed; the
 * Genesys side reads it to attach sfAccountId to calls, to pick ANI
 * numbers that match an account's phone, and to plant the escalation
 * story by tier.
 * ---------------------------------------------------------------------
 */
typedef enum SfTier
{
	SF_TIER_ENTERPRISE = 0,
	SF_TIER_MID_MARKET,
	SF_TIER_SMB
} SfTier;

extern const char *sf_tier_name(SfTier tier); /* "Enterprise", "Mid-Market",
											 * "SMB" */

typedef struct SfAccount
{
	char		id[19];			/* 18-char case-safe id, prefix 001 */
	char		name[64];
	SfTier		tier;			/* the tier the Genesys world plants the
								 * story by (escalations, truth "tier") */
	SfTier		crm_tier;		/* Tier__c as Salesforce reports it: tier,
								 * unless --sf-tier-change moved it */
	char		industry[32];
	char		phone[24];		/* E.164, e.g. +15551234567 */
	char		phone_display[32];	/* as stored in CRM, e.g. (555) 123-4567 */
	char		owner_id[19];	/* User id, prefix 005 */
	int64_t		ltv_cents;		/* Lifetime_Value__c, currency */
	int			open_cases;
	int			open_opportunities;
	int64_t		created_ms;
	int64_t		modstamp_ms;	/* SystemModstamp (--now once its tier
								 * changed) */
} SfAccount;

typedef struct SfWorld
{
	int			naccounts;
	SfAccount  *accounts;
	/* cases, opportunities and users are private to sf_*.c */
	void	   *priv;
} SfWorld;

extern SfWorld sf_world;

/*
 * Builds sf_world from sim_config (seed, accounts, now_ms), then applies
 * the --sf-tier-change list (exits with status 2 on a bad one); call once.
 */
extern void sf_world_build(void);

/*
 * Handles a request under /services/ (OAuth, query, describe, limits).
 * Returns 1 if the path is Salesforce's (resp filled), 0 otherwise.
 */
extern int	sf_handle(const SimRequest *req, SimResponse *resp);

/* Fills resp with a Salesforce error array body for fault injection. */
extern void sf_error(SimResponse *resp, int status, const char *error_code,
					 const char *message);

/*
 * The latest case of an account created at or before at_ms that is not
 * deleted (its index), or -1; and the Id of a case by index.
 */
extern int	sf_account_case(int account_row, int64_t at_ms);
extern const char *sf_case_id(int case_index);

/* Writes DIR/accounts.csv for `gcsim truth`; returns 0 on success. */
extern int	sf_write_truth(const char *dir);

#endif							/* GCSIM_SIM_H */
