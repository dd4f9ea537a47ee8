/*-------------------------------------------------------------------------
 *
 * genesys.h
 *		What the Genesys Cloud service offers beside its resources.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/genesys.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_GENESYS_H
#define GCA_GENESYS_H

#include "datatype/timestamp.h"

#include "http.h"

/*
 * in genesys/details.c: the API's dataAvailabilityDate, asked through
 * client: details jobs hold conversations up to it.  Raises as a scan
 * would when the request fails or the answer has no date.
 */
extern TimestampTz gca_conversations_data_availability(GcaClient *client);

#endif							/* GCA_GENESYS_H */
