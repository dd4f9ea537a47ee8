/*
 * error_body: the readers of API error bodies (src/http/errbody.c):
 * gca_error_body_text and gca_error_body_has_code.
 */
#include "postgres.h"

#include "../../../src/http/http_internal.h"
#include "pg_shim.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = NULL;
	bool		has;

	(void) FUZZ_GUARDED(text = gca_error_body_text((const char *) data, size));
	if (text != NULL)
		(void) strlen(text);
	has = gca_error_body_has_code((const char *) data, size, "INVALID_SESSION_ID");
	/* a body that has the code says it in its text */
	if (has && (text == NULL || strstr(text, "INVALID_SESSION_ID") == NULL))
		fuzz_finding("has_code found a code that the text does not show");
	fuzz_arena_reset();
	return 0;
}
