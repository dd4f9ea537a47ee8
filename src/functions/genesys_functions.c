/*-------------------------------------------------------------------------
 *
 * genesys_functions.c
 *		gcanalytics.data_availability(server): how far Genesys Cloud's
 *		details jobs hold data, for the warehouse's high-water mark.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/functions/genesys_functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/timestamp.h"

#include "fdw.h"
#include "genesys.h"
#include "resource.h"

PG_FUNCTION_INFO_V1(gcanalytics_data_availability);
PG_FUNCTION_INFO_V1(gcanalytics_data_availability_until);

/*
 * The client of the calling user's mapping of the Genesys server named
 * servername (token and rate budget as for a scan).  Needs USAGE on the
 * server, like a foreign table of it.
 */
static GcaClient *
genesys_client(const char *servername)
{
	ForeignServer *server = gca_server_by_name(servername);
	GcaOptions *options;

	options = gca_get_options(server->serverid, GetUserId(), InvalidOid);
	if (options->http.service != GCA_SERVICE_GENESYS)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a genesys server", servername),
				 errhint("data_availability() asks Genesys Cloud; name a server with service 'genesys'.")));
	return gca_client_get(&options->http);
}

/*
 * gcanalytics.data_availability(server name) RETURNS timestamptz
 *
 * The dataAvailabilityDate of the Genesys server, asked (once a statement).
 */
Datum
gcanalytics_data_availability(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(gca_conversations_data_availability(genesys_client(NameStr(*PG_GETARG_NAME(0)))));
}

/*
 * gcanalytics._data_availability_until(server name, until timestamptz)
 * RETURNS timestamptz
 *
 * The dataAvailabilityDate as far as a load up to until needs it: the
 * newest date any session of the server has seen when it is at or after
 * until (the date only moves forward), without a request; else asked as
 * data_availability() does.
 */
Datum
gcanalytics_data_availability_until(PG_FUNCTION_ARGS)
{
	GcaClient  *client = genesys_client(NameStr(*PG_GETARG_NAME(0)));
	TimestampTz available;

	if (gca_client_availability_covers(client, PG_GETARG_TIMESTAMPTZ(1), &available))
		PG_RETURN_TIMESTAMPTZ(available);
	PG_RETURN_TIMESTAMPTZ(gca_conversations_data_availability(client));
}
