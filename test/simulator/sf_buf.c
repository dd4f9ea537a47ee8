/*-------------------------------------------------------------------------
 *
 * sf_buf.c
 *		Salesforce's value encodings (datetimes, Java-style doubles),
 *		base64 and HMAC-SHA256 for the Salesforce side of gcsim.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_buf.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

/* ---------------------------------------------------------------------
 * Dates and times (UTC): the civil arithmetic and the ISO-8601 text are
 * sim_util.c's; Salesforce differs only in its +0000 offset
 * ---------------------------------------------------------------------
 */
void
sf_format_datetime(char *buf, int64_t ms)
{
	sim_format_ts(buf, ms);
	memcpy(buf + 23, "+0000", 6);
}

void
sf_format_date(char *buf, int64_t day)
{
	sim_format_date(buf, day * MS_PER_DAY);
}

/* ---------------------------------------------------------------------
 * Numbers
 * ---------------------------------------------------------------------
 */

/* decimal digits of |mantissa| into digits (no sign), returns count */
static int
abs_digits(int64_t mantissa, char *digits)
{
	uint64_t	u = mantissa < 0 ? (uint64_t) 0 - (uint64_t) mantissa : (uint64_t) mantissa;

	return sprintf(digits, "%llu", (unsigned long long) u);
}

void
sf_format_decimal(char *buf, size_t buflen, int64_t mantissa, int scale)
{
	char		digits[32];
	int			n = abs_digits(mantissa, digits);
	char		tmp[64];
	int			o = 0;

	if (mantissa < 0)
		tmp[o++] = '-';
	if (n <= scale)
	{
		tmp[o++] = '0';
		if (scale > 0)
			tmp[o++] = '.';
		for (int i = 0; i < scale - n; i++)
			tmp[o++] = '0';
		memcpy(tmp + o, digits, n);
		o += n;
	}
	else
	{
		memcpy(tmp + o, digits, n - scale);
		o += n - scale;
		if (scale > 0)
		{
			tmp[o++] = '.';
			memcpy(tmp + o, digits + n - scale, scale);
			o += scale;
		}
	}
	tmp[o] = '\0';
	snprintf(buf, buflen, "%s", tmp);
}

/*
 * Java's Double.toString: plain "123.45" (at least one decimal) for
 * 10^-3 <= |x| < 10^7, else "d.dddE<exp>" with the shortest digits.
 */
void
sf_format_java_double(char *buf, size_t buflen, int64_t mantissa, int scale)
{
	char		digits[32];
	int			n = abs_digits(mantissa, digits);
	int			exp10;			/* x = 0.d1d2... * 10^exp10 */
	int			nd;
	char		tmp[64];
	int			o = 0;

	if (mantissa == 0)
	{
		snprintf(buf, buflen, "0.0");
		return;
	}
	exp10 = n - scale;
	nd = n;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (mantissa < 0)
		tmp[o++] = '-';
	if (exp10 > 7 || exp10 < -2)
	{
		/* computerized scientific notation */
		tmp[o++] = digits[0];
		tmp[o++] = '.';
		if (nd > 1)
		{
			memcpy(tmp + o, digits + 1, nd - 1);
			o += nd - 1;
		}
		else
			tmp[o++] = '0';
		o += sprintf(tmp + o, "E%d", exp10 - 1);
	}
	else if (exp10 <= 0)
	{
		tmp[o++] = '0';
		tmp[o++] = '.';
		for (int i = 0; i < -exp10; i++)
			tmp[o++] = '0';
		memcpy(tmp + o, digits, nd);
		o += nd;
	}
	else
	{
		memcpy(tmp + o, digits, exp10 <= nd ? exp10 : nd);
		o += exp10 <= nd ? exp10 : nd;
		for (int i = nd; i < exp10; i++)
			tmp[o++] = '0';
		tmp[o++] = '.';
		if (nd > exp10)
		{
			memcpy(tmp + o, digits + exp10, nd - exp10);
			o += nd - exp10;
		}
		else
			tmp[o++] = '0';
	}
	tmp[o] = '\0';
	snprintf(buf, buflen, "%s", tmp);
}

/* ---------------------------------------------------------------------
 * base64
 * ---------------------------------------------------------------------
 */
static const char b64chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
sf_base64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t		i;

	for (i = 0; i + 2 < len; i += 3)
	{
		*out++ = b64chars[in[i] >> 2];
		*out++ = b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = b64chars[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = b64chars[in[i + 2] & 63];
	}
	if (i < len)
	{
		*out++ = b64chars[in[i] >> 2];
		if (i + 1 < len)
		{
			*out++ = b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*out++ = b64chars[(in[i + 1] & 15) << 2];
		}
		else
		{
			*out++ = b64chars[(in[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

int
sf_base64_decode(const char *in, unsigned char *out, size_t outcap,
				 size_t *outlen)
{
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		o = 0;

	for (; *in && *in != '='; in++)
	{
		const char *p = strchr(b64chars, *in);

		if (p == NULL || *in == '\0')
			return -1;
		acc = (acc << 6) | (uint32_t) (p - b64chars);
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (unsigned char) (acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

/* ---------------------------------------------------------------------
 * SHA-256 (FIPS 180-4) and HMAC
 * ---------------------------------------------------------------------
 */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

typedef struct Sha256
{
	uint32_t	h[8];
	unsigned char block[64];
	size_t		blen;
	uint64_t	total;
} Sha256;

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(Sha256 *s, const unsigned char *p)
{
	uint32_t	w[64],
				a,
				b,
				c,
				d,
				e,
				f,
				g,
				h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
			(uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
			w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++)
	{
		uint32_t	t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		uint32_t	t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			((a & b) ^ (a & c) ^ (b & c));

		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void
sha256_init(Sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(s->h, iv, sizeof(iv));
	s->blen = 0;
	s->total = 0;
}

static void
sha256_update(Sha256 *s, const unsigned char *p, size_t n)
{
	s->total += n;
	while (n > 0)
	{
		size_t		k = 64 - s->blen < n ? 64 - s->blen : n;

		memcpy(s->block + s->blen, p, k);
		s->blen += k;
		p += k;
		n -= k;
		if (s->blen == 64)
		{
			sha256_block(s, s->block);
			s->blen = 0;
		}
	}
}

static void
sha256_final(Sha256 *s, unsigned char out[32])
{
	uint64_t	bits = s->total * 8;
	unsigned char pad = 0x80;
	unsigned char len[8];

	sha256_update(s, &pad, 1);
	pad = 0;
	while (s->blen != 56)
		sha256_update(s, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char) (bits >> (56 - 8 * i));
	sha256_update(s, len, 8);
	for (int i = 0; i < 8; i++)
	{
		out[4 * i] = (unsigned char) (s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char) (s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char) (s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char) s->h[i];
	}
}

void
sf_hmac_sha256(const unsigned char *key, size_t keylen,
			   const unsigned char *msg, size_t msglen, unsigned char out[32])
{
	unsigned char k[64] = {0};
	unsigned char pad[64];
	unsigned char inner[32];
	Sha256		s;

	if (keylen > 64)
	{
		sha256_init(&s);
		sha256_update(&s, key, keylen);
		sha256_final(&s, k);
	}
	else
		memcpy(k, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, msg, msglen);
	sha256_final(&s, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, inner, 32);
	sha256_final(&s, out);
}
