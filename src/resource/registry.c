/*-------------------------------------------------------------------------
 *
 * registry.c
 *		The list of services and of resources a foreign table can read,
 *		and their lookups: the only place that names them all.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/resource/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "resource.h"

/* Services, each in its own file. */
extern const GcaServiceDesc gca_genesys_service;	/* genesys/genesys.c */
extern const GcaServiceDesc gca_salesforce_service; /* salesforce/salesforce.c */

/* Resources, each in its own file. */
extern const GcaResource gca_genesys_conversations;	/* genesys/conversations.c */
extern const GcaResource gca_genesys_segments;
extern const GcaResource gca_genesys_evaluations;	/* genesys/evaluations.c */
extern const GcaResource gca_genesys_aggregates;	/* genesys/aggregates.c */
extern const GcaResource gca_genesys_adherence; /* genesys/adherence.c */
extern const GcaResource gca_genesys_queues;	/* genesys/listings.c */
extern const GcaResource gca_genesys_users;
extern const GcaResource gca_genesys_wrapup_codes;
extern const GcaResource gca_salesforce_sobject;	/* salesforce/sobject.c */

static const GcaServiceDesc *const services[] = {
	&gca_genesys_service,
	&gca_salesforce_service,
	NULL
};

static const GcaResource *const registry[] = {
	&gca_genesys_conversations,
	&gca_genesys_segments,
	&gca_genesys_evaluations,
	&gca_genesys_aggregates,
	&gca_genesys_adherence,
	&gca_genesys_queues,
	&gca_genesys_users,
	&gca_genesys_wrapup_codes,
	&gca_salesforce_sobject,
	NULL
};

const GcaResource *const *
gca_resources(void)
{
	return registry;
}

/* The resource named name, or NULL. */
const GcaResource *
gca_find_resource(const char *name)
{
	for (const GcaResource *const *r = registry; *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

const GcaServiceDesc *const *
gca_services(void)
{
	return services;
}

/* The description of service; never NULL (an unknown one: the first). */
const GcaServiceDesc *
gca_service_desc(GcaService service)
{
	for (const GcaServiceDesc *const *s = services; *s; s++)
		if ((*s)->service == service)
			return *s;
	return services[0];
}

/* The service named name (the server option "service"), or NULL. */
const GcaServiceDesc *
gca_find_service(const char *name)
{
	for (const GcaServiceDesc *const *s = services; *s; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}
