/*-------------------------------------------------------------------------
 *
 * gcanalytics.c
 *		Module entry point: settings and one-time library set-up.
 *
 * Works whether or not the library is in shared_preload_libraries; only
 * the shared rate budget needs preloading (see http/ratelimit.c).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/gcanalytics.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "fdw.h"
#include "gcanalytics.h"
#include "http.h"
#include "url.h"

PG_MODULE_MAGIC;

int			gca_http_timeout_ms = 30000;
int			gca_http_connect_timeout_ms = 5000;
int			gca_max_retries = 5;
int			gca_retry_max_wait_ms = 180000;
int			gca_max_scan_requests = 10000;	/* in force: the lower of the two below */
static int	max_scan_requests_set = 10000;
static int	max_scan_requests_ceiling = 10000;

PG_FUNCTION_INFO_V1(gcanalytics_version);

void		_PG_init(void);

/*
 * gcanalytics.max_scan_requests above gcanalytics.max_scan_requests_ceiling
 * (a superuser's setting) is refused when SET, and capped when it comes
 * from elsewhere (a role's or the connection's settings): no session takes
 * more of a server's shared rate budget than a superuser allows.
 */
static bool
check_max_scan_requests(int *newval, void **extra, GucSource source)
{
	if (source >= PGC_S_INTERACTIVE && *newval > max_scan_requests_ceiling)
	{
		GUC_check_errdetail("gcanalytics.max_scan_requests_ceiling is %d.",
							max_scan_requests_ceiling);
		GUC_check_errhint("A superuser can raise gcanalytics.max_scan_requests_ceiling.");
		return false;
	}
	return true;
}

static void
assign_max_scan_requests(int newval, void *extra)
{
	gca_max_scan_requests = Min(newval, max_scan_requests_ceiling);
}

static void
assign_max_scan_requests_ceiling(int newval, void *extra)
{
	gca_max_scan_requests = Min(max_scan_requests_set, newval);
}

/*
 * Defines the settings, reserves the "gcanalytics." prefix, initialises
 * libcurl once per process and, when preloaded, asks for the shared
 * memory of the rate budget.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("gcanalytics.http_timeout_ms",
							"Sets the default total time limit of one HTTP request.",
							"Used when the server has no timeout_ms option.",
							&gca_http_timeout_ms,
							30000, 100, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gcanalytics.http_connect_timeout_ms",
							"Sets the default time limit for connecting to an API host.",
							"Used when the server has no connect_timeout_ms option.",
							&gca_http_connect_timeout_ms,
							5000, 100, 600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gcanalytics.max_retries",
							"Sets the default number of retries of a failed request.",
							"Used when the server has no max_retries option. "
							"429, 5xx, timeouts and connection resets are retried.",
							&gca_max_retries,
							5, 0, 100,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gcanalytics.retry_max_wait_ms",
							"Sets the longest single wait before a retry.",
							"A Retry-After longer than this fails the request instead of waiting.",
							&gca_retry_max_wait_ms,
							180000, 0, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("gcanalytics.max_scan_requests",
							"Sets the most API requests one foreign scan may be estimated to send.",
							"A scan estimated to need more is refused before it sends anything, "
							"so that a missing or mistyped bound does not crawl years of history.",
							&max_scan_requests_set,
							10000, 1, INT_MAX,
							PGC_USERSET, 0,
							check_max_scan_requests, assign_max_scan_requests, NULL);
	DefineCustomIntVariable("gcanalytics.max_scan_requests_ceiling",
							"Sets the highest gcanalytics.max_scan_requests a session may use.",
							"Only superusers can change it.",
							&max_scan_requests_ceiling,
							10000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, assign_max_scan_requests_ceiling, NULL);
	DefineCustomBoolVariable("gcanalytics.allow_loopback_http",
							 "Allows plain http:// API URLs on loopback hosts.",
							 "For a local simulator only; every other URL needs https://. "
							 "Only superusers can change it.",
							 &gca_allow_loopback_http,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	gca_progress_shmem_init();
	/* defines gcanalytics.rate_budget_slots: before the prefix is reserved */
	gca_ratelimit_shmem_init();
	MarkGUCPrefixReserved("gcanalytics");

	gca_http_init();
}

/*
 * gcanalytics.version() returns the version of the loaded library.
 */
Datum
gcanalytics_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GCA_VERSION));
}
