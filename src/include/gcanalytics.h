/*-------------------------------------------------------------------------
 *
 * gcanalytics.h
 *		Declarations shared by every part of gcanalytics.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/gcanalytics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCANALYTICS_H
#define GCANALYTICS_H

/* in gcanalytics.c: settings (GUCs) */
extern int	gca_http_timeout_ms;
extern int	gca_http_connect_timeout_ms;
extern int	gca_max_retries;
extern int	gca_retry_max_wait_ms;
extern int	gca_max_scan_requests;

#endif							/* GCANALYTICS_H */
