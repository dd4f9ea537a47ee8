/*-------------------------------------------------------------------------
 *
 * json.c
 *		The one place that includes json-c: the streaming parser of
 *		response bodies, accessors, and the conversion to jsonb.
 *
 * It must not include utils/builtins.h (both declare json_object); the
 * two PostgreSQL functions it needs from there are declared by hand.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/json/json.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>
#include <json-c/json.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "isotime.h"
#include "json.h"

/* from utils/builtins.h, which cannot be included beside json-c */
extern Datum numeric_in(PG_FUNCTION_ARGS);

/* bytes of a number held back from the end of a feed (see carry_feed) */
#define CARRY_MAX	64

struct GcaJsonParser
{
	json_tokener *tok;
	json_object *root;			/* finished document, or NULL */
	bool		failed;
	const char *error;
	int			ncarry;
	char		carry[CARRY_MAX];
};

/* ------------------------------------------------------------------
 * The streaming parser
 * ------------------------------------------------------------------
 */

/* Returns a new parser; malloc'd, so it can outlive memory contexts. */
GcaJsonParser *
gca_json_parser_create(void)
{
	GcaJsonParser *p = calloc(1, sizeof(GcaJsonParser));

	if (p == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	p->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (p->tok == NULL)
	{
		free(p);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	/*
	 * Not JSON_TOKENER_VALIDATE_UTF8: json-c 0.16 refuses a character split
	 * between two feeds (the fuzzer found it); strings are checked where
	 * they become text or jsonb instead.
	 */
	return p;
}

/* Drops a partial or finished document so the parser can start again. */
void
gca_json_parser_reset(GcaJsonParser *p)
{
	json_tokener_reset(p->tok);
	if (p->root)
		json_object_put(p->root);
	p->root = NULL;
	p->failed = false;
	p->error = NULL;
	p->ncarry = 0;
}

static bool
is_number_byte(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
		c == 'e' || c == 'E';
}

/* Feeds bytes to json-c as they are. */
static bool
feed_raw(GcaJsonParser *p, const char *data, size_t len)
{
	while (len > 0 && !p->failed)
	{
		json_object *obj;
		enum json_tokener_error jerr;
		size_t		used;

		if (p->root)
		{
			/* only whitespace may follow the document */
			for (; len > 0; data++, len--)
				if (!isspace((unsigned char) *data))
				{
					p->failed = true;
					p->error = "unexpected data after the JSON document";
					return false;
				}
			return true;
		}
		obj = json_tokener_parse_ex(p->tok, data, (int) Min(len, INT_MAX));
		jerr = json_tokener_get_error(p->tok);
		if (jerr == json_tokener_continue)
			return true;
		if (jerr != json_tokener_success)
		{
			p->failed = true;
			p->error = json_tokener_error_desc(jerr);
			return false;
		}
		p->root = obj;
		used = json_tokener_get_parse_end(p->tok);
		data += used;
		len -= used;
		if (p->root == NULL)
		{
			/* the document was a bare null */
			p->failed = true;
			p->error = "the response is JSON null";
			return false;
		}
	}
	return !p->failed;
}

/*
 * json-c 0.16 does not check a number split between two feeds: "0" then
 * "-}" reads as 0, "1" then "e}" as 1, where the whole text is refused
 * (the fuzzer found it).  So a feed never ends inside a run of bytes that
 * can belong to a number: up to CARRY_MAX of them are held back and fed
 * with the start of the next feed, up to and including its first other
 * byte.  Valid JSON parses the same however it is cut.
 */
bool
gca_json_parser_feed(GcaJsonParser *p, const char *data, size_t len)
{
	size_t		run;

	if (p->failed)
		return false;
	if (p->ncarry > 0 && len > 0)
	{
		char		buf[2 * CARRY_MAX];
		size_t		j = 0;

		while (j < len && is_number_byte(data[j]))
			j++;
		if (j == len && p->ncarry + len <= CARRY_MAX)
		{
			/* the run goes on: hold it all */
			memcpy(p->carry + p->ncarry, data, len);
			p->ncarry += len;
			return true;
		}
		if (j < len)
			j++;				/* the byte that ends the run goes with it */
		if (p->ncarry + j <= sizeof(buf))
		{
			memcpy(buf, p->carry, p->ncarry);
			memcpy(buf + p->ncarry, data, j);
			if (!feed_raw(p, buf, p->ncarry + j))
				return false;
			data += j;
			len -= j;
		}
		else if (!feed_raw(p, p->carry, p->ncarry))
			return false;		/* a run longer than any number */
		p->ncarry = 0;
	}
	for (run = 0; run < len && run < CARRY_MAX && is_number_byte(data[len - 1 - run]); run++)
		;
	if (run == CARRY_MAX)
		run = 0;				/* not a number: feed it as it is */
	if (!feed_raw(p, data, len - run))
		return false;
	memcpy(p->carry, data + len - run, run);
	p->ncarry = run;
	return true;
}

GcaJson *
gca_json_parser_finish(GcaJsonParser *p, const char **error)
{
	json_object *root;

	if (!p->failed && p->ncarry > 0)
	{
		int			n = p->ncarry;

		p->ncarry = 0;
		feed_raw(p, p->carry, n);
	}
	if (!p->failed && p->root == NULL)
	{
		/* a number at the very end needs a terminator to be complete */
		gca_json_parser_feed(p, " ", 1);
	}
	if (p->failed || p->root == NULL)
	{
		*error = p->error ? p->error : "the response body is incomplete";
		gca_json_parser_reset(p);
		return NULL;
	}
	if (!json_object_is_type(p->root, json_type_object))
	{
		*error = "the response is not a JSON object";
		gca_json_parser_reset(p);
		return NULL;
	}
	root = p->root;
	p->root = NULL;
	json_tokener_reset(p->tok);
	return root;
}

const char *
gca_json_parser_error(GcaJsonParser *p)
{
	return p->failed ? (p->error ? p->error : "invalid JSON") : NULL;
}

void
gca_json_parser_free(GcaJsonParser *p)
{
	if (p == NULL)
		return;
	if (p->root)
		json_object_put(p->root);
	json_tokener_free(p->tok);
	free(p);
}

GcaJson *
gca_json_parse(const char *data, size_t len)
{
	json_tokener *tok;
	json_object *obj;

	if (data == NULL || len == 0 || len > INT_MAX)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	obj = json_tokener_parse_ex(tok, data, (int) len);
	if (json_tokener_get_error(tok) != json_tokener_success)
	{
		if (obj)
			json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

void
gca_json_free(GcaJson *doc)
{
	if (doc)
		json_object_put(doc);
}

/* ------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------
 */

GcaJson *
gca_json_get(const GcaJson *o, const char *key)
{
	json_object *v;

	if (o && json_object_is_type(o, json_type_object) &&
		json_object_object_get_ex(o, key, &v))
		return v;
	return NULL;
}

bool
gca_json_has(const GcaJson *o, const char *key)
{
	return o && json_object_is_type(o, json_type_object) &&
		json_object_object_get_ex(o, key, NULL);
}

bool
gca_json_is_object(const GcaJson *v)
{
	return v && json_object_is_type(v, json_type_object);
}

bool
gca_json_is_array(const GcaJson *v)
{
	return v && json_object_is_type(v, json_type_array);
}

int
gca_json_array_length(const GcaJson *a)
{
	return gca_json_is_array(a) ? (int) json_object_array_length(a) : 0;
}

GcaJson *
gca_json_array_item(const GcaJson *a, int i)
{
	return gca_json_is_array(a) ? json_object_array_get_idx(a, i) : NULL;
}

/*
 * Whether a string of len bytes is UTF-8 as PostgreSQL reads it, without
 * NUL.  json-c passes any byte through (its JSON_TOKENER_VALIDATE_UTF8
 * lets overlong forms through and breaks on characters split between
 * feeds), and \u0000 decodes to a NUL byte.
 */
static bool
utf8_is_valid(const char *s, int len)
{
	return pg_encoding_verifymbstr(PG_UTF8, s, len) == len;
}

/* A string that is not valid UTF-8 reads as absent (NULL). */
const char *
gca_json_string(const GcaJson *v)
{
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string((json_object *) v);
	return utf8_is_valid(s, json_object_get_string_len(v)) ? s : NULL;
}

const char *
gca_json_get_string(const GcaJson *o, const char *key)
{
	return gca_json_string(gca_json_get(o, key));
}

bool
gca_json_int64(const GcaJson *v, int64 *result)
{
	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_int) ||
		json_object_is_type(v, json_type_double))
	{
		*result = json_object_get_int64(v);
		return true;
	}
	if (json_object_is_type(v, json_type_string))
	{
		const char *s = json_object_get_string((json_object *) v);
		char	   *end;
		long long	n;

		errno = 0;
		n = strtoll(s, &end, 10);
		if (end == s || *end != '\0' || errno != 0)
			return false;
		*result = (int64) n;
		return true;
	}
	return false;
}

int64
gca_json_get_int64(const GcaJson *o, const char *key, int64 dflt)
{
	int64		v;

	return gca_json_int64(gca_json_get(o, key), &v) ? v : dflt;
}

bool
gca_json_bool(const GcaJson *v, bool *result)
{
	if (v == NULL || !json_object_is_type(v, json_type_boolean))
		return false;
	*result = json_object_get_boolean(v);
	return true;
}

bool
gca_json_get_time(const GcaJson *o, const char *key, TimestampTz *result)
{
	const char *s = gca_json_get_string(o, key);

	return s && gca_parse_iso_time(s, result);
}

const char *
gca_json_text(const GcaJson *v)
{
	return v ? json_object_get_string((json_object *) v) : NULL;
}

/* ------------------------------------------------------------------
 * jsonb from a json-c tree
 * ------------------------------------------------------------------
 */

static JsonbValue *push_value(JsonbParseState **state, JsonbIteratorToken ctx,
							  json_object *o);

/*
 * A JSON number as a numeric, from its text: exact for doubles (the
 * tokener keeps their text) and for integers beyond int64 (json-c reads
 * those up to 2^64 - 1 as unsigned).  JSON has no NaN or infinity, which
 * json-c accepts and jsonb must not hold: an error.
 */
static Numeric
number_to_numeric(json_object *o)
{
	const char *text = json_object_get_string(o);
	const char *digits = text + (text[0] == '-' || text[0] == '+');

	if (!isdigit((unsigned char) digits[0]) && digits[0] != '.')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("the response holds the number \"%s\", which JSON does not allow", text)));
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(text),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* Throws unless a string may go into jsonb (valid UTF-8, no NUL). */
static void
check_string(const char *s, int len)
{
	if (!utf8_is_valid(s, len))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("a string of the response is not valid UTF-8 or holds \\u0000"),
				 errdetail("jsonb cannot hold it: of its %d bytes, the first %d are valid.",
						   len, pg_encoding_verifymbstr(PG_UTF8, s, len))));
}

static void
push_members(JsonbParseState **state, json_object *o)
{
	json_object_object_foreach(o, key, val)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = key;
		k.val.string.len = strlen(key);
		check_string(key, k.val.string.len);
		pushJsonbValue(state, WJB_KEY, &k);
		push_value(state, WJB_VALUE, val);
	}
}

/*
 * Pushes a json-c value into a jsonb parse state; for a container it
 * returns what closing it returned (the finished value at the root).
 */
static JsonbValue *
push_value(JsonbParseState **state, JsonbIteratorToken ctx, json_object *o)
{
	JsonbValue	v;

	switch (o ? json_object_get_type(o) : json_type_null)
	{
		case json_type_object:
			pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
			push_members(state, o);
			return pushJsonbValue(state, WJB_END_OBJECT, NULL);
		case json_type_array:
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (size_t i = 0; i < json_object_array_length(o); i++)
				push_value(state, WJB_ELEM, json_object_array_get_idx(o, i));
			return pushJsonbValue(state, WJB_END_ARRAY, NULL);
		case json_type_null:
			v.type = jbvNull;
			break;
		case json_type_boolean:
			v.type = jbvBool;
			v.val.boolean = json_object_get_boolean(o);
			break;
		case json_type_int:
			v.type = jbvNumeric;
			/* INT64_MAX may stand for a larger unsigned value */
			if (json_object_get_int64(o) != PG_INT64_MAX)
				v.val.numeric = int64_to_numeric(json_object_get_int64(o));
			else
				v.val.numeric = number_to_numeric(o);
			break;
		case json_type_double:
			v.type = jbvNumeric;
			v.val.numeric = number_to_numeric(o);
			break;
		case json_type_string:
			v.type = jbvString;
			v.val.string.val = (char *) json_object_get_string(o);
			v.val.string.len = json_object_get_string_len(o);
			check_string(v.val.string.val, v.val.string.len);
			break;
	}
	if (ctx == WJB_ELEM && *state == NULL)
	{
		/* a scalar at the root: jsonb holds it as a one-element array */
		JsonbValue *res;

		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		(*state)->contVal.val.array.rawScalar = true;
		pushJsonbValue(state, WJB_ELEM, &v);
		res = pushJsonbValue(state, WJB_END_ARRAY, NULL);
		return res;
	}
	return pushJsonbValue(state, ctx, &v);
}

Datum
gca_json_to_jsonb(const GcaJson *value)
{
	JsonbParseState *state = NULL;

	return JsonbPGetDatum(JsonbValueToJsonb(push_value(&state, WJB_ELEM,
													   (json_object *) value)));
}

Datum
gca_json_merge_to_jsonb(GcaJson *const *objects, int n)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
		if (gca_json_is_object(objects[i]))
			push_members(&state, objects[i]);
	/* jsonb keeps the last of duplicate keys */
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/* ------------------------------------------------------------------
 * Peeking at raw bytes
 * ------------------------------------------------------------------
 */

/*
 * The end of the JSON string starting at raw[i] == '"', or len: the next
 * quote not escaped (preceded by an even run of backslashes), found with
 * memchr since most of a page's bytes are inside strings.
 */
static size_t
skip_string(const char *raw, size_t len, size_t i)
{
	size_t		open = i;

	for (i++; i < len;)
	{
		const char *q = memchr(raw + i, '"', len - i);
		size_t		j,
					bs = 0;

		if (q == NULL)
			break;
		j = q - raw;
		while (j - bs > open + 1 && raw[j - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return j + 1;
		i = j + 1;
	}
	return len;
}

/*
 * The string that follows raw[at] past white space and the key's colon,
 * unescaped by json-c and palloc'd; NULL when no string follows.
 */
static char *
string_value_at(const char *raw, size_t len, size_t at)
{
	size_t		v = at;
	json_object *str;
	char	   *result = NULL;

	size_t		end;

	while (v < len && (isspace((unsigned char) raw[v]) || raw[v] == ':'))
		v++;
	if (v >= len || raw[v] != '"')
		return NULL;
	end = skip_string(raw, len, v);
	if (end < len && memchr(raw + v + 1, '\\', end - v - 2) == NULL)
		return pnstrdup(raw + v + 1, end - v - 2);	/* nothing to unescape */
	str = gca_json_parse(raw + v, end - v);
	if (str && json_object_is_type(str, json_type_string))
		result = pstrdup(json_object_get_string(str));
	gca_json_free(str);
	return result;
}

/*
 * The value of key among the top-level members after the object's last
 * nested array or object, scanning from the end (pages carry their cursor
 * after the big array, so this reads a few bytes, not the page).  Sets
 * *found false when the tail holds no such member.
 */
static char *
peek_tail(const char *raw, size_t len, const char *key, bool *found,
		  size_t *nested_end)
{
	size_t		keylen = key ? strlen(key) : 0;
	size_t		i = len;

	*found = false;
	*nested_end = 0;
	/* the closing brace of the document */
	while (i > 0 && isspace((unsigned char) raw[i - 1]))
		i--;
	if (i == 0 || raw[i - 1] != '}')
		return NULL;
	i--;
	while (i > 0)
	{
		char		c = raw[--i];

		if (c == ']' || c == '}')
		{
			*nested_end = i;	/* reached a nested value: not in the tail */
			return NULL;
		}
		if (c != '"')
			continue;
		/* a string ends here: find where it starts (an unescaped quote) */
		{
			size_t		end = i;
			size_t		j = i;

			for (;;)
			{
				size_t		bs = 0;

				if (j == 0)
					return NULL;
				j--;
				if (raw[j] != '"')
					continue;
				while (j > bs && raw[j - 1 - bs] == '\\')
					bs++;
				if (bs % 2 == 0)
					break;
			}
			i = j;
			/* a key is followed by a colon */
			{
				size_t		k = end + 1;

				while (k < len && isspace((unsigned char) raw[k]))
					k++;
				if (key && k < len && raw[k] == ':' && end - j - 1 == keylen &&
					memcmp(raw + j + 1, key, keylen) == 0)
				{
					*found = true;
					return string_value_at(raw, len, k);
				}
			}
		}
	}
	return NULL;
}

/*
 * The offset just past the key (its closing quote) of the top-level member
 * key of the object in raw, scanning forward, or 0 when it is absent.
 */
static size_t
find_member(const char *raw, size_t len, const char *key)
{
	size_t		keylen = strlen(key);
	int			depth = 0;
	bool		expect_key = false;

	for (size_t i = 0; i < len; i++)
	{
		char		c = raw[i];

		if (c == '{' || c == '[')
		{
			depth++;
			expect_key = c == '{' && depth == 1;
		}
		else if (c == '}' || c == ']')
		{
			if (--depth <= 0)
				return 0;		/* the end of the object */
		}
		else if (c == ',' && depth == 1)
			expect_key = true;
		else if (c == '"')
		{
			size_t		end = skip_string(raw, len, i);

			if (expect_key && end - i - 2 == keylen &&
				memcmp(raw + i + 1, key, keylen) == 0)
				return end;
			expect_key = false;
			i = end - 1;
		}
	}
	return 0;
}

char *
gca_json_peek_string(const char *raw, size_t len, const char *key)
{
	bool		found;
	size_t		nested_end;
	char	   *tail = peek_tail(raw, len, key, &found, &nested_end);
	size_t		at;

	if (found)
		return tail;
	at = find_member(raw, len, key);
	return at > 0 ? string_value_at(raw, len, at) : NULL;
}

/* ------------------------------------------------------------------
 * A page's big array read an item at a time
 * ------------------------------------------------------------------
 */

/*
 * Parsing a page of 1,000 conversations into one tree builds tens of
 * megabytes of small objects and frees them all at once: the tree falls
 * out of the cache while it is read, and free() consolidates megabytes of
 * chunks.  Items parsed one at a time reuse the same few hot chunks.
 */
struct GcaJsonItems
{
	const char *raw;			/* the body (the caller keeps it) */
	size_t		close;			/* where the array closes */
	int			count;			/* items, -1 until the close is reached */
	int			known;			/* items whose start is known */
	int			cap;
	size_t	   *bounds;			/* item i is raw[bounds[2i], bounds[2i+1]),
								 * the end 0 until known */
	json_tokener *tok;
	json_object *current;		/* the item last parsed */
	int			current_index;
	const char *error;
};

static bool
is_space_byte(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/*
 * The JSON object that is the whole of raw (white space around it
 * allowed), or NULL, as the streaming parser reads a body.
 */
static json_object *
parse_whole_object(const char *raw, size_t len)
{
	json_tokener *tok;
	json_object *obj;
	size_t		end;

	if (len == 0 || len > INT_MAX || (tok = json_tokener_new()) == NULL)
		return NULL;
	obj = json_tokener_parse_ex(tok, raw, (int) len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success ||
		!json_object_is_type(obj, json_type_object))
	{
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	for (; obj && end < len; end++)
		if (!isspace((unsigned char) raw[end]))
		{
			json_object_put(obj);
			obj = NULL;
		}
	return obj;
}

/* The end of the value (not a string) that starts at raw[i], or 0. */
static size_t
skip_value(const char *raw, size_t len, size_t i)
{
	int			depth = 0;

	for (; i < len; i++)
	{
		char		c = raw[i];

		if (c == '"')
			i = skip_string(raw, len, i) - 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
		{
			if (depth == 0)
				return i;
			depth--;
		}
		else if (c == ',' && depth == 0)
			return i;
	}
	return 0;
}

static bool
items_fail(GcaJsonItems *it, const char *error)
{
	it->error = error;
	return false;
}

/*
 * Makes the start of item i known, from the end of item i - 1 (found by
 * parsing it, or else by skipping it); false past the last item (the
 * count is then known) or when the array is not well formed (it->error).
 * Items are found as they are read, so a page's bytes are not scanned
 * twice.
 */
static bool
find_item(GcaJsonItems *it, int i)
{
	while (it->known <= i)
	{
		int			k = it->known;
		size_t		at;

		if (it->error || it->count >= 0)
			return false;
		if (k == 0)
			at = it->bounds[0];	/* just past the '[' */
		else
		{
			at = it->bounds[2 * (k - 1) + 1];
			if (at == 0)
			{
				at = skip_value(it->raw, it->close + 1, it->bounds[2 * (k - 1)]);
				if (at == 0)
					return items_fail(it, "an item of the page is not valid JSON");
				it->bounds[2 * (k - 1) + 1] = at;
			}
			while (at < it->close && is_space_byte(it->raw[at]))
				at++;
			if (at == it->close)
			{
				it->count = k;
				return false;
			}
			if (it->raw[at] != ',')
				return items_fail(it, "unexpected data after an item of the page");
			at++;
		}
		while (at < it->close && is_space_byte(it->raw[at]))
			at++;
		if (at >= it->close)
		{
			/* an empty array; or one that ends with a comma: json-c takes it */
			it->count = k;
			return false;
		}
		if (k == it->cap)
		{
			size_t	   *more = realloc(it->bounds, 4 * it->cap * sizeof(size_t));

			if (more == NULL)
				return items_fail(it, "out of memory");
			it->bounds = more;
			it->cap *= 2;
		}
		it->bounds[2 * k] = at;
		it->bounds[2 * k + 1] = 0;
		it->known++;
	}
	return true;
}

/*
 * Parses the JSON object in raw but for the items of its top-level array
 * member key: *doc gets the object with that member as [], and the result
 * reads the items one by one (gca_json_items_get).  Returns NULL with
 * *doc the whole object when key is absent or not an array, and NULL with
 * *doc NULL (and *error) when raw is not a JSON object.  raw must outlive
 * the items; both are freed by the caller (gca_json_free,
 * gca_json_items_free).  The array must be the document's last nested
 * value (pages end with scalars: cursor, totalHits); the items are only
 * checked as they are read.
 */
GcaJsonItems *
gca_json_items_parse(const char *raw, size_t len, const char *key,
					 GcaJson **doc, const char **error)
{
	GcaJsonItems *it;
	size_t		at = find_member(raw, len, key);
	size_t		close = 0;
	bool		found;
	char	   *rest;

	*doc = NULL;
	*error = "the response is not a JSON object";
	while (at > 0 && at < len && (is_space_byte(raw[at]) || raw[at] == ':'))
		at++;
	if (at > 0 && at < len && raw[at] == '[')
		(void) peek_tail(raw, len, NULL, &found, &close);
	if (close <= at || raw[close] != ']')
	{
		*doc = parse_whole_object(raw, len);
		return NULL;
	}
	/* the rest of the document, with the array as [] */
	rest = palloc(len - (close - at) + 2);
	memcpy(rest, raw, at + 1);
	memcpy(rest + at + 1, raw + close, len - close);
	*doc = parse_whole_object(rest, len - (close - at) + 1);
	pfree(rest);
	if (*doc == NULL)
		return NULL;
	it = calloc(1, sizeof(GcaJsonItems));
	if (it)
		it->bounds = malloc(2 * 256 * sizeof(size_t));
	if (it == NULL || it->bounds == NULL || (it->tok = json_tokener_new()) == NULL)
	{
		gca_json_items_free(it);
		gca_json_free(*doc);
		*doc = NULL;
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	it->raw = raw;
	it->close = close;
	it->count = -1;
	it->cap = 256;
	it->bounds[0] = at + 1;
	it->current_index = -1;
	*error = NULL;
	return it;
}

/*
 * Items of the array (reads to its end: a page's last item is found by
 * skipping the ones not read yet), or -1 for NULL and for an array that is
 * not well formed (gca_json_items_error).
 */
int
gca_json_items_count(GcaJsonItems *it)
{
	if (it == NULL)
		return -1;
	while (it->count < 0 && find_item(it, it->known))
		;
	return it->count;
}

/* Whether the array has an item i (reading up to it). */
bool
gca_json_items_exists(GcaJsonItems *it, int i)
{
	return it != NULL && i >= 0 && find_item(it, i);
}

/*
 * Item i, parsed; valid until the next call or gca_json_items_free (the
 * item before it is freed).  NULL when it is not JSON (see
 * gca_json_items_error) or i is out of range.
 */
GcaJson *
gca_json_items_get(GcaJsonItems *it, int i)
{
	size_t		start,
				end;
	json_object *obj;

	if (i == it->current_index && i >= 0)
		return it->current;
	if (!gca_json_items_exists(it, i))
		return NULL;
	if (it->current)
		json_object_put(it->current);
	it->current = NULL;
	it->current_index = i;
	start = it->bounds[2 * i];
	json_tokener_reset(it->tok);
	/* up to and with the close: it ends a number that would wait for more */
	obj = json_tokener_parse_ex(it->tok, it->raw + start,
								(int) Min(it->close + 1 - start, INT_MAX));
	end = start + json_tokener_get_parse_end(it->tok);
	if (json_tokener_get_error(it->tok) != json_tokener_success || end > it->close)
	{
		if (obj)
			json_object_put(obj);
		it->error = "an item of the page is not valid JSON";
		return NULL;
	}
	if (it->bounds[2 * i + 1] > 0)
	{
		/* skipped before: the parse must end where the skip did */
		size_t		skipped = it->bounds[2 * i + 1];

		while (end < skipped && is_space_byte(it->raw[end]))
			end++;
		if (end != skipped)
		{
			json_object_put(obj);
			it->error = "unexpected data after an item of the page";
			return NULL;
		}
	}
	it->bounds[2 * i + 1] = end;
	it->current = obj;
	return obj;
}

/*
 * The string value of a top-level member of item i, found without parsing
 * the item (as gca_json_peek_string); palloc'd, NULL when absent or not a
 * string.
 */
char *
gca_json_items_peek_string(GcaJsonItems *it, int i, const char *key)
{
	const char *raw;
	size_t		len,
				at;

	if (!gca_json_items_exists(it, i))
		return NULL;
	raw = it->raw + it->bounds[2 * i];
	len = it->close - it->bounds[2 * i];
	at = find_member(raw, len, key);
	return at > 0 ? string_value_at(raw, len, at) : NULL;
}

const char *
gca_json_items_error(const GcaJsonItems *it)
{
	return it ? it->error : NULL;
}

void
gca_json_items_free(GcaJsonItems *it)
{
	if (it == NULL)
		return;
	if (it->current)
		json_object_put(it->current);
	if (it->tok)
		json_tokener_free(it->tok);
	free(it->bounds);
	free(it);
}
