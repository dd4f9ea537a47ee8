/*-------------------------------------------------------------------------
 *
 * conversations.h
 *		Private to the conversations and segments resources: their column
 *		numbers and the filling of rows from a conversation record.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/conversations.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_GENESYS_CONVERSATIONS_H
#define GCA_GENESYS_CONVERSATIONS_H

#include "lib/stringinfo.h"

#include "resource.h"

/* GcaColumnDef.id of the columns of both resources */
typedef enum ConvColumn
{
	/* conversations */
	CC_CONVERSATION_ID = 1,
	CC_CONVERSATION_START,
	CC_CONVERSATION_END,
	CC_DURATION_MS,
	CC_ORIGINATING_DIRECTION,
	CC_MEDIA_TYPE,
	CC_DIVISION_IDS,
	CC_ANI,
	CC_DNIS,
	CC_EXTERNAL_CONTACT_ID,
	CC_QUEUE_ID,
	CC_QUEUE_IDS,
	CC_AGENT_ID,
	CC_AGENT_IDS,
	CC_WRAPUP_CODE,
	CC_TALK_MS,
	CC_HELD_MS,
	CC_ACW_MS,
	CC_HANDLE_MS,
	CC_ACD_MS,
	CC_IVR_MS,
	CC_ALERT_MS,
	CC_ABANDONED,
	CC_TRANSFERRED,
	CC_TRANSFERS,
	CC_N_EVALUATIONS,
	CC_SURVEYS,
	CC_ATTRIBUTES,
	CC_PARTICIPANTS,
	CC_RAW,
	/* segments (conversation_id and conversation_start shared) */
	CS_PARTICIPANT_ID,
	CS_PURPOSE,
	CS_USER_ID,
	CS_SESSION_ID,
	CS_MEDIA_TYPE,
	CS_DIRECTION,
	CS_SEGMENT_TYPE,
	CS_SEGMENT_START,
	CS_SEGMENT_END,
	CS_DURATION_MS,
	CS_QUEUE_ID,
	CS_WRAPUP_CODE,
	CS_DISCONNECT_TYPE,
	CS_CONFERENCE
} ConvColumn;

/* in genesys/aggregates.c: conversations started in [lower, upper) */
extern double gca_remote_conversation_count(GcaClient *client, TimestampTz lower,
											TimestampTz upper);

/* in genesys/conversation_rows.c */

/* Rows of gc.segments in a conversation record. */
extern int	gca_conversation_segment_count(const GcaJson *conv);

/*
 * Fills values/nulls (by attnum - 1) for the used columns of one row:
 * the conversation, or (seg >= 0) its segment number seg, in participant,
 * session, segment order.  Datums are palloc'd in the current memory
 * context.  Missing or mistyped members become NULL; errors are raised
 * only for a participant attribute that its column's type cannot read,
 * metric sums past bigint (transfers: integer), and strings or numbers
 * that jsonb cannot hold (see gca_json_to_jsonb).
 */
extern void gca_conversation_fill(const GcaJson *conv, int seg,
								  const GcaColumn *columns, int ncolumns,
								  Datum *values, bool *nulls);

#endif							/* GCA_GENESYS_CONVERSATIONS_H */
