/*-------------------------------------------------------------------------
 *
 * phone.c
 *		gcanalytics.normalize_phone(text [, default_country_code text]):
 *		a phone number as written by people, CRMs or Genesys ("tel:+1555...")
 *		to E.164 ("+15551234567"), or NULL when it cannot be one.
 *
 * Rules, in order:
 *	- "tel:", "sip:" and "sips:" prefixes go; a SIP URI keeps its user part
 *	  (before '@'); URI parameters (";ext=...") go.
 *	- An extension ("x12", "ext. 12", "#12") goes: E.164 has none.
 *	- Allowed besides digits: spaces, - . ( ) /, one leading '+', and the
 *	  trunk "(0)" after an international prefix ("+44 (0)20 ...").  Any
 *	  other character (letters included) makes the result NULL.
 *	- International forms: '+', "00", or "011" when the default country is
 *	  1 (NANP).  Otherwise the number is national: with country 1 it must
 *	  have 10 digits (or 11 starting with 1); with another country one
 *	  leading trunk 0 is dropped and the country code put in front.
 *	- The result has 7 to 15 digits, no leading 0; a +1 number has exactly
 *	  10 digits after the 1 and an area code starting with 2-9.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/kpi/phone.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "kpi.h"

PG_FUNCTION_INFO_V1(gcanalytics_normalize_phone);

#define PHONE_MAX_INPUT 256		/* longer input is not a phone number */
#define E164_MIN_DIGITS 7
#define E164_MAX_DIGITS 15

/*
 * Checks and canonicalises the default country code ("1", "+44"); returns
 * the digits (palloc'd).  Errors (22023) when it is not 1-3 digits.
 */
static char *
country_code(text *t)
{
	char	   *s = text_to_cstring(t);
	char	   *p = s;
	int			n = 0;

	while (*p == ' ')
		p++;
	if (*p == '+')
		p++;
	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < 1 || n > 3 || p[0] == '0' || p[n] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid default country code \"%s\"", s),
				 errdetail("A country code is one to three digits, not starting with 0."),
				 errhint("Use for example '1' (North America) or '44' (United Kingdom).")));
	return pnstrdup(p, n);
}

/*
 * The dialable part of a lower-cased phone text s (modified in place): a
 * tel:, sip: or sips: URI's number, without URI parameters (;...) and
 * extensions (ext, x, #), leading blanks skipped.
 */
static char *
dialable_part(char *s)
{
	char	   *d;

	/* URI forms */
	if (strncmp(s, "tel:", 4) == 0)
		s += 4;
	else if (strncmp(s, "sip:", 4) == 0 || strncmp(s, "sips:", 5) == 0)
	{
		s = strchr(s, ':') + 1;
		if ((d = strchr(s, '@')) != NULL)
			*d = '\0';
	}
	if ((d = strchr(s, ';')) != NULL)
		*d = '\0';
	/* extensions */
	if ((d = strstr(s, "ext")) != NULL)
		*d = '\0';
	if ((d = strchr(s, 'x')) != NULL)
		*d = '\0';
	if ((d = strchr(s, '#')) != NULL)
		*d = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Normalises in[0..len) with default country cc into out (at least
 * E164_MAX_DIGITS + 2 bytes).  Returns false when it is not a phone number.
 */
static bool
normalize(const char *in, int len, const char *cc, char *out)
{
	char		buf[PHONE_MAX_INPUT + 1];
	char		digits[PHONE_MAX_INPUT + 1];
	int			nd = 0;
	int			n = 0;
	bool		plus = false;
	bool		international;
	char	   *s,
			   *d;
	int			ccl = strlen(cc);
	int			total;

	if (len > PHONE_MAX_INPUT)
		return false;
	for (int i = 0; i < len; i++)
		buf[n++] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + ('a' - 'A') : in[i];
	buf[n] = '\0';
	s = buf;
	while (*s == ' ' || *s == '\t')
		s++;

	s = dialable_part(s);
	if (*s == '+')
	{
		plus = true;
		s++;
	}
	for (; *s; s++)
	{
		char		c = *s;

		if (c >= '0' && c <= '9')
			digits[nd++] = c;
		else if (c == '(' && s[1] == '0' && s[2] == ')' &&
				 (plus || (nd >= 2 && digits[0] == '0' && digits[1] == '0')))
			s += 2;				/* "+44 (0)20": the trunk 0, dropped */
		else if (c != ' ' && c != '\t' && c != '-' && c != '.' &&
				 c != '(' && c != ')' && c != '/')
			return false;
	}
	digits[nd] = '\0';
	d = digits;

	international = plus;
	if (!international && nd > 2 && d[0] == '0' && d[1] == '0')
	{
		d += 2;
		international = true;
	}
	else if (!international && strcmp(cc, "1") == 0 && nd > 3 &&
			 strncmp(d, "011", 3) == 0)
	{
		d += 3;
		international = true;
	}

	if (international)
		snprintf(out, E164_MAX_DIGITS + 2, "+%s", d);
	else if (strcmp(cc, "1") == 0)
	{
		if (nd == 11 && d[0] == '1')
			d++;
		if (strlen(d) != 10)
			return false;
		snprintf(out, E164_MAX_DIGITS + 2, "+1%s", d);
	}
	else
	{
		if (d[0] == '0')
			d++;
		if (strlen(d) + ccl > E164_MAX_DIGITS)
			return false;
		snprintf(out, E164_MAX_DIGITS + 2, "+%s%s", cc, d);
	}

	total = strlen(d) + (international ? 0 : (strcmp(cc, "1") == 0 ? 1 : ccl));
	if (total < E164_MIN_DIGITS || total > E164_MAX_DIGITS || out[1] == '0')
		return false;
	/* NANP: +1, ten digits, area code 2-9xx */
	if (out[1] == '1' && (strlen(out) != 12 || out[2] < '2'))
		return false;
	return true;
}

/*
 * normalize_phone(phone text, default_country_code text DEFAULT '1')
 * returns text (E.164) or NULL.  STRICT, IMMUTABLE.
 */
Datum
gcanalytics_normalize_phone(PG_FUNCTION_ARGS)
{
	text	   *phone = PG_GETARG_TEXT_PP(0);
	char	   *cc = country_code(PG_GETARG_TEXT_PP(1));
	char		out[E164_MAX_DIGITS + 2];

	if (!normalize(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone), cc, out))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(out));
}
