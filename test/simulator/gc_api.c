/*-------------------------------------------------------------------------
 *
 * gc_api.c
 *		The Genesys Cloud endpoints of gcsim (skeleton).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_api.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

void
gc_world_build(void)
{
}

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

bool
gc_token_client(const char *authorization, uint64_t *client_key)
{
	(void) authorization;
	(void) client_key;
	return false;
}

int
gc_handle(const SimRequest *req, SimResponse *resp)
{
	(void) req;
	(void) resp;
	return 0;
}

int
gc_write_truth(const char *dir, int64_t from_ms, int64_t to_ms)
{
	(void) dir;
	(void) from_ms;
	(void) to_ms;
	return 0;
}
