/*-------------------------------------------------------------------------
 *
 * gc_truth.c
 *		`gcsim truth` (skeleton).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_truth.c
 *
 *-------------------------------------------------------------------------
 */
#include "gc.h"

int
gc_write_truth(const char *dir, int64_t from_ms, int64_t to_ms)
{
	(void) dir;
	(void) from_ms;
	(void) to_ms;
	return 0;
}
