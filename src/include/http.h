/*-------------------------------------------------------------------------
 *
 * http.h
 *		The HTTP core: libcurl requests, OAuth tokens, the rate budget.
 *
 * Only src/http/ includes curl; everything else sees this interface.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/http.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_HTTP_H
#define GCA_HTTP_H

/* in http/client.c */
extern void gca_http_init(void);

#endif							/* GCA_HTTP_H */
