/*-------------------------------------------------------------------------
 *
 * url.h
 *		URL policy and percent-encoding (util/url.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/url.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_URL_H
#define GCA_URL_H

#include "lib/stringinfo.h"

/*
 * Decides whether an API base URL may be used: https:// with a host, or
 * http:// only towards a loopback host (the simulator), and only while
 * gca_allow_loopback_http (gcanalytics.allow_loopback_http) is on.  No credentials,
 * query string or fragment.  On false, *why says what is wrong (static
 * text, a full sentence).
 */
extern bool gca_allow_loopback_http;
extern bool gca_url_is_allowed(const char *url, const char **why);

/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
extern void gca_append_url_escaped(StringInfo buf, const char *s);

/* Appends "name=value" to a form or query string, '&'-separated. */
extern void gca_append_form_field(StringInfo buf, const char *name,
								  const char *value);

#endif							/* GCA_URL_H */
