/*
 * json_items: a page read an item at a time (gca_json_items_parse and
 * friends, src/json/json.c) against the same page parsed whole.
 *
 * Input: the body, whole.  When the body is a JSON object (as the
 * streaming parser reads it: nothing but white space after it) whose
 * "conversations" member (named once) is an array, the item reader must
 * find as many items, each the same value as the whole parse's, a
 * conversationStart string peeked from an item must be the parsed one,
 * and the rest of the document must be the whole one with the array
 * emptied, provided the array is the object's last nested value; other
 * shapes may be refused as they are read.  When the body is not JSON, the
 * item reader must refuse it or fail on some item: it never passes bad
 * bytes off as rows.
 */
#include "postgres.h"

#include <json-c/json.h>

#include "json.h"
#include "pg_shim.h"

#define KEY "conversations"

/* occurrences of the quoted key in the body */
static int
key_count(const char *body, size_t len, const char *key)
{
	int			n = 0;
	size_t		klen = strlen(key);

	for (size_t i = 0; i + klen + 2 <= len; i++)
		if (body[i] == '"' && memcmp(body + i + 1, key, klen) == 0 &&
			body[i + klen + 1] == '"')
			n++;
	return n;
}

/*
 * starts: conversationStart is named in the body exactly as often as items
 * have it, so no item names it twice (the peek reads the first of
 * duplicate keys, json-c keeps the last).
 */
static void
compare_items(GcaJsonItems *items, GcaJson *array, int starts_named)
{
	int			with_start = 0;
	bool		starts;

	for (int i = 0; i < gca_json_array_length(array); i++)
		with_start += gca_json_get_string(gca_json_array_item(array, i), "conversationStart") != NULL;
	starts = starts_named == with_start;
	if (gca_json_items_count(items) != gca_json_array_length(array))
		fuzz_finding("%d items read, %d in the whole parse",
					 gca_json_items_count(items), gca_json_array_length(array));
	for (int i = 0; i < gca_json_array_length(array); i++)
	{
		GcaJson    *want = gca_json_array_item(array, i);
		const char *want_start = gca_json_get_string(want, "conversationStart");
		char	   *peeked = gca_json_items_peek_string(items, i, "conversationStart");
		GcaJson    *got = gca_json_items_get(items, i);

		if (got == NULL && want != NULL)
			fuzz_finding("item %d not read: %s", i, gca_json_items_error(items));
		if (strcmp(gca_json_text(got), gca_json_text(want)) != 0)
			fuzz_finding("item %d differs from the whole parse", i);
		/* a key written with escapes is not peeked: NULL is allowed */
		if (starts && want_start && peeked && strcmp(want_start, peeked) != 0)
			fuzz_finding("item %d: conversationStart peeked as \"%s\", parsed as \"%s\"",
						 i, peeked, want_start);
		if (gca_json_items_get(items, i) != got)
			fuzz_finding("item %d parsed again when asked twice", i);
	}
	(void) gca_json_items_get(items, -1);
	(void) gca_json_items_get(items, gca_json_items_count(items));
}

/*
 * Whether KEY is the object's last member whose value is an object or an
 * array (pages end with scalars; the reader finds the array's close from
 * the end, and refuses other shapes as it reads them).
 */
static bool
last_nested(GcaJson *whole)
{
	bool		after = false;
	bool		last = false;

	json_object_object_foreach((json_object *) whole, k, v)
	{
		if (strcmp(k, KEY) == 0)
		{
			after = true;
			last = true;
		}
		else if (after && (gca_json_is_array(v) || gca_json_is_object(v)))
			last = false;
	}
	return last;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *) data;
	GcaJsonParser *parser = gca_json_parser_create();
	GcaJson    *whole = NULL;
	GcaJson    *doc = NULL;
	const char *error = NULL;
	GcaJsonItems *items = NULL;
	int			keys = key_count(body, size, KEY);

	/* the page as the streaming parser reads a body */
	if (size > 0 && gca_json_parser_feed(parser, body, size))
		whole = gca_json_parser_finish(parser, &error);
	gca_json_parser_free(parser);
	if (!FUZZ_GUARDED(items = gca_json_items_parse(body, size, KEY, &doc, &error)))
		goto done;
	if (whole && gca_json_is_object(whole) && keys == 1)
	{
		GcaJson    *array = gca_json_get(whole, KEY);

		if (doc == NULL)
			fuzz_finding("a JSON object refused: %s", error);
		else if (gca_json_is_array(array) && last_nested(whole))
		{
			if (items == NULL)
				fuzz_finding("the array of a JSON object not found");
			else
			{
				json_object *emptied = json_object_get(whole);

				compare_items(items, array, key_count(body, size, "conversationStart"));
				json_object_object_add(emptied, KEY, json_object_new_array());
				if (strcmp(gca_json_text(doc), gca_json_text(emptied)) != 0)
					fuzz_finding("the rest of the document differs");
				json_object_put(emptied);
			}
		}
		else if (items == NULL && strcmp(gca_json_text(doc), gca_json_text(whole)) != 0)
			fuzz_finding("a document without items read differently");
		else if (items != NULL && gca_json_items_count(items) >= 0)
			fuzz_finding("items read where the array is not the last nested value");
	}
	else if (whole == NULL && items != NULL)
	{
		/* bad bytes: some item must fail */
		bool		failed = false;

		failed = gca_json_items_count(items) < 0;
		for (int i = 0; i < gca_json_items_count(items) && !failed; i++)
			failed = gca_json_items_get(items, i) == NULL;
		if (!failed && keys == 1)
			fuzz_finding("a body that is not JSON read as %d good items",
						 gca_json_items_count(items));
	}
done:
	gca_json_items_free(items);
	gca_json_free(doc);
	gca_json_free(whole);
	fuzz_arena_reset();
	return 0;
}
