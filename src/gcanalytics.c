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
#include "utils/memutils.h"

#include "fdw.h"
#include "gcanalytics.h"
#include "http.h"
#include "url.h"

PG_MODULE_MAGIC;

int			gca_http_timeout_ms = 30000;
int			gca_http_connect_timeout_ms = 5000;
int			gca_max_retries = 5;	/* in force: see CappedSetting */
int			gca_retry_max_wait_ms = 180000;
int			gca_max_scan_requests = 10000;	/* in force: see CappedSetting */

PG_FUNCTION_INFO_V1(gcanalytics_version);

void		_PG_init(void);

/*
 * A setting that lets one session take more of a shared budget (a
 * server's rate budget, which every session using the server draws from)
 * has a ceiling that only superusers can change: a value above it is
 * refused when SET (or a function's SET clause), and capped when it comes
 * from elsewhere (a role's, a database's or the connection's settings).
 * The value in force is the lower of the two; SHOW gives the value set.
 * gcanalytics.max_scan_requests (requests of one scan) and
 * gcanalytics.max_retries (each retry is one more request) are such
 * settings; the time limits are not (a wait takes no request from the
 * budget, and a shorter limit only makes more attempts, which
 * max_retries bounds).
 */
typedef struct CappedSetting
{
	const char *name;
	const char *ceiling_name;
	int			set;			/* the value the session set */
	int			ceiling;
	int		   *in_force;
} CappedSetting;

enum
{
	CAPPED_MAX_SCAN_REQUESTS,
	CAPPED_MAX_RETRIES
};

static CappedSetting capped[] = {
	[CAPPED_MAX_SCAN_REQUESTS] = {"gcanalytics.max_scan_requests",
		"gcanalytics.max_scan_requests_ceiling", 10000, 10000, &gca_max_scan_requests},
	[CAPPED_MAX_RETRIES] = {"gcanalytics.max_retries",
		"gcanalytics.max_retries_ceiling", 5, 10, &gca_max_retries},
};

static bool
capped_check(CappedSetting *c, int newval, GucSource source)
{
	if (source >= PGC_S_INTERACTIVE && newval > c->ceiling)
	{
		GUC_check_errdetail("%s is %d.", c->ceiling_name, c->ceiling);
		GUC_check_errhint("A superuser can raise %s.", c->ceiling_name);
		return false;
	}
	return true;
}

static void
capped_assign(CappedSetting *c, int set, int ceiling)
{
	*c->in_force = Min(set, ceiling);
}

/* the hooks of one capped setting and of its ceiling */
#define CAPPED_HOOKS(i, fn) \
static bool \
check_##fn(int *newval, void **extra, GucSource source) \
{ \
	return capped_check(&capped[i], *newval, source); \
} \
static void \
assign_##fn(int newval, void *extra) \
{ \
	capped_assign(&capped[i], newval, capped[i].ceiling); \
} \
static void \
assign_##fn##_ceiling(int newval, void *extra) \
{ \
	capped_assign(&capped[i], capped[i].set, newval); \
}

CAPPED_HOOKS(CAPPED_MAX_SCAN_REQUESTS, max_scan_requests)
CAPPED_HOOKS(CAPPED_MAX_RETRIES, max_retries)

/*
 * Defines the capped setting i and its ceiling, both with the range
 * [min, max]; the ceiling's default is capped[i].ceiling.
 */
static void
define_capped(int i, const char *short_desc, const char *long_desc,
			  int boot_value, int min, int max,
			  GucIntCheckHook check_hook, GucIntAssignHook assign_hook,
			  GucIntAssignHook assign_ceiling_hook)
{
	CappedSetting *c = &capped[i];
	MemoryContext old;
	char	   *ceiling_desc;

	/* the GUC machinery keeps the description, not a copy */
	old = MemoryContextSwitchTo(TopMemoryContext);
	ceiling_desc = psprintf("Sets the highest %s a session may use.", c->name);
	MemoryContextSwitchTo(old);

	DefineCustomIntVariable(c->name, short_desc, long_desc,
							&c->set, boot_value, min, max,
							PGC_USERSET, 0,
							check_hook, assign_hook, NULL);
	DefineCustomIntVariable(c->ceiling_name,
							ceiling_desc,
							"Only superusers can change it.",
							&c->ceiling, c->ceiling, min, max,
							PGC_SUSET, 0,
							NULL, assign_ceiling_hook, NULL);
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
	define_capped(CAPPED_MAX_RETRIES,
				  "Sets the default number of retries of a failed request.",
				  "Used when the server has no max_retries option. "
				  "429, 5xx, timeouts and connection resets are retried.",
				  5, 0, 100,
				  check_max_retries, assign_max_retries, assign_max_retries_ceiling);
	DefineCustomIntVariable("gcanalytics.retry_max_wait_ms",
							"Sets the longest single wait before a retry.",
							"A Retry-After longer than this fails the request instead of waiting.",
							&gca_retry_max_wait_ms,
							180000, 0, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	define_capped(CAPPED_MAX_SCAN_REQUESTS,
				  "Sets the most API requests one foreign scan may be estimated to send.",
				  "A scan estimated to need more is refused before it sends anything, "
				  "so that a missing or mistyped bound does not crawl years of history.",
				  10000, 1, INT_MAX,
				  check_max_scan_requests, assign_max_scan_requests,
				  assign_max_scan_requests_ceiling);
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
