/*-------------------------------------------------------------------------
 *
 * sf.h
 *		Private declarations of the Salesforce side of gcsim: the CRM
 *		world's records and schema, the SOQL engine, JSON output helpers.
 *
 * sim.h is the contract with the server core; this header is private to
 * sf_*.c and sf_test.c.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCSIM_SF_H
#define GCSIM_SF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define SF_NULL_I64		INT64_MIN	/* a null number, date or datetime */
#define SF_MAX_OFFSET	2000
#define SF_MAX_URL		16384
#define SF_LOCATOR_TTL_MS (2 * MS_PER_DAY)
#define SF_ORG_ID		"00DSIM000000001EAA"

/* ---------------------------------------------------------------------
 * sf_buf.c: Salesforce's encodings (the StrBuf is sim.h's)
 * ---------------------------------------------------------------------
 */
/* "YYYY-MM-DDTHH:MM:SS.mmm+0000" (Salesforce's datetime), 29 bytes */
extern void sf_format_datetime(char *buf, int64_t ms);
/* "YYYY-MM-DD" of a day number (days since 1970-01-01), 25 bytes */
extern void sf_format_date(char *buf, int64_t day);
/*
 * A decimal number mantissa * 10^-scale as Java's Double.toString
 * prints it (how Salesforce serializes double, currency and percent):
 * "15000.0", "1.2345678E7"; exact, never through a C double.
 */
extern void sf_format_java_double(char *buf, size_t buflen,
								  int64_t mantissa, int scale);
/* the plain decimal "12345678.90" with exactly scale decimals */
extern void sf_format_decimal(char *buf, size_t buflen,
							  int64_t mantissa, int scale);

/* base64 (standard alphabet, padded); decode returns -1 on bad input */
extern void sf_base64_encode(const unsigned char *in, size_t len, char *out);
extern int	sf_base64_decode(const char *in, unsigned char *out,
							 size_t outcap, size_t *outlen);
/* HMAC-SHA256 */
extern void sf_hmac_sha256(const unsigned char *key, size_t keylen,
						   const unsigned char *msg, size_t msglen,
						   unsigned char out[32]);

/* ---------------------------------------------------------------------
 * sf_schema.c: the sObjects, their fields, and the value model
 * ---------------------------------------------------------------------
 */
typedef enum SfObject
{
	SF_OBJ_USER = 0,
	SF_OBJ_ACCOUNT,
	SF_OBJ_CASE,
	SF_OBJ_OPPORTUNITY,
	SF_NOBJECTS
} SfObject;

typedef enum SfFieldType
{
	SF_T_ID,
	SF_T_REFERENCE,
	SF_T_STRING,
	SF_T_PICKLIST,
	SF_T_TEXTAREA,
	SF_T_BOOLEAN,
	SF_T_INT,
	SF_T_DOUBLE,
	SF_T_CURRENCY,
	SF_T_PERCENT,
	SF_T_DATE,
	SF_T_DATETIME,
	SF_T_PHONE,
	SF_T_URL,
	SF_T_EMAIL
} SfFieldType;

typedef struct SfFieldDef
{
	const char *name;			/* API name */
	const char *label;
	SfFieldType type;
	int			length;			/* chars, for text types */
	int			precision;		/* numbers: total digits */
	int			scale;			/* numbers: decimals (also of the value) */
	bool		nillable;
	bool		filterable;
	bool		sortable;
	bool		custom;
	SfObject	ref_obj;		/* reference: the parent object */
	const char *rel_name;		/* reference: relationship name (Owner) */
	const char *child_rel;		/* reference: parent's child relationship */
	const char *const *picklist;	/* NULL-terminated, picklist only */
	int			col;			/* column number for sf_value() */
} SfFieldDef;

typedef struct SfObjectDef
{
	const char *name;			/* "Account" */
	const char *label;
	const char *label_plural;
	const char *key_prefix;		/* "001" */
	const SfFieldDef *fields;
	int			nfields;
} SfObjectDef;

extern SfObjectDef sf_objects[SF_NOBJECTS];

/* adds --sf-wide-account's fields to Account; sf_world_build() calls it */
extern void sf_schema_build(void);

/* picklist values, NULL-terminated, shared by describe and the world */
extern const char *const *sf_pick_industries;
extern const char *const *sf_pick_case_statuses;
extern const char *const *sf_pick_case_priorities;
extern const char *const *sf_pick_case_origins;
extern const char *const *sf_pick_case_types;
extern const char *const *sf_pick_opp_stages;

/* case-insensitive lookups; NULL / -1 when unknown */
extern const SfFieldDef *sf_find_field(SfObject obj, const char *name,
									   size_t len);
extern int	sf_find_object(const char *name, size_t len);
extern const char *sf_type_name(SfFieldType t);

/* which literal kinds a field compares with */
extern bool sf_type_is_text(SfFieldType t);
extern bool sf_type_is_number(SfFieldType t);

typedef enum SfValKind
{
	SFV_NULL = 0,
	SFV_STRING,
	SFV_BOOL,
	SFV_NUMBER,					/* i * 10^-scale */
	SFV_DATE,					/* i = days since 1970-01-01 */
	SFV_DATETIME				/* i = ms since the epoch */
} SfValKind;

typedef struct SfValue
{
	SfValKind	kind;
	int			scale;			/* SFV_NUMBER */
	int			ref;			/* reference fields: parent row, -1 none */
	const char *s;				/* SFV_STRING (also id/reference) */
	int64_t		i;				/* SFV_NUMBER, SFV_DATE, SFV_DATETIME */
	bool		b;				/* SFV_BOOL */
} SfValue;

/* value of field f of row `row` of obj (world must be built) */
extern void sf_value(SfObject obj, int row, const SfFieldDef *f, SfValue *v);
extern int	sf_nrows(SfObject obj);
extern bool sf_row_deleted(SfObject obj, int row);
extern const char *sf_row_id(SfObject obj, int row);

/* ---------------------------------------------------------------------
 * sf_world.c: the generated records (typed, the truth behind sf_value)
 * ---------------------------------------------------------------------
 */
typedef struct SfUser
{
	char		id[19];
	char		name[48];
	char		email[96];
	const char *title;
	bool		active;
	int64_t		created_ms;
	int64_t		modstamp_ms;
} SfUser;

/* what an Account has beyond the public SfAccount */
typedef struct SfAccountExtra
{
	int			owner_row;		/* index into users */
	char		website[80];
	const char *country;		/* BillingCountry */
	int64_t		annual_revenue; /* whole currency units, or SF_NULL_I64 */
	int64_t		employees;		/* or SF_NULL_I64 */
	const char *description;	/* or NULL; long text area */
	int64_t		last_activity_day;	/* date, or SF_NULL_I64 */
} SfAccountExtra;

typedef struct SfCase
{
	char		id[19];
	char		number[12];		/* CaseNumber, "00001001" */
	int			account_row;	/* -1: no account */
	int			owner_row;
	const char *status;
	bool		closed;			/* IsClosed */
	const char *priority;
	const char *origin;
	const char *subject;
	const char *type;			/* Type: the case's category */
	int64_t		created_ms;
	int64_t		closed_ms;		/* ClosedDate, or SF_NULL_I64 */
	int64_t		modstamp_ms;
	bool		deleted;		/* IsDeleted: only queryAll sees it */
} SfCase;

typedef struct SfOpportunity
{
	char		id[19];
	int			account_row;
	int			owner_row;
	char		name[112];
	const char *stage;
	bool		closed;
	bool		won;
	int64_t		amount_cents;	/* Amount, or SF_NULL_I64 */
	int64_t		close_day;		/* CloseDate */
	int			probability;	/* percent */
	int64_t		created_ms;
	int64_t		modstamp_ms;
	bool		deleted;
} SfOpportunity;

typedef struct SfWorldPriv
{
	int			nusers;
	SfUser	   *users;
	SfAccountExtra *acc_extra;	/* parallel to sf_world.accounts */
	int			ncases;
	SfCase	   *cases;
	int			nopps;
	SfOpportunity *opps;
} SfWorldPriv;

#define SF_PRIV ((SfWorldPriv *) sf_world.priv)

/* 18-char case-safe id from a 3-char prefix and a counter */
extern void sf_make_id(char out[19], const char *prefix, uint64_t n);
/* the 3-char case-safety suffix of a 15-char id */
extern void sf_id_suffix(const char *id15, char out[4]);
extern void sf_world_free(void);

/* ---------------------------------------------------------------------
 * sf_soql.c: the SOQL subset
 * ---------------------------------------------------------------------
 */
typedef struct SfError
{
	int			status;			/* HTTP status */
	char		code[48];		/* errorCode */
	char		message[1024];
} SfError;

typedef struct SfQuery SfQuery;

/* Parses soql; NULL with *err filled when it is not valid */
extern SfQuery *sf_soql_parse(const char *soql, SfError *err);
extern void sf_soql_free(SfQuery *q);
extern SfObject sf_soql_object(const SfQuery *q);
extern bool sf_soql_is_count(const SfQuery *q);

/*
 * Runs q over the world: *rows gets the malloc'd row numbers of the result
 * in order (OFFSET and LIMIT applied), *nrows their number.  all = queryAll
 * (soft-deleted rows too).
 */
extern void sf_soql_execute(const SfQuery *q, bool all, int **rows,
							int *nrows);

/* Appends one record of the result as JSON (attributes, nested parents) */
extern void sf_soql_record_json(StrBuf *b, const SfQuery *q, int row,
								const char *version);

#endif							/* GCSIM_SF_H */
