/*-------------------------------------------------------------------------
 *
 * details.h
 *		The conversation details query protocol, shared by the resources
 *		that read conversation detail records (conversations, segments,
 *		evaluations): request bodies, day windows halved at the result
 *		cap, page reading with short-read detection, data availability.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/details.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_GENESYS_DETAILS_H
#define GCA_GENESYS_DETAILS_H

#include "lib/stringinfo.h"

#include "genesys.h"
#include "resource.h"

#define GCA_DETAILS_QUERY_PATH "/api/v2/analytics/conversations/details/query"
#define GCA_DETAILS_JOBS_PATH "/api/v2/analytics/conversations/details/jobs"
#define GCA_DETAILS_BY_ID_PATH "/api/v2/analytics/conversations/details"
/* the largest pageSize the details query is known to accept */
#define GCA_DETAILS_PAGE_MAX 100

/*
 * A slice [start, end) of the conversation_start range, read page by page
 * with the details query.  A resource's own window struct begins with one
 * (GcaDetailsQuery.window_size is the whole struct's size), so that the
 * windows this module makes (day windows, halves) are the resource's.
 */
typedef struct GcaDetailsWindow
{
	TimestampTz start;
	TimestampTz end;
	int			est_pages;		/* from totalHits of page 1, -1 unknown */
	int			next_page;		/* next pageNumber to request */
	bool		finished;		/* the API said there is no more */
	int64		hits;			/* totalHits of the latest page, -1 unknown */
	List	   *reread_pages;	/* pages that came back short, to read again */
	int			short_page;		/* the page last short (any numbering the
								 * caller keys reads by) */
	int			short_reads;	/* its reads so far */
} GcaDetailsWindow;

/* A resource's windows of one run. */
typedef struct GcaDetailsQuery
{
	List	   *windows;		/* the resource's windows, by start */
	Size		window_size;	/* sizeof the resource's window struct */
	int			page_size;		/* pageSize of the details query */
} GcaDetailsQuery;

/* in genesys/details.c */
extern void gca_details_init(GcaDetailsQuery *q, Size window_size,
							 int page_size);
extern GcaDetailsWindow *gca_details_new_window(const GcaDetailsQuery *q,
												TimestampTz start,
												TimestampTz end);
extern void gca_details_day_windows(GcaDetailsQuery *q, TimestampTz lower,
									TimestampTz upper);
extern GcaDetailsWindow *gca_details_halve(GcaDetailsQuery *q,
										   GcaDetailsWindow *w,
										   int64 unit_usecs);
extern bool gca_details_window_owns(const GcaDetailsWindow *w,
									TimestampTz start);
extern bool gca_details_next_page(GcaDetailsWindow *w, int *page);
extern int	gca_details_read_page(GcaResourceScan *rs, GcaDetailsQuery *q,
								  GcaDetailsWindow *w, int number,
								  GcaJson *page, int count);
extern void gca_details_short_read(GcaDetailsWindow *w, int number, int page,
								   int count, int64 expected,
								   const char *what);

extern void gca_details_append_interval(StringInfo buf, TimestampTz start,
										TimestampTz end);
extern void gca_details_append_filter(StringInfo buf,
									  const GcaPushedValues *f);
extern void gca_details_body_open(StringInfo buf, TimestampTz start,
								  TimestampTz end, int page_size,
								  int page_number);
extern void gca_details_append_conversation_filters(StringInfo buf,
													List *exists,
													List *filters, int group);

extern void gca_details_availability_request(GcaRequest *req);
extern TimestampTz gca_details_availability_date(GcaJson *doc);

#endif							/* GCA_GENESYS_DETAILS_H */
