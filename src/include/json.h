/*-------------------------------------------------------------------------
 *
 * json.h
 *		Response bodies as JSON trees: the streaming parser, accessors and
 *		the conversion to jsonb (json/json.c).
 *
 * json-c stays behind this header: only src/json/ includes it, because
 * json-c's json_object typedef clashes with PostgreSQL's SQL function of
 * that name (utils/builtins.h).  A GcaJson is a json-c value seen through
 * a forward declaration, so any file may include this header beside
 * utils/builtins.h.  JSON null is a NULL GcaJson, as in json-c.
 *
 * Trees are malloc'd by json-c, not palloc'd: whoever holds a document
 * frees it with gca_json_free (the scan does so from a memory context
 * reset callback, so an error cannot leak one).  Accessors never throw;
 * the jsonb conversions palloc in the current memory context.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/json.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_JSON_H
#define GCA_JSON_H

#include "datatype/timestamp.h"

struct json_object;
typedef struct json_object GcaJson;
typedef struct GcaJsonParser GcaJsonParser;

/* in json/json.c: the streaming parser (malloc'd) */
extern GcaJsonParser *gca_json_parser_create(void);
extern void gca_json_parser_reset(GcaJsonParser *parser);
/* Feeds bytes; false once the input cannot be one JSON document. */
extern bool gca_json_parser_feed(GcaJsonParser *parser, const char *data,
								 size_t len);
/*
 * Ends the document and hands its tree to the caller, who frees it with
 * gca_json_free; the parser can start again.  NULL with *error set (static
 * text) when the body was not one JSON object.
 */
extern GcaJson *gca_json_parser_finish(GcaJsonParser *parser,
									   const char **error);
/* Why feeding failed (static text), or NULL. */
extern const char *gca_json_parser_error(GcaJsonParser *parser);
extern void gca_json_parser_free(GcaJsonParser *parser);

/* Parses a whole body (any JSON value); NULL when it is not JSON. */
extern GcaJson *gca_json_parse(const char *data, size_t len);
extern void gca_json_free(GcaJson *doc);

/* Accessors: NULL-safe, never throw. */
extern GcaJson *gca_json_get(const GcaJson *object, const char *key);
/* whether object has the member, also when its value is null */
extern bool gca_json_has(const GcaJson *object, const char *key);
extern bool gca_json_is_object(const GcaJson *value);
extern bool gca_json_is_array(const GcaJson *value);
/* elements of an array; 0 for anything else */
extern int	gca_json_array_length(const GcaJson *array);
extern GcaJson *gca_json_array_item(const GcaJson *array, int i);
/* a string value, or NULL for any other type and for a string that is
 * not valid UTF-8 or holds \u0000 (text cannot hold it) */
extern const char *gca_json_string(const GcaJson *value);
extern const char *gca_json_get_string(const GcaJson *object, const char *key);
/* a number (or numeric string) as int64; false otherwise */
extern bool gca_json_int64(const GcaJson *value, int64 *result);
extern int64 gca_json_get_int64(const GcaJson *object, const char *key,
								int64 dflt);
extern bool gca_json_bool(const GcaJson *value, bool *result);
/* an ISO-8601 string member as a timestamptz; false when absent or bad */
extern bool gca_json_get_time(const GcaJson *object, const char *key,
							  TimestampTz *result);
/* the text of a scalar as an input function reads it (objects: JSON) */
extern const char *gca_json_text(const GcaJson *value);

/*
 * The string value of a top-level member of the JSON object in raw
 * (len bytes, not parsed: nested objects and strings are skipped), palloc'd
 * and unescaped; NULL when the member is absent or not a string.  For
 * finding a page's cursor without parsing the page.
 */
extern char *gca_json_peek_string(const char *raw, size_t len, const char *key);

/*
 * A page whose big top-level array is read an item at a time, so that one
 * item's tree is in memory at a time, not the page's (see json.c).
 */
typedef struct GcaJsonItems GcaJsonItems;
extern GcaJsonItems *gca_json_items_parse(const char *raw, size_t len,
										  const char *key, GcaJson **doc,
										  const char **error);
/*
 * Items are found as they are read (a page is not scanned twice): count
 * reads to the end of the array; -1 for NULL (the member was absent) and
 * for an array found not well formed (gca_json_items_error).
 */
extern int	gca_json_items_count(GcaJsonItems *items);
extern bool gca_json_items_exists(GcaJsonItems *items, int i);
extern GcaJson *gca_json_items_get(GcaJsonItems *items, int i);
/* a top-level string member of item i, unparsed (gca_json_peek_string) */
extern char *gca_json_items_peek_string(GcaJsonItems *items, int i,
										const char *key);
/* why the array was found not well formed (static text), or NULL */
extern const char *gca_json_items_error(const GcaJsonItems *items);
extern void gca_json_items_free(GcaJsonItems *items);

/*
 * jsonb (palloc'd in the current memory context).  Throws when a string
 * is not valid UTF-8 or holds \u0000, or a number is NaN or infinite
 * (json-c reads both; jsonb cannot hold them).
 */
extern Datum gca_json_to_jsonb(const GcaJson *value);
/* the members of several objects merged into one, later ones winning */
extern Datum gca_json_merge_to_jsonb(GcaJson *const *objects, int n);

#endif							/* GCA_JSON_H */
