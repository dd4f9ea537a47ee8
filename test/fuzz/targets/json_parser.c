/*
 * json_parser: the streaming JSON parser fed in random chunks, then the
 * accessors and the jsonb conversion over the tree (src/json/json.c).
 *
 * Input: one byte seeding the chunk sizes, then the body.  Checks that
 * chunking does not change the outcome (same document, same error or
 * not, as one feed of the whole body) and that a parser can be reused.
 */
#include "postgres.h"

#include <json-c/json.h>

#include "json.h"
#include "pg_shim.h"

/* feeds body in chunks from a small PRNG; returns the finished tree */
static GcaJson *
feed_chunked(GcaJsonParser *p, const char *body, size_t len, uint32 seed,
			 const char **error)
{
	size_t		off = 0;

	while (off < len)
	{
		size_t		n;

		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % (seed & 0x100 ? 7 : 300);
		n = Min(n, len - off);
		if (!gca_json_parser_feed(p, body + off, n))
			break;
		off += n;
	}
	return gca_json_parser_finish(p, error);
}

/* Exercises the accessors on every member, depth-first (bounded). */
static void
walk(GcaJson *v, int depth)
{
	int64		i;
	bool		b;
	TimestampTz t;

	(void) gca_json_text(v);
	(void) gca_json_int64(v, &i);
	(void) gca_json_bool(v, &b);
	(void) gca_json_string(v);
	if (depth > 64)
		return;
	if (gca_json_is_array(v))
	{
		for (int k = 0; k < gca_json_array_length(v); k++)
			walk(gca_json_array_item(v, k), depth + 1);
		(void) gca_json_array_item(v, -1);
		(void) gca_json_array_item(v, gca_json_array_length(v));
	}
	else if (gca_json_is_object(v))
	{
		json_object_object_foreach((json_object *) v, key, val)
		{
			if (!gca_json_has(v, key) || gca_json_get(v, key) != val)
				fuzz_finding("member \"%s\" not found again", key);
			(void) gca_json_get_int64(v, key, 0);
			(void) gca_json_get_string(v, key);
			(void) gca_json_get_time(v, key, &t);
			walk(val, depth + 1);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GcaJsonParser *p;
	GcaJson    *chunked;
	GcaJson    *whole;
	const char *err1 = NULL;
	const char *err2 = NULL;
	uint8_t		seed = fuzz_take_byte(&data, &size);

	p = gca_json_parser_create();
	chunked = feed_chunked(p, (const char *) data, size, seed, &err1);
	/* the same parser, reused, with the body in one piece */
	if (size > 0 && !gca_json_parser_feed(p, (const char *) data, size))
		(void) gca_json_parser_error(p);
	whole = gca_json_parser_finish(p, &err2);
	gca_json_parser_free(p);

	if ((chunked == NULL) != (whole == NULL))
		fuzz_finding("chunked feed %s, whole feed %s",
					 chunked ? "parsed" : err1, whole ? "parsed" : err2);
	if (chunked && strcmp(gca_json_text(chunked), gca_json_text(whole)) != 0)
		fuzz_finding("chunked and whole feeds give different documents");
	if (chunked)
	{
		GcaJson    *objs[2] = {chunked, gca_json_get(chunked, "attributes")};

		walk(chunked, 0);
		(void) FUZZ_GUARDED(gca_json_to_jsonb(chunked));
		(void) FUZZ_GUARDED(gca_json_merge_to_jsonb(objs, 2));
	}
	gca_json_free(chunked);
	gca_json_free(whole);
	/* the one-shot parser over the same bytes */
	gca_json_free(gca_json_parse((const char *) data, size));
	fuzz_arena_reset();
	return 0;
}
