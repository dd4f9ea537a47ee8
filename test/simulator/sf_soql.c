/*-------------------------------------------------------------------------
 *
 * sf_soql.c
 *		The SOQL subset of gcsim: lexer, parser with Salesforce's error
 *		codes and messages, evaluation over the generated world, and the
 *		JSON of one result record.
 *
 *	SELECT field, Parent.field, ... | COUNT()
 *	FROM Account | Case | Opportunity | User
 *	[WHERE cond] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST], ...]
 *	[LIMIT n] [OFFSET n]
 *
 *	cond: simple {AND simple} | simple {OR simple}    (no mixing without
 *		  parentheses, as in SOQL); simple: NOT simple | ( cond ) |
 *		  path op literal | path [NOT] IN (literal, ...) | path LIKE 'pat'
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_soql.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

#define MAX_HOPS 5
#define NUM_SCALE 8				/* numbers compare as int128 * 10^-8 */

typedef __int128 int128;

typedef enum TokKind
{
	TK_EOF,
	TK_IDENT,					/* also keywords and dotted paths */
	TK_STRING,					/* raw text between the quotes */
	TK_NUMBER,
	TK_DATE,
	TK_DATETIME,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_OP
} TokKind;

typedef enum CmpOp
{
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE
} CmpOp;

typedef struct Token
{
	TokKind		kind;
	const char *start;
	int			len;
	int			pos;			/* byte offset in the query */
	CmpOp		op;				/* TK_OP */
} Token;

/* a field reached through 0..MAX_HOPS relationships */
typedef struct Path
{
	int			nhops;
	const SfFieldDef *hops[MAX_HOPS];	/* reference fields */
	SfObject	objs[MAX_HOPS + 1]; /* objs[0] the query's, objs[k+1]
									 * the parent of hops[k] */
	const SfFieldDef *field;
	const Token *tok;
} Path;

typedef struct Literal
{
	SfValKind	kind;			/* SFV_NULL ... SFV_DATETIME */
	char	   *s;				/* decoded string (LIKE: wildcards 1, 2) */
	int128		num;			/* scaled by 10^NUM_SCALE */
	int64_t		i;				/* date: day, datetime: ms */
	bool		b;
} Literal;

typedef enum CondKind
{
	CK_AND,
	CK_OR,
	CK_NOT,
	CK_CMP,
	CK_IN,
	CK_NOT_IN,
	CK_LIKE
} CondKind;

typedef struct Cond
{
	CondKind	kind;
	struct Cond **args;			/* AND, OR: nargs; NOT: 1 */
	int			nargs;
	Path		path;
	CmpOp		op;
	Literal    *lits;
	int			nlits;
} Cond;

typedef struct OrderItem
{
	Path		path;
	bool		desc;
	bool		nulls_last;
} OrderItem;

struct SfQuery
{
	SfObject	obj;
	bool		is_count;
	Path	   *select;
	int			nselect;
	Cond	   *where;			/* NULL: all rows */
	OrderItem  *order;
	int			norder;
	int64_t		limit;			/* -1: none */
	int64_t		offset;
	/* every allocation, freed together */
	void	  **allocs;
	int			nallocs;
	int			capallocs;
};

typedef struct Parser
{
	SfQuery    *q;
	const char *src;
	Token	   *toks;
	int			ntoks;
	int			pos;
	SfError    *err;
	bool		failed;
} Parser;

static void *
qalloc(SfQuery *q, size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
		abort();
	if (q->nallocs == q->capallocs)
	{
		q->capallocs = q->capallocs ? q->capallocs * 2 : 32;
		q->allocs = realloc(q->allocs, sizeof(void *) * q->capallocs);
		if (q->allocs == NULL)
			abort();
	}
	q->allocs[q->nallocs++] = p;
	return p;
}

void
sf_soql_free(SfQuery *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < q->nallocs; i++)
		free(q->allocs[i]);
	free(q->allocs);
	free(q);
}

SfObject
sf_soql_object(const SfQuery *q)
{
	return q->obj;
}

bool
sf_soql_is_count(const SfQuery *q)
{
	return q->is_count;
}

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

/*
 * Fills p->err once, in Salesforce's shape: the query, a caret under the
 * offending token, "ERROR at Row:r:Column:c", then the message.  Long or
 * multi-line queries are not echoed.
 */
static void
perr(Parser *p, int pos, const char *code, const char *fmt,...)
	__attribute__((format(printf, 4, 5)));

static void
perr(Parser *p, int pos, const char *code, const char *fmt,...)
{
	va_list		ap;
	int			row = 1,
				col = 1;
	size_t		n = 0;
	size_t		srclen = strlen(p->src);

	if (p->failed)
		return;
	p->failed = true;
	p->err->status = 400;
	snprintf(p->err->code, sizeof(p->err->code), "%s", code);
	for (int i = 0; i < pos && p->src[i]; i++)
	{
		if (p->src[i] == '\n')
			row++, col = 1;
		else
			col++;
	}
	if (pos >= 0)
	{
		if (srclen <= 300 && strchr(p->src, '\n') == NULL)
			n = snprintf(p->err->message, sizeof(p->err->message),
						 "\n%s\n%*s^\n", p->src, col - 1, "");
		n += snprintf(p->err->message + n, sizeof(p->err->message) - n,
					  "ERROR at Row:%d:Column:%d\n", row, col);
	}
	va_start(ap, fmt);
	vsnprintf(p->err->message + n, sizeof(p->err->message) - n, fmt, ap);
	va_end(ap);
}

static void
unexpected(Parser *p, const Token *t)
{
	if (t->kind == TK_EOF)
		perr(p, t->pos, "MALFORMED_QUERY", "unexpected token: <EOF>");
	else
		perr(p, t->pos, "MALFORMED_QUERY", "unexpected token: %.*s",
			 t->len > 100 ? 100 : t->len, t->start);
}

/* ---------------------------------------------------------------------
 * Lexer
 * ---------------------------------------------------------------------
 */
static bool
is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool
is_ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

/* length of a date or datetime literal at s, 0 if none; *dt set if time */
static int
scan_datetime(const char *s, bool *dt)
{
	int			n = 0;

	*dt = false;
	for (int i = 0; i < 10; i++)
	{
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char) s[i]))
			return 0;
	}
	n = 10;
	if (s[n] != 'T')
		return n;
	*dt = true;
	n++;
	while (isdigit((unsigned char) s[n]) || s[n] == ':' || s[n] == '.' ||
		   s[n] == 'Z' || s[n] == '+' || s[n] == '-')
		n++;
	return n;
}

static bool
lex(Parser *p)
{
	const char *s = p->src;
	int			cap = 64;
	int			i = 0;

	p->toks = qalloc(p->q, sizeof(Token) * cap);
	for (;;)
	{
		Token		t;
		int			c;

		while (isspace((unsigned char) s[i]))
			i++;
		if (p->ntoks + 1 >= cap)
		{
			Token	   *nt = qalloc(p->q, sizeof(Token) * cap * 2);

			memcpy(nt, p->toks, sizeof(Token) * cap);
			p->toks = nt;
			cap *= 2;
		}
		memset(&t, 0, sizeof(t));
		t.start = s + i;
		t.pos = i;
		c = (unsigned char) s[i];
		if (c == '\0')
		{
			t.kind = TK_EOF;
			p->toks[p->ntoks++] = t;
			return true;
		}
		if (c == '\'')
		{
			int			j = i + 1;

			while (s[j] && s[j] != '\'')
				j += (s[j] == '\\' && s[j + 1]) ? 2 : 1;
			if (s[j] != '\'')
			{
				perr(p, i, "MALFORMED_QUERY", "line 1:%d mismatched character '<EOF>' expecting '''", j);
				return false;
			}
			t.kind = TK_STRING;
			t.start = s + i + 1;
			t.len = j - i - 1;
			i = j + 1;
		}
		else if (c == '"')
		{
			perr(p, i, "MALFORMED_QUERY", "unexpected token: '\"'");
			return false;
		}
		else if (isdigit(c) || ((c == '-' || c == '+') && isdigit((unsigned char) s[i + 1])))
		{
			bool		dt;
			int			n = isdigit(c) ? scan_datetime(s + i, &dt) : 0;

			if (n > 0)
				t.kind = dt ? TK_DATETIME : TK_DATE;
			else
			{
				n = 1;
				while (isdigit((unsigned char) s[i + n]) || s[i + n] == '.')
					n++;
				if ((s[i + n] == 'e' || s[i + n] == 'E') &&
					(isdigit((unsigned char) s[i + n + 1]) ||
					 ((s[i + n + 1] == '-' || s[i + n + 1] == '+') &&
					  isdigit((unsigned char) s[i + n + 2]))))
				{
					n += 2;
					while (isdigit((unsigned char) s[i + n]))
						n++;
				}
				t.kind = TK_NUMBER;
			}
			t.len = n;
			i += n;
		}
		else if (is_ident_start(c))
		{
			int			n = 1;

			while (is_ident_char((unsigned char) s[i + n]))
				n++;
			t.kind = TK_IDENT;
			t.len = n;
			i += n;
		}
		else if (c == '(' || c == ')' || c == ',')
		{
			t.kind = c == '(' ? TK_LPAREN : c == ')' ? TK_RPAREN : TK_COMMA;
			t.len = 1;
			i++;
		}
		else if (c == '=' || c == '<' || c == '>' || (c == '!' && s[i + 1] == '='))
		{
			t.kind = TK_OP;
			t.len = 1;
			if (c == '=')
				t.op = OP_EQ;
			else if (c == '!')
				t.op = OP_NE, t.len = 2;
			else if (c == '<' && s[i + 1] == '>')
				t.op = OP_NE, t.len = 2;
			else if (s[i + 1] == '=')
				t.op = c == '<' ? OP_LE : OP_GE, t.len = 2;
			else
				t.op = c == '<' ? OP_LT : OP_GT;
			i += t.len;
		}
		else
		{
			perr(p, i, "MALFORMED_QUERY", "unexpected token: '%c'", c);
			return false;
		}
		p->toks[p->ntoks++] = t;
	}
}

static const Token *
peek(Parser *p)
{
	return &p->toks[p->pos];
}

static const Token *
next(Parser *p)
{
	const Token *t = &p->toks[p->pos];

	if (t->kind != TK_EOF)
		p->pos++;
	return t;
}

static bool
tok_is(const Token *t, const char *kw)
{
	return t->kind == TK_IDENT && (int) strlen(kw) == t->len &&
		strncasecmp(t->start, kw, t->len) == 0;
}

/* consumes keyword kw if it is next */
static bool
accept(Parser *p, const char *kw)
{
	if (tok_is(peek(p), kw))
	{
		p->pos++;
		return true;
	}
	return false;
}

static bool
expect(Parser *p, const char *kw)
{
	if (accept(p, kw))
		return true;
	unexpected(p, peek(p));
	return false;
}

static bool
expect_kind(Parser *p, TokKind kind)
{
	if (peek(p)->kind == kind)
	{
		p->pos++;
		return true;
	}
	unexpected(p, peek(p));
	return false;
}

/* ---------------------------------------------------------------------
 * Paths and literals
 * ---------------------------------------------------------------------
 */
static bool
resolve_path(Parser *p, const Token *t, Path *path)
{
	const char *s = t->start;
	const char *end = t->start + t->len;
	SfObject	obj = p->q->obj;

	memset(path, 0, sizeof(*path));
	path->tok = t;
	path->objs[0] = obj;
	for (;;)
	{
		const char *dot = memchr(s, '.', end - s);
		size_t		len = dot ? (size_t) (dot - s) : (size_t) (end - s);

		if (dot == NULL)
		{
			path->field = sf_find_field(obj, s, len);
			if (path->field == NULL)
			{
				perr(p, t->pos, "INVALID_FIELD",
					 "No such column '%.*s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
					 (int) len, s, sf_objects[obj].name);
				return false;
			}
			return true;
		}
		else
		{
			const SfObjectDef *od = &sf_objects[obj];
			const SfFieldDef *rel = NULL;

			for (int i = 0; i < od->nfields; i++)
				if (od->fields[i].rel_name &&
					strlen(od->fields[i].rel_name) == len &&
					strncasecmp(od->fields[i].rel_name, s, len) == 0)
					rel = &od->fields[i];
			if (rel == NULL || path->nhops == MAX_HOPS)
			{
				perr(p, t->pos, "INVALID_FIELD",
					 "Didn't understand relationship '%.*s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
					 (int) len, s);
				return false;
			}
			path->hops[path->nhops++] = rel;
			obj = rel->ref_obj;
			path->objs[path->nhops] = obj;
			s = dot + 1;
		}
	}
}

static bool
path_equal(const Path *a, const Path *b)
{
	if (a->nhops != b->nhops || a->field != b->field)
		return false;
	for (int i = 0; i < a->nhops; i++)
		if (a->hops[i] != b->hops[i])
			return false;
	return true;
}

static void
put_utf8(char **o, unsigned cp)
{
	if (cp < 0x80)
		*(*o)++ = (char) cp;
	else if (cp < 0x800)
	{
		*(*o)++ = (char) (0xc0 | (cp >> 6));
		*(*o)++ = (char) (0x80 | (cp & 0x3f));
	}
	else
	{
		*(*o)++ = (char) (0xe0 | (cp >> 12));
		*(*o)++ = (char) (0x80 | ((cp >> 6) & 0x3f));
		*(*o)++ = (char) (0x80 | (cp & 0x3f));
	}
}

#define LIKE_ANY	'\001'		/* an unescaped % in a LIKE pattern */
#define LIKE_ONE	'\002'		/* an unescaped _ */

/*
 * Decodes a string literal with exactly SOQL's escapes (\' \" \\ \n \r \t
 * \b \f \uXXXX, and \% \_ in LIKE only); anything else is MALFORMED_QUERY.
 */
static char *
decode_string(Parser *p, const Token *t, bool like)
{
	char	   *out = qalloc(p->q, (size_t) t->len * 3 + 1);
	char	   *o = out;
	char		c = ' ';

	for (int i = 0; i < t->len; i++)
	{
		c = t->start[i];

		if (like && (c == '%' || c == '_'))
		{
			*o++ = c == '%' ? LIKE_ANY : LIKE_ONE;
			continue;
		}
		if (c != '\\')
		{
			*o++ = c;
			continue;
		}
		c = t->start[++i];
		switch (c)
		{
			case '\'':
			case '"':
			case '\\':
				*o++ = c;
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'u':
				{
					unsigned	cp = 0;
					int			k;

					for (k = 1; k <= 4; k++)
					{
						int			h = (unsigned char) t->start[i + k];

						if (i + k >= t->len || !isxdigit(h))
							goto bad;
						cp = cp * 16 + (unsigned) (isdigit(h) ? h - '0' : tolower(h) - 'a' + 10);
					}
					put_utf8(&o, cp);
					i += 4;
					break;
				}
			case '%':
			case '_':
				if (like)
				{
					*o++ = c;
					break;
				}
				/* FALLTHROUGH */
			default:
				goto bad;
		}
	}
	*o = '\0';
	return out;

bad:
	perr(p, (int) (t->start - p->src), "MALFORMED_QUERY",
		 "Invalid string literal '%.*s'. Illegal character sequence '\\%c' in string literal.",
		 t->len > 200 ? 200 : t->len, t->start, c ? c : ' ');
	return NULL;
}

/* number literal text -> int128 * 10^-NUM_SCALE */
static int128
parse_number(const char *s, int len)
{
	int128		m = 0;
	int			frac = 0,
				exp = 0,
				i = 0,
				ndig = 0;
	bool		neg = false,
				in_frac = false;

	if (s[0] == '-' || s[0] == '+')
		neg = s[i++] == '-';
	for (; i < len && (isdigit((unsigned char) s[i]) || s[i] == '.'); i++)
	{
		if (s[i] == '.')
		{
			in_frac = true;
			continue;
		}
		if (ndig < 30)
		{
			m = m * 10 + (s[i] - '0');
			ndig += m != 0;
			frac += in_frac;
		}
		else if (!in_frac)
			exp++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
		exp += atoi(s + i + 1);
	exp += NUM_SCALE - frac;
	for (; exp > 0; exp--)
		m = m < ((int128) 1 << 120) ? m * 10 : m;
	for (; exp < 0; exp++)
		m /= 10;
	return neg ? -m : m;
}

static bool
parse_fixed(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) s[i]))
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

/* YYYY-MM-DD[THH:MM:SS[.fff](Z|+-HH:MM)]; false if malformed */
static bool
parse_datetime(const char *s, int len, bool dt, int64_t *out)
{
	int			y,
				mo,
				d,
				h = 0,
				mi = 0,
				se = 0,
				ms = 0,
				oh = 0,
				om = 0,
				n = 19;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t		day;

	if (!parse_fixed(s, 4, &y) || !parse_fixed(s + 5, 2, &mo) ||
		!parse_fixed(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
		d > mdays[mo - 1])
		return false;
	day = sim_days_from_civil(y, mo, d);
	if (!dt)
	{
		*out = day;
		return len == 10;
	}
	if (len < 20 || s[13] != ':' || s[16] != ':' ||
		!parse_fixed(s + 11, 2, &h) || !parse_fixed(s + 14, 2, &mi) ||
		!parse_fixed(s + 17, 2, &se) || h > 23 || mi > 59 || se > 59)
		return false;
	if (s[n] == '.')
	{
		int			k = 0;

		n++;
		while (n < len && isdigit((unsigned char) s[n]))
		{
			if (k < 3)
				ms = ms * 10 + (s[n] - '0'), k++;
			n++;
		}
		if (k == 0)
			return false;
		for (; k < 3; k++)
			ms *= 10;
	}
	if (n == len - 1 && s[n] == 'Z')
		;
	else if (n == len - 6 && (s[n] == '+' || s[n] == '-') && s[n + 3] == ':' &&
			 parse_fixed(s + n + 1, 2, &oh) && parse_fixed(s + n + 4, 2, &om) &&
			 oh <= 23 && om <= 59)
	{
		if (s[n] == '+')
			oh = -oh, om = -om;
	}
	else
		return false;
	*out = day * MS_PER_DAY + ((int64_t) (h + oh) * 3600 + (mi + om) * 60 + se) * 1000 + ms;
	return true;
}

static const char *
type_word(SfFieldType t)
{
	if (t == SF_T_BOOLEAN)
		return "boolean";
	if (t == SF_T_INT)
		return "integer";
	if (sf_type_is_number(t))
		return "double";
	if (t == SF_T_DATE)
		return "date";
	if (t == SF_T_DATETIME)
		return "dateTime";
	return "string";
}

/* an 15- or 18-char alphanumeric id */
static bool
valid_id(const char *s)
{
	size_t		n = strlen(s);

	if (n != 15 && n != 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char) s[i]))
			return false;
	return true;
}

/* parses one literal compared with path; checks its type against the field */
static bool
parse_literal(Parser *p, const Path *path, bool like, Literal *lit)
{
	const Token *t = next(p);
	SfFieldType ft = path->field->type;
	bool		ok;

	memset(lit, 0, sizeof(*lit));
	switch (t->kind)
	{
		case TK_STRING:
			lit->kind = SFV_STRING;
			lit->s = decode_string(p, t, like);
			if (lit->s == NULL)
				return false;
			ok = sf_type_is_text(ft);
			if (ok && !like && (ft == SF_T_ID || ft == SF_T_REFERENCE) &&
				!valid_id(lit->s))
			{
				perr(p, t->pos, "INVALID_QUERY_FILTER_OPERATOR",
					 "invalid ID field: %s", lit->s);
				return false;
			}
			break;
		case TK_NUMBER:
			lit->kind = SFV_NUMBER;
			lit->num = parse_number(t->start, t->len);
			ok = sf_type_is_number(ft);
			break;
		case TK_DATE:
		case TK_DATETIME:
			lit->kind = t->kind == TK_DATE ? SFV_DATE : SFV_DATETIME;
			if (!parse_datetime(t->start, t->len, t->kind == TK_DATETIME, &lit->i))
			{
				perr(p, t->pos, "MALFORMED_QUERY",
					 "line 1:%d no viable alternative at character '%.*s'",
					 t->pos, t->len, t->start);
				return false;
			}
			ok = t->kind == TK_DATE ? ft == SF_T_DATE : ft == SF_T_DATETIME;
			break;
		case TK_IDENT:
			if (tok_is(t, "null"))
			{
				lit->kind = SFV_NULL;
				ok = !like;
			}
			else if (tok_is(t, "true") || tok_is(t, "false"))
			{
				lit->kind = SFV_BOOL;
				lit->b = tok_is(t, "true");
				ok = ft == SF_T_BOOLEAN;
			}
			else
			{
				unexpected(p, t);
				return false;
			}
			break;
		default:
			unexpected(p, t);
			return false;
	}
	if (!ok)
	{
		bool		quoted = sf_type_is_text(ft);

		perr(p, t->pos, "INVALID_FIELD",
			 "value of filter criterion for field '%.*s' must be of type %s and should %sbe enclosed in quotes",
			 path->tok->len, path->tok->start, type_word(ft), quoted ? "" : "not ");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Parser
 * ---------------------------------------------------------------------
 */
static Cond *parse_cond(Parser *p);

static bool
parse_path(Parser *p, Path *path)
{
	const Token *t = peek(p);

	if (t->kind != TK_IDENT)
	{
		unexpected(p, t);
		return false;
	}
	next(p);
	return resolve_path(p, t, path);
}

static bool
check_filterable(Parser *p, const Path *path)
{
	if (!path->field->filterable)
	{
		perr(p, path->tok->pos, "INVALID_FIELD",
			 "field '%s' can not be filtered in a query call",
			 path->field->name);
		return false;
	}
	return true;
}

/* simple := NOT simple | ( cond ) | path op literal | path [NOT] IN (...) | path LIKE str */
static Cond *
parse_simple(Parser *p)
{
	Cond	   *c = qalloc(p->q, sizeof(Cond));
	const Token *t;

	if (accept(p, "NOT"))
	{
		c->kind = CK_NOT;
		c->args = qalloc(p->q, sizeof(Cond *));
		c->nargs = 1;
		c->args[0] = parse_simple(p);
		return c->args[0] ? c : NULL;
	}
	if (peek(p)->kind == TK_LPAREN)
	{
		next(p);
		c = parse_cond(p);
		if (c == NULL || !expect_kind(p, TK_RPAREN))
			return NULL;
		return c;
	}
	if (!parse_path(p, &c->path) || !check_filterable(p, &c->path))
		return NULL;
	t = next(p);
	if (t->kind == TK_OP)
	{
		c->kind = CK_CMP;
		c->op = t->op;
		c->lits = qalloc(p->q, sizeof(Literal));
		c->nlits = 1;
		return parse_literal(p, &c->path, false, c->lits) ? c : NULL;
	}
	if (tok_is(t, "LIKE"))
	{
		c->kind = CK_LIKE;
		c->lits = qalloc(p->q, sizeof(Literal));
		c->nlits = 1;
		if (peek(p)->kind != TK_STRING)
		{
			unexpected(p, peek(p));
			return NULL;
		}
		if (!sf_type_is_text(c->path.field->type))
		{
			perr(p, t->pos, "INVALID_FIELD",
				 "invalid operator on field '%.*s'. LIKE is only valid on string fields",
				 c->path.tok->len, c->path.tok->start);
			return NULL;
		}
		return parse_literal(p, &c->path, true, c->lits) ? c : NULL;
	}
	if (tok_is(t, "NOT") || tok_is(t, "IN"))
	{
		int			cap = 8;

		c->kind = CK_IN;
		if (tok_is(t, "NOT"))
		{
			c->kind = CK_NOT_IN;
			if (!expect(p, "IN"))
				return NULL;
		}
		if (!expect_kind(p, TK_LPAREN))
			return NULL;
		c->lits = qalloc(p->q, sizeof(Literal) * cap);
		for (;;)
		{
			if (c->nlits == cap)
			{
				Literal    *nl = qalloc(p->q, sizeof(Literal) * cap * 2);

				memcpy(nl, c->lits, sizeof(Literal) * cap);
				c->lits = nl;
				cap *= 2;
			}
			if (!parse_literal(p, &c->path, false, &c->lits[c->nlits++]))
				return NULL;
			if (peek(p)->kind == TK_RPAREN)
				break;
			if (!expect_kind(p, TK_COMMA))
				return NULL;
		}
		next(p);
		return c;
	}
	/* IS NULL, and anything else */
	unexpected(p, t);
	return NULL;
}

/* cond := simple {AND simple} | simple {OR simple} */
static Cond *
parse_cond(Parser *p)
{
	Cond	   *first = parse_simple(p);
	Cond	   *c;
	const char *conn;
	int			cap = 4;

	if (first == NULL)
		return NULL;
	if (tok_is(peek(p), "AND"))
		conn = "AND";
	else if (tok_is(peek(p), "OR"))
		conn = "OR";
	else
		return first;
	c = qalloc(p->q, sizeof(Cond));
	c->kind = strcmp(conn, "AND") == 0 ? CK_AND : CK_OR;
	c->args = qalloc(p->q, sizeof(Cond *) * cap);
	c->args[c->nargs++] = first;
	while (accept(p, conn))
	{
		Cond	   *arg = parse_simple(p);

		if (arg == NULL)
			return NULL;
		if (c->nargs == cap)
		{
			Cond	  **na = qalloc(p->q, sizeof(Cond *) * cap * 2);

			memcpy(na, c->args, sizeof(Cond *) * cap);
			c->args = na;
			cap *= 2;
		}
		c->args[c->nargs++] = arg;
	}
	/* SOQL wants parentheses when AND and OR are mixed */
	if (tok_is(peek(p), "AND") || tok_is(peek(p), "OR"))
	{
		unexpected(p, peek(p));
		return NULL;
	}
	return c;
}

static bool
parse_int_clause(Parser *p, int64_t *out)
{
	const Token *t = next(p);

	if (t->kind != TK_NUMBER || !isdigit((unsigned char) t->start[0]) ||
		strspn(t->start, "0123456789") != (size_t) t->len)
	{
		unexpected(p, t);
		return false;
	}
	*out = strtoll(t->start, NULL, 10);
	return true;
}

SfQuery *
sf_soql_parse(const char *soql, SfError *err)
{
	Parser		ps;
	Parser	   *p = &ps;
	SfQuery    *q = calloc(1, sizeof(SfQuery));
	int			sel_start,
				sel_end;
	const Token *t;
	int			obj;

	if (q == NULL)
		abort();
	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->q = q;
	p->src = soql;
	p->err = err;
	q->limit = -1;
	if (!lex(p))
		goto fail;

	if (!expect(p, "SELECT"))
		goto fail;
	/* the select list is resolved once FROM names the object */
	sel_start = p->pos;
	{
		int			depth = 0;

		/* skip parenthesized parts: a subquery's FROM is not ours */
		while (peek(p)->kind != TK_EOF && (depth > 0 || !tok_is(peek(p), "FROM")))
		{
			depth += peek(p)->kind == TK_LPAREN;
			depth -= peek(p)->kind == TK_RPAREN && depth > 0;
			next(p);
		}
	}
	sel_end = p->pos;
	if (!expect(p, "FROM"))
		goto fail;
	t = next(p);
	if (t->kind != TK_IDENT)
	{
		unexpected(p, t);
		goto fail;
	}
	obj = memchr(t->start, '.', t->len) ? -1 : sf_find_object(t->start, t->len);
	if (obj < 0)
	{
		perr(p, t->pos, "INVALID_TYPE",
			 "sObject type '%.*s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
			 t->len, t->start);
		goto fail;
	}
	q->obj = (SfObject) obj;

	/* SELECT list: COUNT() alone, or paths separated by commas */
	if (sel_end - sel_start == 3 && tok_is(&p->toks[sel_start], "COUNT") &&
		p->toks[sel_start + 1].kind == TK_LPAREN &&
		p->toks[sel_start + 2].kind == TK_RPAREN)
		q->is_count = true;
	else
	{
		q->select = qalloc(q, sizeof(Path) * ((sel_end - sel_start) / 2 + 1));
		for (int i = sel_start; i < sel_end; i += 2)
		{
			const Token *f = &p->toks[i];

			if (f->kind == TK_LPAREN)
			{
				perr(p, f->pos, "MALFORMED_QUERY",
					 "parent-to-child subqueries are not supported by gcsim");
				goto fail;
			}
			if (f->kind != TK_IDENT || tok_is(f, "COUNT") ||
				(i + 1 < sel_end && p->toks[i + 1].kind != TK_COMMA))
			{
				unexpected(p, f->kind == TK_IDENT ? &p->toks[i + 1] : f);
				goto fail;
			}
			if (!resolve_path(p, f, &q->select[q->nselect]))
				goto fail;
			for (int k = 0; k < q->nselect; k++)
				if (path_equal(&q->select[k], &q->select[q->nselect]))
				{
					perr(p, f->pos, "MALFORMED_QUERY",
						 "duplicate field selected: %.*s", f->len, f->start);
					goto fail;
				}
			q->nselect++;
		}
		if (q->nselect == 0 || p->toks[sel_end - 1].kind == TK_COMMA)
		{
			unexpected(p, &p->toks[sel_end]);
			goto fail;
		}
	}

	if (accept(p, "WHERE"))
	{
		q->where = parse_cond(p);
		if (q->where == NULL)
			goto fail;
	}
	if (accept(p, "ORDER"))
	{
		int			cap = 4;

		if (!expect(p, "BY"))
			goto fail;
		q->order = qalloc(q, sizeof(OrderItem) * cap);
		do
		{
			OrderItem  *o;

			if (q->norder == cap)
			{
				OrderItem  *no = qalloc(q, sizeof(OrderItem) * cap * 2);

				memcpy(no, q->order, sizeof(OrderItem) * cap);
				q->order = no;
				cap *= 2;
			}
			o = &q->order[q->norder++];
			if (!parse_path(p, &o->path))
				goto fail;
			if (!o->path.field->sortable)
			{
				perr(p, o->path.tok->pos, "INVALID_FIELD",
					 "field '%s' can not be sorted in a query call",
					 o->path.field->name);
				goto fail;
			}
			if (accept(p, "DESC"))
				o->desc = true;
			else
				accept(p, "ASC");
			if (accept(p, "NULLS"))
			{
				if (accept(p, "LAST"))
					o->nulls_last = true;
				else if (!expect(p, "FIRST"))
					goto fail;
			}
		} while (peek(p)->kind == TK_COMMA && next(p));
	}
	if (accept(p, "LIMIT") && !parse_int_clause(p, &q->limit))
		goto fail;
	if (accept(p, "OFFSET"))
	{
		const Token *ot = peek(p);

		if (!parse_int_clause(p, &q->offset))
			goto fail;
		if (q->offset > SF_MAX_OFFSET)
		{
			perr(p, ot->pos, "NUMBER_OUTSIDE_VALID_RANGE",
				 "Maximum SOQL offset allowed is %d", SF_MAX_OFFSET);
			goto fail;
		}
	}
	if (peek(p)->kind != TK_EOF)
	{
		unexpected(p, peek(p));
		goto fail;
	}
	return q;

fail:
	sf_soql_free(q);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Evaluation
 * ---------------------------------------------------------------------
 */

/* value of path for row; null when a parent on the way is missing */
static void
path_value(const Path *path, int row, SfValue *v)
{
	for (int k = 0; k < path->nhops; k++)
	{
		sf_value(path->objs[k], row, path->hops[k], v);
		row = v->ref;
		if (row < 0)
		{
			memset(v, 0, sizeof(*v));
			v->kind = SFV_NULL;
			v->ref = -1;
			return;
		}
	}
	sf_value(path->objs[path->nhops], row, path->field, v);
}

static int128
scaled(const SfValue *v)
{
	int128		m = v->i;

	for (int s = v->scale; s < NUM_SCALE; s++)
		m *= 10;
	return m;
}

static bool
is_id_type(SfFieldType t)
{
	return t == SF_T_ID || t == SF_T_REFERENCE;
}

/* three-way comparison of two non-null values of one field type */
static int
compare_values(SfFieldType t, const SfValue *v, const Literal *lit)
{
	switch (v->kind)
	{
		case SFV_STRING:
			return is_id_type(t) ? strcmp(v->s, lit->s) : strcasecmp(v->s, lit->s);
		case SFV_BOOL:
			return (int) v->b - (int) lit->b;
		case SFV_NUMBER:
			{
				int128		a = scaled(v);

				return a < lit->num ? -1 : a > lit->num;
			}
		case SFV_DATE:
		case SFV_DATETIME:
			return v->i < lit->i ? -1 : v->i > lit->i;
		case SFV_NULL:
			break;
	}
	return 0;
}

/* equality as SOQL sees it: ids on their first 15 chars, nulls equal */
static bool
values_equal(SfFieldType t, const SfValue *v, const Literal *lit)
{
	if (v->kind == SFV_NULL || lit->kind == SFV_NULL)
		return v->kind == lit->kind;
	if (is_id_type(t))
		return strncmp(v->s, lit->s, 15) == 0;
	return compare_values(t, v, lit) == 0;
}

static const char *
next_char(const char *s)
{
	s++;
	while ((*s & 0xc0) == 0x80)
		s++;
	return s;
}

/* LIKE: LIKE_ANY / LIKE_ONE wildcards, ASCII case-insensitive */
static bool
like_match(const char *s, const char *pat)
{
	while (*pat)
	{
		if (*pat == LIKE_ANY)
		{
			while (*pat == LIKE_ANY)
				pat++;
			if (*pat == '\0')
				return true;
			for (;; s = next_char(s))
			{
				if (like_match(s, pat))
					return true;
				if (*s == '\0')
					return false;
			}
		}
		if (*s == '\0')
			return false;
		if (*pat == LIKE_ONE)
			s = next_char(s);
		else
		{
			if (tolower((unsigned char) *s) != tolower((unsigned char) *pat))
				return false;
			s++;
		}
		pat++;
	}
	return *s == '\0';
}

static bool
eval(const Cond *c, int row)
{
	SfValue		v;
	SfFieldType t;

	switch (c->kind)
	{
		case CK_AND:
			for (int i = 0; i < c->nargs; i++)
				if (!eval(c->args[i], row))
					return false;
			return true;
		case CK_OR:
			for (int i = 0; i < c->nargs; i++)
				if (eval(c->args[i], row))
					return true;
			return false;
		case CK_NOT:
			return !eval(c->args[0], row);
		default:
			break;
	}
	path_value(&c->path, row, &v);
	t = c->path.field->type;
	switch (c->kind)
	{
		case CK_CMP:
			{
				Literal		lit = c->lits[0];

				/* BoolField = null is BoolField = false */
				if (t == SF_T_BOOLEAN && lit.kind == SFV_NULL)
				{
					lit.kind = SFV_BOOL;
					lit.b = false;
				}
				if (c->op == OP_EQ)
					return values_equal(t, &v, &lit);
				if (c->op == OP_NE)
					return !values_equal(t, &v, &lit);
				if (v.kind == SFV_NULL || lit.kind == SFV_NULL)
					return false;
				switch (c->op)
				{
					case OP_LT:
						return compare_values(t, &v, &lit) < 0;
					case OP_LE:
						return compare_values(t, &v, &lit) <= 0;
					case OP_GT:
						return compare_values(t, &v, &lit) > 0;
					default:
						return compare_values(t, &v, &lit) >= 0;
				}
			}
		case CK_IN:
		case CK_NOT_IN:
			for (int i = 0; i < c->nlits; i++)
				if (values_equal(t, &v, &c->lits[i]))
					return c->kind == CK_IN;
			return c->kind == CK_NOT_IN;
		case CK_LIKE:
			return v.kind == SFV_STRING && like_match(v.s, c->lits[0].s);
		default:
			return false;
	}
}

static int
order_cmp(const void *pa, const void *pb, void *arg)
{
	const SfQuery *q = arg;
	int			ra = *(const int *) pa,
				rb = *(const int *) pb;

	for (int k = 0; k < q->norder; k++)
	{
		const OrderItem *o = &q->order[k];
		SfValue		va,
					vb;
		int			r;

		path_value(&o->path, ra, &va);
		path_value(&o->path, rb, &vb);
		if (va.kind == SFV_NULL || vb.kind == SFV_NULL)
		{
			if (va.kind == vb.kind)
				continue;
			r = va.kind == SFV_NULL ? -1 : 1;
			if (o->nulls_last)
				r = -r;
			return r;
		}
		else
		{
			Literal		lb = {0};

			lb.s = (char *) vb.s;
			lb.b = vb.b;
			lb.i = vb.i;
			if (vb.kind == SFV_NUMBER)
				lb.num = scaled(&vb);
			r = compare_values(o->path.field->type, &va, &lb);
		}
		if (r != 0)
			return o->desc ? -r : r;
	}
	return ra - rb;				/* row order is Id order */
}

void
sf_soql_execute(const SfQuery *q, bool all, int **rows, int *nrows)
{
	int			n = sf_nrows(q->obj);
	int		   *r = malloc(sizeof(int) * (n > 0 ? n : 1));
	int			m = 0;
	int64_t		from,
				to;

	if (r == NULL)
		abort();
	for (int row = 0; row < n; row++)
	{
		if (!all && sf_row_deleted(q->obj, row))
			continue;
		if (q->where == NULL || eval(q->where, row))
			r[m++] = row;
	}
	if (q->norder > 0)
		qsort_r(r, m, sizeof(int), order_cmp, (void *) q);
	from = q->offset < m ? q->offset : m;
	to = q->limit >= 0 && from + q->limit < m ? from + q->limit : m;
	if (from > 0)
		memmove(r, r + from, sizeof(int) * (to - from));
	*rows = r;
	*nrows = (int) (to - from);
}

/* ---------------------------------------------------------------------
 * Output
 * ---------------------------------------------------------------------
 */
static void
put_attributes(StrBuf *b, SfObject obj, int row, const char *version)
{
	sb_printf(b, "\"attributes\":{\"type\":\"%s\",\"url\":\"/services/data/v%s/sobjects/%s/%s\"}",
			   sf_objects[obj].name, version, sf_objects[obj].name,
			   sf_row_id(obj, row));
}

static void
put_value(StrBuf *b, const SfFieldDef *f, const SfValue *v)
{
	char		buf[64];

	switch (v->kind)
	{
		case SFV_NULL:
			sb_puts(b, "null");
			break;
		case SFV_STRING:
			sb_json_str(b, v->s);
			break;
		case SFV_BOOL:
			sb_puts(b, v->b ? "true" : "false");
			break;
		case SFV_NUMBER:
			if (f->type == SF_T_INT)
				sb_printf(b, "%lld", (long long) v->i);
			else
			{
				sf_format_java_double(buf, sizeof(buf), v->i, v->scale);
				sb_puts(b, buf);
			}
			break;
		case SFV_DATE:
			sf_format_date(buf, v->i);
			sb_printf(b, "\"%s\"", buf);
			break;
		case SFV_DATETIME:
			sf_format_datetime(buf, v->i);
			sb_printf(b, "\"%s\"", buf);
			break;
	}
}

/*
 * Writes the members of record `row` of obj for the select items whose
 * path goes past `depth` hops; items sharing a relationship at this depth
 * become one nested object (or null), at the place of the first of them.
 */
static void
put_members(StrBuf *b, const SfQuery *q, const int *items, int nitems,
			int depth, SfObject obj, int row, const char *version)
{
	for (int i = 0; i < nitems; i++)
	{
		const Path *pi = &q->select[items[i]];
		const SfFieldDef *rel;
		SfValue		v;
		int		   *sub;
		int			nsub = 0;
		bool		seen = false;

		sb_putc(b, ',');
		if (pi->nhops == depth)
		{
			sb_json_str(b, pi->field->name);
			sb_putc(b, ':');
			sf_value(obj, row, pi->field, &v);
			put_value(b, pi->field, &v);
			continue;
		}
		rel = pi->hops[depth];
		for (int j = 0; j < i && !seen; j++)
			seen = q->select[items[j]].nhops > depth &&
				q->select[items[j]].hops[depth] == rel;
		if (seen)
		{
			b->len--;			/* the comma */
			b->data[b->len] = '\0';
			continue;
		}
		sb_json_str(b, rel->rel_name);
		sb_putc(b, ':');
		sf_value(obj, row, rel, &v);
		if (v.ref < 0)
		{
			sb_puts(b, "null");
			continue;
		}
		/* every item through the same relationship, however many */
		sub = malloc(sizeof(int) * (size_t) (nitems - i));
		if (!sub)
			abort();
		for (int j = i; j < nitems; j++)
			if (q->select[items[j]].nhops > depth &&
				q->select[items[j]].hops[depth] == rel)
				sub[nsub++] = items[j];
		sb_putc(b, '{');
		put_attributes(b, rel->ref_obj, v.ref, version);
		put_members(b, q, sub, nsub, depth + 1, rel->ref_obj, v.ref, version);
		free(sub);
		sb_putc(b, '}');
	}
}

void
sf_soql_record_json(StrBuf *b, const SfQuery *q, int row, const char *version)
{
	int		   *items = malloc(sizeof(int) * (size_t) (q->nselect + 1));

	if (!items)
		abort();
	for (int i = 0; i < q->nselect; i++)
		items[i] = i;
	sb_putc(b, '{');
	put_attributes(b, q->obj, row, version);
	put_members(b, q, items, q->nselect, 0, q->obj, row, version);
	sb_putc(b, '}');
	free(items);
}
