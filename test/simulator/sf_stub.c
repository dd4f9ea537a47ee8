/*-------------------------------------------------------------------------
 *
 * sf_stub.c
 *		Temporary stubs of the Salesforce side so that gcsim links.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_stub.c
 *
 *-------------------------------------------------------------------------
 */
#include "sf.h"

SfWorld		sf_world;

void
sf_world_build(void)
{
}

const char *
sf_tier_name(SfTier tier)
{
	switch (tier)
	{
		case SF_TIER_ENTERPRISE:
			return "Enterprise";
		case SF_TIER_MID_MARKET:
			return "Mid-Market";
		case SF_TIER_SMB:
			return "SMB";
	}
	return "SMB";
}

int
sf_handle(const SimRequest *req, SimResponse *resp)
{
	(void) req;
	(void) resp;
	return 0;
}

void
sf_error(SimResponse *resp, int status, const char *error_code,
		 const char *message)
{
	(void) error_code;
	(void) message;
	resp->status = status;
}

int
sf_write_truth(const char *dir)
{
	(void) dir;
	return 0;
}
