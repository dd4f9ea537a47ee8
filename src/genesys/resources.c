/*-------------------------------------------------------------------------
 *
 * resources.c
 *		The Genesys Cloud resources and their columns (design.md 2.2).
 *
 * One table drives IMPORT FOREIGN SCHEMA and the mapping of a foreign
 * table's columns to what the parser fills them with.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/genesys/resources.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "genesys.h"

static const GcaColumnDef conversation_columns[] = {
	{"conversation_id", "text", GCOL_CONVERSATION_ID},
	{"conversation_start", "timestamptz", GCOL_CONVERSATION_START},
	{"conversation_end", "timestamptz", GCOL_CONVERSATION_END},
	{"duration_ms", "bigint", GCOL_DURATION_MS},
	{"originating_direction", "text", GCOL_ORIGINATING_DIRECTION},
	{"media_type", "text", GCOL_MEDIA_TYPE},
	{"division_ids", "text[]", GCOL_DIVISION_IDS},
	{"ani", "text", GCOL_ANI},
	{"dnis", "text", GCOL_DNIS},
	{"external_contact_id", "text", GCOL_EXTERNAL_CONTACT_ID},
	{"queue_id", "text", GCOL_QUEUE_ID},
	{"queue_ids", "text[]", GCOL_QUEUE_IDS},
	{"agent_id", "text", GCOL_AGENT_ID},
	{"agent_ids", "text[]", GCOL_AGENT_IDS},
	{"wrapup_code", "text", GCOL_WRAPUP_CODE},
	{"talk_ms", "bigint", GCOL_TALK_MS},
	{"held_ms", "bigint", GCOL_HELD_MS},
	{"acw_ms", "bigint", GCOL_ACW_MS},
	{"handle_ms", "bigint", GCOL_HANDLE_MS},
	{"acd_ms", "bigint", GCOL_ACD_MS},
	{"ivr_ms", "bigint", GCOL_IVR_MS},
	{"alert_ms", "bigint", GCOL_ALERT_MS},
	{"abandoned", "boolean", GCOL_ABANDONED},
	{"transferred", "boolean", GCOL_TRANSFERRED},
	{"transfers", "integer", GCOL_TRANSFERS},
	{"n_evaluations", "integer", GCOL_N_EVALUATIONS},
	{"attributes", "jsonb", GCOL_ATTRIBUTES},
	{"participants", "jsonb", GCOL_PARTICIPANTS},
	{"raw", "jsonb", GCOL_RAW},
	{NULL}
};

static const GcaColumnDef segment_columns[] = {
	{"conversation_id", "text", GCOL_CONVERSATION_ID},
	{"conversation_start", "timestamptz", GCOL_CONVERSATION_START},
	{"participant_id", "text", GCOL_PARTICIPANT_ID},
	{"purpose", "text", GCOL_PURPOSE},
	{"user_id", "text", GCOL_USER_ID},
	{"session_id", "text", GCOL_SESSION_ID},
	{"media_type", "text", GCOL_SEG_MEDIA_TYPE},
	{"direction", "text", GCOL_DIRECTION},
	{"segment_type", "text", GCOL_SEGMENT_TYPE},
	{"segment_start", "timestamptz", GCOL_SEGMENT_START},
	{"segment_end", "timestamptz", GCOL_SEGMENT_END},
	{"duration_ms", "bigint", GCOL_SEG_DURATION_MS},
	{"queue_id", "text", GCOL_SEG_QUEUE_ID},
	{"wrapup_code", "text", GCOL_SEG_WRAPUP_CODE},
	{"disconnect_type", "text", GCOL_DISCONNECT_TYPE},
	{"conference", "boolean", GCOL_CONFERENCE},
	{NULL}
};

static const GcaResourceDef resources[] = {
	{"conversations", GRES_CONVERSATIONS, conversation_columns, 1.0,
	"Genesys Cloud conversation detail records, one row per conversation"},
	{"segments", GRES_SEGMENTS, segment_columns, 12.0,
	"Genesys Cloud conversation segments, one row per segment"},
	{NULL}
};

const GcaResourceDef *
gca_resources(void)
{
	return resources;
}

/* Returns the resource named name, or NULL. */
const GcaResourceDef *
gca_find_resource(const char *name)
{
	const GcaResourceDef *r;

	for (r = resources; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

/* Returns what column colname of resource res is filled from. */
GcaColumnKind
gca_column_kind(const GcaResourceDef *res, const char *colname)
{
	const GcaColumnDef *c;

	for (c = res->columns; c->name; c++)
		if (strcmp(c->name, colname) == 0)
			return c->kind;
	return GCOL_NONE;
}
