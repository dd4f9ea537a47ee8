/*-------------------------------------------------------------------------
 *
 * isotime.h
 *		ISO-8601 times as the APIs write them (util/isotime.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/isotime.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_ISOTIME_H
#define GCA_ISOTIME_H

#include "datatype/timestamp.h"

/*
 * Parses "2024-04-29T17:30:43.090Z" (also ' ' for 'T', +hh:mm, +hhmm or no
 * zone) of len bytes into Unix epoch milliseconds; false for anything
 * else, impossible dates included.
 */
extern bool gca_parse_iso8601_ms(const char *s, int len, int64 *ms);
/* Unix epoch milliseconds to a timestamptz. */
extern TimestampTz gca_ms_to_timestamptz(int64 ms);
/* The same for a NUL-terminated string, into a timestamptz. */
extern bool gca_parse_iso_time(const char *s, TimestampTz *result);
/* The first UTC midnight after t. */
extern TimestampTz gca_next_utc_midnight(TimestampTz t);
/* Writes t as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into buf (32 bytes). */
extern void gca_format_iso_time(TimestampTz t, char *buf);

#endif							/* GCA_ISOTIME_H */
