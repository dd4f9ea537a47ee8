/*-------------------------------------------------------------------------
 *
 * gc.h
 *		The Genesys side of gcsim and the server core's own helpers: string
 *		buffers, time formatting, the Genesys world and its handlers.
 *
 * sim.h is the contract with the Salesforce side; this header is private
 * to main.c, sim_util.c and gc_*.c.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCSIM_GC_H
#define GCSIM_GC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define MS_PER_SEC	INT64_C(1000)
#define MS_PER_MIN	INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY	INT64_C(86400000)

/* Options of the Genesys side beyond SimConfig (parsed by main.c) */
typedef struct GcConfig
{
	int			cache_days;		/* --cache-days: generated days kept, LRU */
	int			max_results;	/* --details-max-results, 100000 */
} GcConfig;

extern GcConfig gc_config;

/* the ININ-Correlation-Id of the request this thread is answering */
extern __thread char sim_correlation_id[40];

/* ---------------------------------------------------------------------
 * gc_buf.c: growable strings, JSON escaping, ISO-8601 time
 * ---------------------------------------------------------------------
 */
typedef struct StrBuf
{
	char	   *data;			/* NUL-terminated, malloc'd */
	size_t		len;
	size_t		cap;
} StrBuf;

extern void sb_init(StrBuf *sb, size_t cap);
extern void sb_free(StrBuf *sb);
extern void sb_reserve(StrBuf *sb, size_t extra);
extern void sb_append(StrBuf *sb, const char *s, size_t n);
extern void sb_puts(StrBuf *sb, const char *s);
extern void sb_putc(StrBuf *sb, char c);
extern void sb_printf(StrBuf *sb, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void sb_int(StrBuf *sb, int64_t v);
/* a JSON string literal with quotes; NULL gives null */
extern void sb_json_str(StrBuf *sb, const char *s);
/* "key": with a leading comma unless first */
extern void sb_key(StrBuf *sb, const char *key, bool *first);
/* a quoted ISO-8601 timestamp with ms and Z */
extern void sb_json_ts(StrBuf *sb, int64_t ms);
/* hands the buffer over to resp (body, body_len) */
extern void sb_to_response(StrBuf *sb, SimResponse *resp);

/* writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars + NUL) into buf */
extern void sim_format_ts(char *buf, int64_t ms);
/* writes "YYYY-MM-DD" */
extern void sim_format_date(char *buf, int64_t ms);
/*
 * Parses an ISO-8601 timestamp (date, or date 'T' time with optional
 * fraction and Z or +-HH:MM offset); returns 0 on success.
 */
extern int	sim_parse_ts(const char *s, size_t len, int64_t *ms);
/* days since 1970-01-01 of a civil date, and back */
extern int64_t sim_days_from_civil(int y, int m, int d);
extern void sim_civil_from_days(int64_t days, int *y, int *m, int *d);

/* ---------------------------------------------------------------------
 * gc_api.c: the Genesys endpoints
 * ---------------------------------------------------------------------
 */

/* builds the Genesys world (after sf_world_build); call once */
extern void gc_world_build(void);

/*
 * Handles a Genesys request (/oauth/token, /api/v2/...).  Returns 1 if the
 * path is Genesys's (resp filled), 0 otherwise.
 */
extern int	gc_handle(const SimRequest *req, SimResponse *resp);

/* fills resp with a Genesys ErrorBody */
extern void gc_error(SimResponse *resp, int status, const char *code,
					 const char *fmt,...) __attribute__((format(printf, 4, 5)));

/* the client id a Genesys bearer token was issued to, for rate limiting */
extern bool gc_token_client(const char *authorization, uint64_t *client_key);

/* `gcsim truth`: writes the Genesys truth files; 0 on success */
extern int	gc_write_truth(const char *dir, int64_t from_ms, int64_t to_ms);

#endif							/* GCSIM_GC_H */
