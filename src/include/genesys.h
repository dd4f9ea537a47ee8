/*-------------------------------------------------------------------------
 *
 * genesys.h
 *		Genesys Cloud resources: columns, request building, page parsing.
 *
 * The parser (genesys/details.c) is the only place that sees json-c; it
 * hands out PostgreSQL Datums through this header, which names no json-c
 * type, so callers may include utils/builtins.h.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/genesys.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_GENESYS_H
#define GCA_GENESYS_H

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"

#include "isotime.h"

/* What a column of a Genesys foreign table is filled from. */
typedef enum GcaColumnKind
{
	GCOL_NONE = 0,				/* unknown column: always NULL */
	/* conversations */
	GCOL_CONVERSATION_ID,
	GCOL_CONVERSATION_START,
	GCOL_CONVERSATION_END,
	GCOL_DURATION_MS,
	GCOL_ORIGINATING_DIRECTION,
	GCOL_MEDIA_TYPE,
	GCOL_DIVISION_IDS,
	GCOL_ANI,
	GCOL_DNIS,
	GCOL_EXTERNAL_CONTACT_ID,
	GCOL_QUEUE_ID,
	GCOL_QUEUE_IDS,
	GCOL_AGENT_ID,
	GCOL_AGENT_IDS,
	GCOL_WRAPUP_CODE,
	GCOL_TALK_MS,
	GCOL_HELD_MS,
	GCOL_ACW_MS,
	GCOL_HANDLE_MS,
	GCOL_ACD_MS,
	GCOL_IVR_MS,
	GCOL_ALERT_MS,
	GCOL_ABANDONED,
	GCOL_TRANSFERRED,
	GCOL_TRANSFERS,
	GCOL_N_EVALUATIONS,
	GCOL_ATTRIBUTES,
	GCOL_PARTICIPANTS,
	GCOL_RAW,
	GCOL_ATTRIBUTE,				/* a column with OPTIONS (attribute '...') */
	/* segments (conversation_id and conversation_start shared) */
	GCOL_PARTICIPANT_ID,
	GCOL_PURPOSE,
	GCOL_USER_ID,
	GCOL_SESSION_ID,
	GCOL_SEG_MEDIA_TYPE,
	GCOL_DIRECTION,
	GCOL_SEGMENT_TYPE,
	GCOL_SEGMENT_START,
	GCOL_SEGMENT_END,
	GCOL_SEG_DURATION_MS,
	GCOL_SEG_QUEUE_ID,
	GCOL_SEG_WRAPUP_CODE,
	GCOL_DISCONNECT_TYPE,
	GCOL_CONFERENCE
} GcaColumnKind;

/* One column of a resource as IMPORT FOREIGN SCHEMA creates it. */
typedef struct GcaColumnDef
{
	const char *name;
	const char *type;			/* SQL type */
	GcaColumnKind kind;
} GcaColumnDef;

typedef enum GcaResourceKind
{
	GRES_CONVERSATIONS,
	GRES_SEGMENTS
} GcaResourceKind;

typedef struct GcaResourceDef
{
	const char *name;			/* option resource */
	GcaResourceKind kind;
	const GcaColumnDef *columns;	/* NULL-terminated */
	double		rows_per_conversation;	/* for estimates */
	const char *comment;
} GcaResourceDef;

/* A column as the scan sees it: kind plus the attribute name if any. */
typedef struct GcaColumn
{
	GcaColumnKind kind;
	char	   *attribute;		/* GCOL_ATTRIBUTE: participant attribute */
	Oid			typid;			/* the column's declared type */
	int32		typmod;
	bool		used;			/* referenced by the query */
} GcaColumn;

/* in genesys/resources.c */
extern const GcaResourceDef *gca_find_resource(const char *name);
extern const GcaResourceDef *gca_resources(void);	/* {NULL}-terminated */
extern GcaColumnKind gca_column_kind(const GcaResourceDef *res, const char *colname);

/* in genesys/details.c: response parsing (the only json-c user here) */
typedef struct GcaPage GcaPage;
typedef struct GcaParser GcaParser;

/* A parser feeding json-c's tokener; malloc'd, freed by gca_parser_free. */
extern GcaParser *gca_parser_create(void);
extern void gca_parser_reset(GcaParser *parser);
extern bool gca_parser_feed(GcaParser *parser, const char *data, size_t len);
/* Finishes the document; NULL and *error set when it is not valid JSON. */
extern GcaPage *gca_parser_finish(GcaParser *parser, const char **error);
extern void gca_parser_free(GcaParser *parser);
/* Why feeding failed (static text), or NULL. */
extern const char *gca_parser_error(GcaParser *parser);
extern void gca_page_free(GcaPage *page);

/* Reading a parsed page */
extern int	gca_page_conversation_count(GcaPage *page);	/* -1: key omitted */
extern int64 gca_page_int(GcaPage *page, const char *key, int64 dflt);
/* a top-level string member, palloc'd, or NULL */
extern char *gca_page_string(GcaPage *page, const char *key);
/* the page is itself one conversation (GET .../{id}/details) */
extern bool gca_page_is_conversation(GcaPage *page);

/* Facts about conversation i of a page, for the scan's window logic. */
extern const char *gca_conv_id(GcaPage *page, int i);
extern TimestampTz gca_conv_start(GcaPage *page, int i);

/* number of segments of conversation i (rows of gc.segments) */
extern int	gca_conv_segment_count(GcaPage *page, int i);

/*
 * Fills values/nulls (indexed by attnum - 1) for the used columns of one
 * row: conversation i, and for segments its segment number seg (0-based,
 * in participant, session, segment order).  Datums are palloc'd in the
 * current memory context.  Never raises an error on missing or mistyped
 * members: they become NULL.
 */
extern void gca_conv_fill(GcaPage *page, int i, int seg,
						  const GcaColumn *columns, int ncolumns,
						  Datum *values, bool *nulls);


#endif							/* GCA_GENESYS_H */
