/*
 * conversation_fill: row values of gc.conversations and gc.segments from a
 * conversation record (src/genesys/conversation_rows.c), every column.
 *
 * Input: one byte choosing the type of a participant-attribute column,
 * then a body: a details page, job results or by-id answer (each of its
 * "conversations"), or one conversation record.
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "../../../src/genesys/conversations.h"
#include "pg_shim.h"

#define NDEFS	CS_CONFERENCE
#define MAX_SEGMENTS 300

static GcaColumnDef defs[NDEFS];
static GcaColumn columns[NDEFS + 1];

static const Oid attr_types[] = {TEXTOID, INT4OID, INT8OID, NUMERICOID, BOOLOID,
TIMESTAMPTZOID, INT2OID, JSONBOID};

static void
fill_all(const GcaJson *conv)
{
	Datum		values[NDEFS + 1];
	bool		nulls[NDEFS + 1];
	int			nseg = gca_conversation_segment_count(conv);

	(void) FUZZ_GUARDED(gca_conversation_fill(conv, -1, columns, NDEFS + 1, values, nulls));
	for (int s = 0; s < Min(nseg, MAX_SEGMENTS); s++)
		(void) FUZZ_GUARDED(gca_conversation_fill(conv, s, columns, NDEFS + 1, values, nulls));
	/* past the last segment: every segment column NULL, no crash */
	(void) FUZZ_GUARDED(gca_conversation_fill(conv, nseg, columns, NDEFS + 1, values, nulls));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		pick = fuzz_take_byte(&data, &size);
	GcaJson    *doc;
	GcaJson    *convs;

	for (int i = 0; i < NDEFS; i++)
	{
		defs[i].name = "c";
		defs[i].id = i + 1;
		columns[i].def = &defs[i];
		columns[i].used = true;
	}
	columns[NDEFS].attribute = (pick & 0x80) ? "escalated" : "sfAccountId";
	columns[NDEFS].typid = attr_types[pick % lengthof(attr_types)];
	columns[NDEFS].typmod = -1;
	columns[NDEFS].used = true;

	doc = gca_json_parse((const char *) data, size);
	convs = gca_json_get(doc, "conversations");
	if (gca_json_is_array(convs))
	{
		for (int i = 0; i < gca_json_array_length(convs); i++)
			fill_all(gca_json_array_item(convs, i));
	}
	else if (doc)
		fill_all(doc);
	gca_json_free(doc);
	fuzz_arena_reset();
	return 0;
}
