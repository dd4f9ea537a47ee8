/*-------------------------------------------------------------------------
 *
 * client.c
 *		libcurl requests for the foreign data wrapper.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/client.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "http.h"

/*
 * Initialises libcurl once per process.  Called from _PG_init; an error
 * here leaves the library unusable, so it is reported as FATAL-free ERROR
 * on first use instead of failing the load.
 */
static bool curl_ready = false;

void
gca_http_init(void)
{
	if (curl_ready)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		curl_ready = true;
}
