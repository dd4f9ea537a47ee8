/*-------------------------------------------------------------------------
 *
 * url.c
 *		Which API URLs are acceptable, and percent-encoding.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/util/url.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "url.h"

/* gcanalytics.allow_loopback_http (defined in gcanalytics.c) */
bool		gca_allow_loopback_http = false;

static bool
is_loopback_host(const char *host, size_t len)
{
	if (len == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	if (len == 5 && strncmp(host, "[::1]", 5) == 0)
		return true;
	if (len >= 4 && strncmp(host, "127.", 4) == 0)
	{
		size_t		i;

		for (i = 4; i < len; i++)
			if (!isdigit((unsigned char) host[i]) && host[i] != '.')
				return false;
		return true;
	}
	return false;
}

bool
gca_url_is_allowed(const char *url, const char **why)
{
	const char *host;
	size_t		hostlen;
	bool		https;

	if (strncmp(url, "https://", 8) == 0)
	{
		https = true;
		host = url + 8;
	}
	else if (strncmp(url, "http://", 7) == 0)
	{
		https = false;
		host = url + 7;
	}
	else
	{
		*why = "The URL must start with https://.";
		return false;
	}

	if (host[0] == '[')
		hostlen = strcspn(host, "]") + 1;
	else
		hostlen = strcspn(host, ":/");
	if (hostlen == 0 || hostlen > strlen(host))
	{
		*why = "The URL has no host.";
		return false;
	}
	if (strpbrk(url, "@?# \t\r\n"))
	{
		*why = "The URL must not contain credentials, a query string, a fragment or spaces.";
		return false;
	}
	if (!https && !(gca_allow_loopback_http && is_loopback_host(host, hostlen)))
	{
		*why = gca_allow_loopback_http
			? "Plain http:// is accepted only for loopback hosts (127.0.0.1, localhost, [::1]); use https://."
			: "Plain http:// is accepted only for loopback hosts, and only when a superuser sets gcanalytics.allow_loopback_http = on (for a local simulator); use https://.";
		return false;
	}
	return true;
}

void
gca_append_url_escaped(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
			appendStringInfoChar(buf, (char) c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}

void
gca_append_form_field(StringInfo buf, const char *name, const char *value)
{
	if (buf->len > 0)
		appendStringInfoChar(buf, '&');
	appendStringInfo(buf, "%s=", name);
	gca_append_url_escaped(buf, value);
}
