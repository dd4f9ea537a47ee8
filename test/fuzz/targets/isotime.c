/*
 * isotime: the ISO-8601 parser (src/util/isotime.c).  Whatever it accepts
 * must lie in years 1..9999 (give or take a zone offset) and survive a
 * round trip through the formatter.
 */
#include "postgres.h"

#include "isotime.h"
#include "pg_shim.h"

/* 0001-01-01 and 10000-01-01 as Unix ms, a day of slack for offsets */
#define MIN_MS	(INT64CONST(-62135596800000) - INT64CONST(86400000))
#define MAX_MS	(INT64CONST(253402300800000) + INT64CONST(86400000))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64		ms;
	int64		again;
	char		buf[32];
	char	   *copy;
	TimestampTz t;

	if (size > 256)
		return 0;
	if (gca_parse_iso8601_ms((const char *) data, (int) size, &ms))
	{
		if (ms < MIN_MS || ms > MAX_MS)
			fuzz_finding("accepted time out of range: " INT64_FORMAT " ms", ms);
		if (ms >= INT64CONST(-62135596800000) && ms < INT64CONST(253402300800000))
		{
			gca_format_iso_time(gca_ms_to_timestamptz(ms), buf);
			if (!gca_parse_iso8601_ms(buf, strlen(buf), &again) || again != ms)
				fuzz_finding("round trip of " INT64_FORMAT " ms through \"%s\" fails", ms, buf);
		}
	}
	/* the NUL-terminated form agrees, up to the first NUL */
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (gca_parse_iso_time(copy, &t) &&
		(memchr(data, 0, size) == NULL) &&
		(!gca_parse_iso8601_ms(copy, (int) size, &ms) || t != gca_ms_to_timestamptz(ms)))
		fuzz_finding("gca_parse_iso_time and gca_parse_iso8601_ms disagree");
	free(copy);
	fuzz_arena_reset();
	return 0;
}
