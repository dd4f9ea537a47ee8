/*-------------------------------------------------------------------------
 *
 * pg_shim.h
 *		What a fuzz target needs from the test-only PostgreSQL shim
 *		(pg_shim.c): a per-input arena behind palloc, and a guard that
 *		turns an ERROR raised by the code under test into a return.
 *
 * The shim provides the few backend symbols the parsers call (palloc and
 * friends over malloc, ereport/elog, cstring_to_text, construct_array,
 * the jsonb builder, numeric_in, type input functions) and checks the
 * invariants PostgreSQL relies on without checking them itself: text and
 * jsonb strings validly encoded UTF-8 without NUL bytes, jsonb numbers
 * finite, jsonb built in a well-formed order.  A broken invariant aborts
 * (a finding); an ERROR is an acceptable answer to bad input.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/fuzz/pg_shim.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_PG_SHIM_H
#define GCA_PG_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* Frees everything palloc'd since the last call. */
extern void fuzz_arena_reset(void);

/* A finding: prints why and aborts. */
extern void fuzz_finding(const char *fmt,...) pg_attribute_printf(1, 2);

/* The message of the last ERROR caught, for targets that check it. */
extern const char *fuzz_last_error(void);

/*
 * FUZZ_GUARDED(stmt): runs stmt; an ERROR raised inside ends it (as
 * PG_TRY would) and leaves fuzz_last_error() set.  Evaluates to true when
 * stmt finished.
 */
#define FUZZ_GUARDED(stmt) \
	({ \
		sigjmp_buf *save_ = PG_exception_stack; \
		sigjmp_buf	jb_; \
		bool		ok_ = true; \
		if (sigsetjmp(jb_, 0) == 0) \
		{ \
			PG_exception_stack = &jb_; \
			stmt; \
		} \
		else \
			ok_ = false; \
		PG_exception_stack = save_; \
		ok_; \
	})

/* Splits an input: the next byte (0 when exhausted). */
static inline uint8_t
fuzz_take_byte(const uint8_t **data, size_t *size)
{
	uint8_t		b;

	if (*size == 0)
		return 0;
	b = **data;
	(*data)++;
	(*size)--;
	return b;
}

#endif							/* GCA_PG_SHIM_H */
