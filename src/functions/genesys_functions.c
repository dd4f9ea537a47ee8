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

/*
 * gcanalytics.data_availability(server name) RETURNS timestamptz
 *
 * The dataAvailabilityDate of the Genesys server, asked with the calling
 * user's mapping (token and rate budget as for a scan).  Needs USAGE on
 * the server, like a foreign table of it.
 */
Datum
gcanalytics_data_availability(PG_FUNCTION_ARGS)
{
	char	   *servername = NameStr(*PG_GETARG_NAME(0));
	ForeignServer *server = gca_server_by_name(servername);
	GcaOptions *options;

	options = gca_get_options(server->serverid, GetUserId(), InvalidOid);
	if (options->http.service != GCA_SERVICE_GENESYS)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a genesys server", servername),
				 errhint("data_availability() asks Genesys Cloud; name a server with service 'genesys'.")));
	PG_RETURN_TIMESTAMPTZ(gca_conversations_data_availability(gca_client_get(&options->http)));
}
