/*-------------------------------------------------------------------------
 *
 * fdw.h
 *		The foreign data wrapper gcanalytics_fdw: options and scans.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/fdw.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_FDW_H
#define GCA_FDW_H

#include "nodes/pg_list.h"

typedef enum GcaService
{
	GCA_SERVICE_GENESYS = 1,
	GCA_SERVICE_SALESFORCE = 2
} GcaService;

/*
 * Everything a scan needs to know about where and how to call the API,
 * merged from the server, the user mapping and the foreign table.  All
 * strings are palloc'd in the caller's context; the secrets are never
 * printed anywhere.
 */
typedef struct GcaOptions
{
	Oid			serverid;
	Oid			umid;			/* user mapping OID, key of the token cache */
	char	   *servername;
	GcaService	service;
	char	   *api_url;		/* https://api.<region> or the override */
	char	   *login_url;		/* https://login.<region>, or Salesforce's */
	char	   *api_version;	/* Salesforce REST version, e.g. "62.0" */
	int			requests_per_minute;
	int			max_concurrency;
	int			page_size;		/* 0 = the endpoint's default */
	int			timeout_ms;
	int			connect_timeout_ms;
	int			max_retries;
	char	   *extraction;		/* "query", "job" or "auto" */
	bool		use_remote_estimate;
	char	   *client_id;
	char	   *client_secret;
	char	   *refresh_token;
	char	   *resource;		/* Genesys foreign table */
	char	   *sobject;		/* Salesforce foreign table */
} GcaOptions;

/* in fdw/option.c */
extern GcaOptions *gca_get_options(Oid serverid, Oid userid, Oid relid);
extern char *gca_column_option(Oid relid, int attnum, const char *name);
extern bool gca_url_is_allowed(const char *url, const char **why);

#endif							/* GCA_FDW_H */
