/*-------------------------------------------------------------------------
 *
 * resource.h
 *		The resource registry: one constant description per foreign-table
 *		resource, and the interface between a resource and the scan engine.
 *
 * A resource (Genesys "conversations", "segments", ...) is one static
 * const GcaResource in its own file: its name and service, whether a scan
 * needs a time bound, its columns (type, API name, pushdown role, a
 * description), and the few functions that differ between resources:
 * estimate a read, plan the requests of a run, build the next request,
 * read a response page, fill a row, explain.  The planner, the scan
 * engine, EXPLAIN, IMPORT FOREIGN SCHEMA and the option validator read the
 * registry (resource/registry.c) and never name a column or an endpoint.
 *
 * A service (Genesys Cloud, Salesforce) is one static const GcaServiceDesc
 * in its own file: its name, the options its servers and tables add to
 * the generic ones, its base URLs and default rate budget, its IMPORT
 * FOREIGN SCHEMA remote schema.  Nothing under src/fdw/ names a service,
 * a resource or one of their options.
 *
 * Adding a resource: write src/<service>/<name>.c with its columns,
 * callbacks and (optionally) data, and list it in resource/registry.c;
 * an option only it reads goes in its service's option table.
 *
 * Layers (includes point one way): fdw -> resources -> http, json -> util.
 * A resource sees the scan only through GcaResourceScan below; it never
 * calls the engine.  It asks for requests by returning them from
 * next_request, gets each response in read_page, in the order it asked
 * (GcaRequest.order), and hands out rows from next_row.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		src/include/resource.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCA_RESOURCE_H
#define GCA_RESOURCE_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "http.h"
#include "json.h"

/* How WHERE conditions on a column may be sent to the API. */
typedef enum GcaPushRole
{
	GCA_PUSH_NONE = 0,
	GCA_PUSH_TIME,				/* <, <=, >, >=, =, BETWEEN: the interval */
	GCA_PUSH_ID,				/* = value, = ANY(array), joins: read by id */
	GCA_PUSH_FILTER,			/* = value, = ANY(array): a filter predicate */
	GCA_PUSH_ARRAY_FILTER,		/* text[] column: value = ANY(col), or col @>
								 * a one-element array */
	GCA_PUSH_PARAM,				/* = value, = ANY(array): a request parameter */
	GCA_PUSH_EXISTS,			/* IS NOT NULL: an exists predicate */
	GCA_PUSH_WHERE				/* the comparisons in where_ops: a query
								 * language's WHERE (SOQL) */
} GcaPushRole;

/*
 * The comparisons a GCA_PUSH_WHERE column may send (GcaColumnDef.where_ops
 * holds GCA_CMP_BIT of each), and the shape of a pushed one.
 */
typedef enum GcaCompare
{
	GCA_CMP_EQ = 0,				/* col = value */
	GCA_CMP_NE,					/* col <> value */
	GCA_CMP_LT,
	GCA_CMP_LE,
	GCA_CMP_GT,
	GCA_CMP_GE,
	GCA_CMP_IN,					/* col = ANY(array) */
	GCA_CMP_LIKE,				/* col LIKE pattern (backslash escapes) */
	GCA_CMP_IS_NULL,
	GCA_CMP_NOT_NULL
} GcaCompare;

#define GCA_CMP_BIT(c)		(1u << (c))
#define GCA_WHERE_SORTABLE	(1u << 16)	/* ORDER BY may be sent */

/* One column of a resource, as IMPORT FOREIGN SCHEMA creates it. */
typedef struct GcaColumnDef
{
	const char *name;
	const char *type;			/* SQL type name, as IMPORT writes it */
	int			id;				/* the resource's own number for it */
	GcaPushRole push;
	const char *api_name;		/* the API's name for it (filter dimension,
								 * parameter, field), or NULL */
	int			push_group;		/* resource-defined kind of predicate */
	int			push_priority;	/* lower is pushed first within a group */
	const char *comment;		/* what it holds, for COMMENT and docs */
	unsigned int where_ops;		/* GCA_PUSH_WHERE: GCA_CMP_BIT()s, and
								 * GCA_WHERE_SORTABLE */
} GcaColumnDef;

/* A column of a scanned foreign table. */
typedef struct GcaColumn
{
	const GcaColumnDef *def;	/* NULL: not a resource column (reads NULL) */
	char	   *name;			/* the column's name */
	char	   *attribute;		/* option "attribute": a participant attribute */
	char	   *field;			/* option "field": the API's field (path) */
	char	   *field_type;		/* option "field_type": its describe type */
	Oid			typid;			/* the declared type */
	int32		typmod;
	bool		used;			/* the query reads it */
} GcaColumn;

/* The values of one pushed condition on a column, OR'ed. */
typedef struct GcaPushedValues
{
	const GcaColumnDef *def;
	List	   *values;			/* char *, distinct, never empty */
} GcaPushedValues;

/*
 * One pushed GCA_PUSH_WHERE comparison.  Values are the API's text of
 * the SQL values: numbers and booleans as PostgreSQL prints them, dates
 * "YYYY-MM-DD", timestamps "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC), text as is.
 */
typedef struct GcaPushedCompare
{
	const GcaColumnDef *def;
	GcaCompare	cmp;
	List	   *values;			/* char *; IN: distinct.  NIL for null tests,
								 * and when a value has no API form (the
								 * condition then stays local) */
} GcaPushedCompare;

/* A pushed ORDER BY key (a GCA_WHERE_SORTABLE column). */
typedef struct GcaSortKey
{
	const GcaColumnDef *def;
	bool		descending;
	bool		nulls_first;
} GcaSortKey;

/*
 * The pushed conditions evaluated for one run (one execution or rescan).
 * Time bounds are widened to whole milliseconds; everything is also
 * rechecked locally.
 */
typedef struct GcaPushed
{
	bool		empty;			/* no row can match: send nothing */
	bool		have_lower;
	bool		have_upper;		/* false only before the engine defaults it */
	TimestampTz lower;			/* inclusive */
	TimestampTz upper;			/* exclusive */
	bool		by_id;			/* ids are given */
	List	   *ids;			/* char *, distinct */
	List	   *filters;		/* GcaPushedValues, by (group, priority) */
	List	   *params;			/* GcaPushedValues */
	List	   *exists;			/* GcaColumnDef *, IS NOT NULL */
	List	   *compares;		/* GcaPushedCompare, in clause order */
	List	   *sort;			/* GcaSortKey: the plan's order, if pushed */
	int64		limit;			/* rows the query needs at most, or -1 */
	bool		needs_outer;	/* EXPLAIN: some values come from an outer row */
} GcaPushed;

/* A request a resource wants sent. */
typedef struct GcaRequest
{
	const char *method;
	char	   *path;			/* palloc'd: relative to the API base, with
								 * its query string */
	char	   *body;			/* palloc'd JSON, or NULL */
	const char *const *headers; /* static extra headers, or NULL */
	int			delay_ms;		/* send no earlier than this from now */
	int64		order;			/* responses are read in (order, number) */
	int			number;			/* order; resource-defined meaning too */
	int			kind;			/* resource-defined: what the response is */
	void	   *owner;			/* resource-defined: whose request it is */
	const int  *accept_statuses;	/* non-2xx statuses read_page handles
									 * (0-terminated), or NULL: any other
									 * failure is an error */
	int			status;			/* read_page: the response's HTTP status
								 * (an accepted one comes with an empty
								 * object as its page) */
	bool		peek;			/* hand the raw body to peek() when it has
								 * arrived, before it is parsed */
	bool		presigned;		/* path is a pre-signed download URL the API
								 * answered (GcaCall.presigned) */
	const char *items_key;		/* a top-level array member of the response
								 * left unparsed: read_page sees it as [] and
								 * its items in rs->items (gca_page_item) */
} GcaRequest;

struct GcaResource;

/*
 * A resource's view of one scan.  The engine fills everything but state;
 * callbacks run in the scan's run context (reset on rescan) except
 * next_row, which runs in the per-row context.
 */
typedef struct GcaResourceScan
{
	const struct GcaResource *resource;
	const char *relname;
	GcaColumn  *columns;		/* by attnum - 1 */
	int			ncolumns;
	GcaPushed	pushed;
	int			page_size;		/* server option page_size, 0 = default */
	int			max_concurrency;
	int			requests_per_minute;	/* the server's rate budget */
	double		latency_ms;		/* observed time of a request (or a guess) */
	TimestampTz known_available;	/* newest Genesys dataAvailabilityDate
									 * any session of the server saw, 0 if
									 * none */
	double		known_job_ready_ms; /* the time a Genesys details job took
									 * to be ready, as the sessions of the
									 * server saw it, 0 if none */
	GcaClient  *estimate_client;	/* use_remote_estimate: the client the
									 * route's estimate may ask the API
									 * with, else NULL */
	GcaClient  *client;			/* the client of the scan (NULL for
								 * EXPLAIN): what it remembers */
	List	   *options;		/* DefElem: the table's, then the server's
								 * options (gca_option_value) */
	const char *object;			/* the remote object the table names (its
								 * resource's object_option), or NULL */
	bool		explain_only;	/* EXPLAIN without ANALYZE: nothing is sent */
	void	   *state;			/* the resource's */
	int			windows_total;	/* progress, kept by the resource: windows */
	int			windows_done;	/* (or other units) of the run */
	void	   *drop_owner;		/* read_page: drop the queued requests of
								 * this owner */
	GcaJsonItems *items;		/* read_page, next_row: the items of the
								 * page's items_key member, or NULL */
	bool		any_owner_order;	/* set by plan: responses of different
									 * owners may be read in any order (as
									 * they arrive); an owner's own still in
									 * (order, number) */
} GcaResourceScan;

/* A line EXPLAIN VERBOSE prints: "Remote <label>: <value>". */
typedef struct GcaExplainItem
{
	const char *label;
	char	   *value;
	bool		is_integer;		/* value is a number */
	bool		verbose_only;	/* plain EXPLAIN (not ANALYZE) only */
} GcaExplainItem;

/* What the planner knows of a read, for row estimates. */
typedef struct GcaEstimateInput
{
	bool		have_time;		/* a lower time bound */
	double		days;			/* length of the time range */
	double		ids;			/* ids given, or -1 */
	int			filters;		/* pushed filter conditions */
	bool		have_range;		/* constant lower and upper time bounds */
	TimestampTz lower;			/* inclusive */
	TimestampTz upper;			/* exclusive */
	GcaClient  *client;			/* use_remote_estimate: a client the
								 * estimate may ask the API with, else NULL */
} GcaEstimateInput;

/*
 * A foreign table of a resource whose columns come from the table
 * definition (bind_columns), or a server to import such tables from.
 */
typedef struct GcaTableRef
{
	const char *relname;		/* NULL when importing */
	const char *object;			/* the remote object (object_option) */
	const GcaClientConfig *http;	/* to call the API (describe) */
	List	   *options;		/* DefElem: the table's, then the server's */
} GcaTableRef;

/* What IMPORT FOREIGN SCHEMA asks a resource with an import callback. */
typedef struct GcaImportRef
{
	GcaTableRef api;			/* object NULL */
	const char *servername;
	bool		limit_to;		/* only the names in tables */
	bool		except;			/* all but the names in tables */
	List	   *tables;			/* char *, as written */
} GcaImportRef;

typedef struct GcaResource
{
	const char *name;			/* value of the table option "resource" */
	GcaService	service;
	bool		needs_time_bound;	/* refuse scans with no lower bound on
									 * the time column (or ids) */
	const GcaColumnDef *columns;	/* {NULL}-terminated */
	const char *comment;

	/* rows and API requests of a read */
	void		(*estimate) (const GcaEstimateInput *in, double *rows,
							 double *requests);
	/* decides the requests of a run from rs->pushed; may throw */
	void		(*plan) (GcaResourceScan *rs);
	/* fills req and returns true if a request can be sent now */
	bool		(*next_request) (GcaResourceScan *rs, GcaRequest *req);
	/*
	 * reads the response to req (in request order); returns how many rows
	 * it offers (0: none, ask for more requests).  The page stays valid
	 * until next_row returns false.
	 */
	int			(*read_page) (GcaResourceScan *rs, const GcaRequest *req,
							  GcaJson *page);
	/*
	 * optional: sees the raw body of a request marked peek as soon as it
	 * has arrived whole (successfully), before its turn to be read: to find
	 * the next cursor, so the next request can be sent while this page is
	 * read.  Returns true when that was all the response is for (a job's
	 * status): it is dropped and never goes to read_page.
	 */
	bool		(*peek) (GcaResourceScan *rs, const GcaRequest *req,
						 const char *raw, size_t len);
	/* fills values/nulls (by attnum - 1) of the next row; false at the end
	 * of the page */
	bool		(*next_row) (GcaResourceScan *rs, Datum *values, bool *nulls);
	/* the request lines of EXPLAIN VERBOSE: a List of GcaExplainItem */
	List	   *(*explain) (GcaResourceScan *rs);

	/*
	 * Optional, for resources whose columns are the table's (columns is
	 * empty): sets def (palloc'd) of each column of columns[ncolumns] from
	 * its name or field option, NULL for none; may call the API (describe)
	 * and throws for a column it cannot read.
	 */
	void		(*bind_columns) (const GcaTableRef *table, GcaColumn *columns,
								 int ncolumns);
	/*
	 * Optional: IMPORT FOREIGN SCHEMA of the resource's service builds its
	 * tables here: a List of CREATE FOREIGN TABLE commands.
	 */
	List	   *(*import) (const GcaImportRef *ref);
	/*
	 * The table option naming the remote object, for a resource whose
	 * tables name an object rather than the resource, or NULL; and how
	 * messages call such an object ("an sobject of ...").
	 */
	const char *object_option;
	const char *object_what;
	/* the resource's own constant data, for callbacks shared by resources */
	const void *data;
} GcaResource;

/* What values an option takes (fdw/option.c checks them). */
typedef enum GcaOptionKind
{
	GCA_OPT_CHOICE,				/* one of choices[] */
	GCA_OPT_URL,				/* https://, or http:// on loopback */
	GCA_OPT_DOMAIN,				/* a host name such as example.com */
	GCA_OPT_VERSION,			/* digits.digits */
	GCA_OPT_INT,				/* integer in [min, max] */
	GCA_OPT_BOOL,
	GCA_OPT_IDENT,				/* letters, digits, underscores */
	GCA_OPT_PATH,				/* dotted identifiers (a.b) */
	GCA_OPT_RESOURCE,			/* a resource of the registry */
	GCA_OPT_SERVICE,			/* a service of the registry */
	GCA_OPT_TEXT,				/* any non-empty text */
	GCA_OPT_SECRET				/* non-empty text that is never echoed */
} GcaOptionKind;

/* One option of the wrapper's objects. */
typedef struct GcaOptionDef
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
	GcaOptionKind kind;
	int			min;			/* GCA_OPT_INT */
	int			max;
	const char *const *choices; /* GCA_OPT_CHOICE, NULL-ended */
	const char *why;			/* detail of an invalid value, or NULL */
	int			rank;			/* where messages list it: by rank */
} GcaOptionDef;

/*
 * What differs between the services for the wrapper: the options their
 * servers and tables take beside the generic ones, and what their
 * servers' options mean.
 */
typedef struct GcaServiceDesc
{
	GcaService	service;
	const char *name;			/* the server option "service" */
	/*
	 * Its own options: of its servers (only there), its tables and their
	 * columns; {NULL}-ended.
	 */
	const GcaOptionDef *options;
	int			requests_per_minute;	/* default of the server option */
	const char *remote_schema;	/* IMPORT FOREIGN SCHEMA <remote_schema> */
	const char *credentials_hint;	/* what its user mappings hold, for a
									 * hint */
	const char *table_hint;		/* what its tables name, for a hint */
	/*
	 * The API's and the token endpoint's base URLs, palloc'd, from its
	 * server's options (DefElem).
	 */
	void		(*base_urls) (List *options, char **api_url,
							  char **login_url);
	/* optional: rules across its server's options; throws */
	void		(*check_server) (List *options);
} GcaServiceDesc;

/* in resource/registry.c */
/* the services, NULL-terminated; the first is the default */
extern const GcaServiceDesc *const *gca_services(void);
extern const GcaServiceDesc *gca_service_desc(GcaService service);
extern const GcaServiceDesc *gca_find_service(const char *name);
extern const GcaResource *gca_find_resource(const char *name);
/* the resources, NULL-terminated */
extern const GcaResource *const *gca_resources(void);
extern const GcaColumnDef *gca_find_column(const GcaResource *res,
										   const char *name);
/* the first column with this role, or NULL */
extern const GcaColumnDef *gca_column_with_role(const GcaResource *res,
												GcaPushRole role);
/* the type OID of a column definition */
extern Oid	gca_column_type(const GcaColumnDef *def);
extern GcaExplainItem *gca_explain_item(const char *label, char *value);
extern GcaExplainItem *gca_explain_integer(const char *label, int64 value,
										   bool verbose_only);

/*
 * in fdw/scan.c: item i of the page's rs->items, parsed (the one before it
 * is freed), NULL past the last; throws naming the request when the items
 * are not well formed
 */
extern GcaJson *gca_page_item(GcaResourceScan *rs, int i);

/*
 * in resource/contract.c: the peeked body of req parsed as a JSON object
 * and handed to read (freed after it, even when it throws); throws when it
 * is not an object
 */
extern void gca_read_peeked_object(const GcaResourceScan *rs, const GcaRequest *req,
								   const char *raw, size_t len,
								   void (*read) (void *arg, const GcaRequest *req,
												 GcaJson *doc),
								   void *arg);

/*
 * in resource/contract.c: the value of option name in options (DefElem,
 * the first of that name), or dflt
 */
extern const char *gca_option_value(List *options, const char *name,
									const char *dflt);

/* in resource/values.c: rows from plain API objects */
/* the member at a dotted path ("agent.id"), or NULL */
extern GcaJson *gca_json_path(const GcaJson *object, const char *path);
/* v as a Datum of def's declared type; *isnull when it is not one */
extern Datum gca_json_column_value(const GcaJson *v, const GcaColumnDef *def,
								   bool *isnull);
/* used columns from the members paths[def->id] (NULL: left NULL) */
extern void gca_fill_from_paths(const GcaJson *object, const char *const *paths,
								const GcaColumn *columns, int ncolumns,
								Datum *values, bool *nulls);

#endif							/* GCA_RESOURCE_H */
