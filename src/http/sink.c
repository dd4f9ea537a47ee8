/*-------------------------------------------------------------------------
 *
 * sink.c
 *		Where a response goes: the in-memory sink, and the curl callbacks
 *		that hand an attempt's body to its call's sink and read its
 *		headers.
 *
 * The callbacks run inside curl_multi_perform() and must never throw: an
 * error raised by a sink is caught, kept in the call's bookkeeping and
 * raised again once curl has returned (engine.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/http/sink.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "http_internal.h"

/* ---------------------------------------------------------------------
 * The in-memory sink
 * ---------------------------------------------------------------------
 */

static void
buffer_reset(void *arg)
{
	GcaBufferSink *buf = (GcaBufferSink *) arg;

	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

static bool
buffer_write(void *arg, const char *data, size_t len)
{
	GcaBufferSink *buf = (GcaBufferSink *) arg;

	if (buf->len + len > buf->max)
		return false;
	if (buf->len + len + 1 > buf->cap)
	{
		size_t		cap = Max(buf->cap * 2, buf->len + len + 1);

		cap = Max(cap, 1024);
		if (buf->data)
			buf->data = repalloc(buf->data, cap);
		else
			buf->data = MemoryContextAlloc(buf->cxt, cap);
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

/*
 * Sets sink to collect a whole body into buf, palloc'd in the current
 * memory context, refusing bodies over max bytes.
 */
void
gca_buffer_sink_init(GcaSink *sink, GcaBufferSink *buf, size_t max)
{
	memset(buf, 0, sizeof(*buf));
	buf->max = max;
	buf->cxt = CurrentMemoryContext;
	sink->reset = buffer_reset;
	sink->write = buffer_write;
	sink->arg = buf;
}

/* ---------------------------------------------------------------------
 * curl callbacks
 * ---------------------------------------------------------------------
 */

/*
 * Hands data to the call's sink; false if the sink refused it or raised
 * an error (kept in priv->sink_error, raised again after the transfer).
 */
static bool
sink_write(GcaCallPriv *priv, const char *data, size_t len)
{
	GcaSink    *sink = &priv->call->sink;
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = false;

	if (sink->write == NULL)
		return true;
	PG_TRY();
	{
		ok = sink->write(sink->arg, data, len);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(priv->engine->client->cxt);
		priv->sink_error = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(oldcxt);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * CURLOPT_WRITEFUNCTION of every attempt (arg: its GcaCallPriv): a 2xx
 * body goes to the call's sink, the beginning of any other body is kept
 * for the error message.  Never throws; returns 0 (a write error) when
 * the sink refused the data.
 */
size_t
gca_curl_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	GcaCallPriv *priv = (GcaCallPriv *) arg;
	size_t		len = size * nmemb;
	long		status = 0;

	curl_easy_getinfo(priv->easy, CURLINFO_RESPONSE_CODE, &status);
	priv->bytes += len;

	if (status >= 200 && status < 300)
	{
		if (!sink_write(priv, data, len))
		{
			priv->sink_failed = true;
			return 0;			/* CURLE_WRITE_ERROR */
		}
		return len;
	}

	/* a non-2xx body: keep its beginning for the error message */
	if (priv->errlen < GCA_ERRBODY_MAX - 1)
	{
		size_t		n = Min(len, GCA_ERRBODY_MAX - 1 - priv->errlen);

		memcpy(priv->errbody + priv->errlen, data, n);
		priv->errlen += n;
		priv->errbody[priv->errlen] = '\0';
	}
	return len;
}

/* true if the header line starts with name (case-insensitive) and ':' */
static const char *
header_value(const char *line, size_t len, const char *name)
{
	size_t		nlen = strlen(name);

	if (len <= nlen || line[nlen] != ':' ||
		pg_strncasecmp(line, name, nlen) != 0)
		return NULL;
	line += nlen + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Forgets what the headers of a response said.  Never throws. */
void
gca_response_headers_reset(GcaCallPriv *priv)
{
	priv->retry_after_s = -1;
	priv->correlation_id[0] = '\0';
	priv->limit_info[0] = '\0';
	priv->rl_count = priv->rl_allowed = priv->rl_reset = -1;
}

/*
 * CURLOPT_HEADERFUNCTION of every attempt: keeps the headers the client
 * reads (correlation id, Retry-After, the APIs' rate-limit usage).  Never
 * throws.
 */
size_t
gca_curl_header_cb(char *buffer, size_t size, size_t nitems, void *arg)
{
	GcaCallPriv *priv = (GcaCallPriv *) arg;
	size_t		len = size * nitems;
	const char *v;
	size_t		vlen;

	/* a new response (e.g. after "100 Continue"): forget earlier headers */
	if (len >= 5 && strncmp(buffer, "HTTP/", 5) == 0)
	{
		gca_response_headers_reset(priv);
		return len;
	}

	if ((v = header_value(buffer, len, "ININ-Correlation-Id")) != NULL)
	{
		vlen = strcspn(v, "\r\n");
		vlen = Min(vlen, sizeof(priv->correlation_id) - 1);
		memcpy(priv->correlation_id, v, vlen);
		priv->correlation_id[vlen] = '\0';
	}
	else if ((v = header_value(buffer, len, "Retry-After")) != NULL)
	{
		/* seconds; the HTTP-date form is not used by these APIs */
		if (*v >= '0' && *v <= '9')
			priv->retry_after_s = (int) Min(strtol(v, NULL, 10), 86400 * 7);
	}
	else if ((v = header_value(buffer, len, "inin-ratelimit-count")) != NULL)
		priv->rl_count = atoi(v);
	else if ((v = header_value(buffer, len, "inin-ratelimit-allowed")) != NULL)
		priv->rl_allowed = atoi(v);
	else if ((v = header_value(buffer, len, "inin-ratelimit-reset")) != NULL)
		priv->rl_reset = atoi(v);
	else if ((v = header_value(buffer, len, "Sforce-Limit-Info")) != NULL)
	{
		/* "api-usage=18/15000", perhaps with more parts */
		vlen = strcspn(v, "\r\n");
		vlen = Min(vlen, sizeof(priv->limit_info) - 1);
		memcpy(priv->limit_info, v, vlen);
		priv->limit_info[vlen] = '\0';
	}
	return len;
}

/*
 * CURLOPT_XFERINFOFUNCTION of every attempt: aborts the transfer when an
 * interrupt is pending, so that CHECK_FOR_INTERRUPTS() raises the real
 * error (cancel or statement_timeout).
 */
int
gca_curl_xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
			curl_off_t ultotal, curl_off_t ulnow)
{
	/* abort the transfer; CHECK_FOR_INTERRUPTS() raises the real error */
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}
