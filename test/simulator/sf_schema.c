/*-------------------------------------------------------------------------
 *
 * sf_schema.c
 *		The sObjects gcsim serves (User, Account, Case, Opportunity): their
 *		fields as describe reports them, and sf_value(), the one place that
 *		maps a field of a generated record to a typed value.  With
 *		--sf-wide-account N, Account also has N managed-package fields
 *		pkg__Field_<i>__c of mixed types (sf_schema_build).
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_schema.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

/* Picklists (also used by sf_world.c through the same arrays) */
static const char *const industries[] = {
	"Technology", "Healthcare", "Finance", "Retail", "Manufacturing",
	"Education", NULL
};
static const char *const tiers[] = {"Enterprise", "Mid-Market", "SMB", NULL};
static const char *const case_statuses[] = {
	"New", "Working", "Escalated", "Closed", NULL
};
static const char *const case_priorities[] = {"High", "Medium", "Low", NULL};
static const char *const case_origins[] = {"Phone", "Email", "Web", NULL};
static const char *const case_types[] = {"Problem", "Question", "Feature Request", NULL};
static const char *const opp_stages[] = {
	"Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
	"Negotiation/Review", "Closed Won", "Closed Lost", NULL
};

const char *const *sf_pick_industries = industries;
const char *const *sf_pick_case_statuses = case_statuses;
const char *const *sf_pick_case_priorities = case_priorities;
const char *const *sf_pick_case_origins = case_origins;
const char *const *sf_pick_case_types = case_types;
const char *const *sf_pick_opp_stages = opp_stages;

/* Column numbers, one enum per object */
enum
{
	U_ID, U_NAME, U_EMAIL, U_ISACTIVE, U_TITLE, U_CREATED, U_MODSTAMP
};
enum
{
	A_ID, A_ISDELETED, A_NAME, A_INDUSTRY, A_TIER, A_PHONE, A_WEBSITE,
	A_COUNTRY, A_REVENUE, A_EMPLOYEES, A_LTV, A_DESCRIPTION, A_OWNERID,
	A_CREATED, A_MODSTAMP, A_LASTACTIVITY,
	A_WIDE						/* pkg__Field_1__c; field i is A_WIDE + i - 1 */
};
enum
{
	C_ID, C_ISDELETED, C_NUMBER, C_ACCOUNTID, C_OWNERID, C_STATUS,
	C_ISCLOSED, C_PRIORITY, C_ORIGIN, C_SUBJECT, C_CREATED, C_CLOSED,
	C_MODSTAMP, C_TYPE
};
enum
{
	O_ID, O_ISDELETED, O_ACCOUNTID, O_OWNERID, O_NAME, O_STAGE, O_ISCLOSED,
	O_ISWON, O_AMOUNT, O_CLOSEDATE, O_PROBABILITY, O_CREATED, O_MODSTAMP
};

/*
 * Field shorthands: name, label, type, length, precision, scale, nillable,
 * filterable, sortable, custom, ref object, relationship, child
 * relationship, picklist, column.
 */
#define F_ID(col) \
	{"Id", "Record ID", SF_T_ID, 18, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, col}
#define F_DELETED(col) \
	{"IsDeleted", "Deleted", SF_T_BOOLEAN, 0, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, col}
#define F_DT(name, label, nil, col) \
	{name, label, SF_T_DATETIME, 0, 0, 0, nil, true, true, false, 0, NULL, NULL, NULL, col}
#define F_OWNER(child, col) \
	{"OwnerId", "Owner ID", SF_T_REFERENCE, 18, 0, 0, false, true, true, false, SF_OBJ_USER, "Owner", child, NULL, col}
#define F_TEXT(name, label, type, len, col) \
	{name, label, type, len, 0, 0, true, true, true, false, 0, NULL, NULL, NULL, col}
#define F_PICK(name, label, list, custom, col) \
	{name, label, SF_T_PICKLIST, 255, 0, 0, true, true, true, custom, 0, NULL, NULL, list, col}
#define F_BOOL(name, label, col) \
	{name, label, SF_T_BOOLEAN, 0, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, col}
#define F_NUM(name, label, type, prec, scale, custom, col) \
	{name, label, type, 0, prec, scale, true, true, true, custom, 0, NULL, NULL, NULL, col}

static const SfFieldDef user_fields[] = {
	F_ID(U_ID),
	F_TEXT("Name", "Full Name", SF_T_STRING, 121, U_NAME),
	F_TEXT("Email", "Email", SF_T_EMAIL, 128, U_EMAIL),
	F_BOOL("IsActive", "Active", U_ISACTIVE),
	F_TEXT("Title", "Title", SF_T_STRING, 80, U_TITLE),
	F_DT("CreatedDate", "Created Date", false, U_CREATED),
	F_DT("SystemModstamp", "System Modstamp", false, U_MODSTAMP),
};

static const SfFieldDef account_fields[] = {
	F_ID(A_ID),
	F_DELETED(A_ISDELETED),
	F_TEXT("Name", "Account Name", SF_T_STRING, 255, A_NAME),
	F_PICK("Industry", "Industry", industries, false, A_INDUSTRY),
	F_PICK("Tier__c", "Tier", tiers, true, A_TIER),
	F_TEXT("Phone", "Account Phone", SF_T_PHONE, 40, A_PHONE),
	F_TEXT("Website", "Website", SF_T_URL, 255, A_WEBSITE),
	F_TEXT("BillingCountry", "Billing Country", SF_T_STRING, 80, A_COUNTRY),
	F_NUM("AnnualRevenue", "Annual Revenue", SF_T_CURRENCY, 18, 0, false, A_REVENUE),
	F_NUM("NumberOfEmployees", "Employees", SF_T_INT, 0, 0, false, A_EMPLOYEES),
	F_NUM("Lifetime_Value__c", "Lifetime Value", SF_T_CURRENCY, 16, 2, true, A_LTV),
	{"Description", "Account Description", SF_T_TEXTAREA, 32000, 0, 0, true, false, false, false, 0, NULL, NULL, NULL, A_DESCRIPTION},
	F_OWNER("Accounts", A_OWNERID),
	F_DT("CreatedDate", "Created Date", false, A_CREATED),
	F_DT("SystemModstamp", "System Modstamp", false, A_MODSTAMP),
	{"LastActivityDate", "Last Activity", SF_T_DATE, 0, 0, 0, true, true, true, false, 0, NULL, NULL, NULL, A_LASTACTIVITY},
};

static const SfFieldDef case_fields[] = {
	F_ID(C_ID),
	F_DELETED(C_ISDELETED),
	{"CaseNumber", "Case Number", SF_T_STRING, 30, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, C_NUMBER},
	{"AccountId", "Account ID", SF_T_REFERENCE, 18, 0, 0, true, true, true, false, SF_OBJ_ACCOUNT, "Account", "Cases", NULL, C_ACCOUNTID},
	F_OWNER("Cases", C_OWNERID),
	F_PICK("Status", "Status", case_statuses, false, C_STATUS),
	F_BOOL("IsClosed", "Closed", C_ISCLOSED),
	F_PICK("Priority", "Priority", case_priorities, false, C_PRIORITY),
	F_PICK("Origin", "Case Origin", case_origins, false, C_ORIGIN),
	F_PICK("Type", "Case Type", case_types, false, C_TYPE),
	F_TEXT("Subject", "Subject", SF_T_STRING, 255, C_SUBJECT),
	F_DT("CreatedDate", "Created Date", false, C_CREATED),
	F_DT("ClosedDate", "Closed Date", true, C_CLOSED),
	F_DT("SystemModstamp", "System Modstamp", false, C_MODSTAMP),
};

static const SfFieldDef opp_fields[] = {
	F_ID(O_ID),
	F_DELETED(O_ISDELETED),
	{"AccountId", "Account ID", SF_T_REFERENCE, 18, 0, 0, true, true, true, false, SF_OBJ_ACCOUNT, "Account", "Opportunities", NULL, O_ACCOUNTID},
	F_OWNER("Opportunities", O_OWNERID),
	{"Name", "Name", SF_T_STRING, 120, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, O_NAME},
	{"StageName", "Stage", SF_T_PICKLIST, 255, 0, 0, false, true, true, false, 0, NULL, NULL, opp_stages, O_STAGE},
	F_BOOL("IsClosed", "Closed", O_ISCLOSED),
	F_BOOL("IsWon", "Won", O_ISWON),
	F_NUM("Amount", "Amount", SF_T_CURRENCY, 18, 2, false, O_AMOUNT),
	{"CloseDate", "Close Date", SF_T_DATE, 0, 0, 0, false, true, true, false, 0, NULL, NULL, NULL, O_CLOSEDATE},
	F_NUM("Probability", "Probability (%)", SF_T_PERCENT, 3, 0, false, O_PROBABILITY),
	F_DT("CreatedDate", "Created Date", false, O_CREATED),
	F_DT("SystemModstamp", "System Modstamp", false, O_MODSTAMP),
};

#define NF(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* not const: sf_schema_build() may widen Account */
SfObjectDef sf_objects[SF_NOBJECTS] = {
	[SF_OBJ_USER] = {"User", "User", "Users", "005", user_fields, NF(user_fields)},
	[SF_OBJ_ACCOUNT] = {"Account", "Account", "Accounts", "001", account_fields, NF(account_fields)},
	[SF_OBJ_CASE] = {"Case", "Case", "Cases", "500", case_fields, NF(case_fields)},
	[SF_OBJ_OPPORTUNITY] = {"Opportunity", "Opportunity", "Opportunities", "006", opp_fields, NF(opp_fields)},
};

/* ---------------------------------------------------------------------
 * The wide Account (--sf-wide-account N): field i (1-based) has type
 * wide_types[(i - 1) % 9]; values are drawn per (account, field) from the
 * seed, about 15 % null except booleans.
 * ---------------------------------------------------------------------
 */
static const SfFieldType wide_types[] = {
	SF_T_STRING, SF_T_DOUBLE, SF_T_BOOLEAN, SF_T_DATE, SF_T_DATETIME,
	SF_T_PICKLIST, SF_T_CURRENCY, SF_T_PERCENT, SF_T_TEXTAREA
};
static const char *const wide_picks[] = {"Bronze", "Silver", "Gold", "Platinum", NULL};
static const char *const wide_words[] = {
	"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel",
	"India", "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa"
};
static const char *const wide_notes[] = {
	"Renewal discussed with the customer; follow up next quarter.",
	"Migrated from the legacy CRM, \"owner\" unverified.",
	"Multi-line note:\nfirst line\nsecond line",
	"Prefers e-mail, avoid calls before 10:00 local time."
};

void
sf_schema_build(void)
{
	int			n = sim_config.sf_wide_account;
	int			nbase = NF(account_fields);
	SfFieldDef *fields;

	sf_objects[SF_OBJ_ACCOUNT].fields = account_fields;
	sf_objects[SF_OBJ_ACCOUNT].nfields = nbase;
	if (n <= 0)
		return;
	fields = calloc((size_t) (nbase + n), sizeof(SfFieldDef));
	if (!fields)
		abort();
	memcpy(fields, account_fields, sizeof(account_fields));
	for (int i = 1; i <= n; i++)
	{
		SfFieldDef *f = &fields[nbase + i - 1];
		char		name[48],
					label[48];

		snprintf(name, sizeof(name), "pkg__Field_%d__c", i);
		snprintf(label, sizeof(label), "Field %d", i);
		f->name = strdup(name);
		f->label = strdup(label);
		f->type = wide_types[(i - 1) % NF(wide_types)];
		f->nillable = f->type != SF_T_BOOLEAN;
		f->filterable = f->sortable = f->type != SF_T_TEXTAREA;
		f->custom = true;
		f->col = A_WIDE + i - 1;
		f->picklist = f->type == SF_T_PICKLIST ? wide_picks : NULL;
		f->length = f->type == SF_T_STRING ? 80 : f->type == SF_T_PICKLIST ? 255 :
			f->type == SF_T_TEXTAREA ? 32768 : 0;
		f->precision = f->type == SF_T_DOUBLE ? 18 : f->type == SF_T_CURRENCY ? 16 :
			f->type == SF_T_PERCENT ? 5 : 0;
		f->scale = f->type == SF_T_DOUBLE ? 4 : f->type == SF_T_CURRENCY ||
			f->type == SF_T_PERCENT ? 2 : 0;
	}
	sf_objects[SF_OBJ_ACCOUNT].fields = fields;
	sf_objects[SF_OBJ_ACCOUNT].nfields = nbase + n;
}

static void v_str(SfValue *v, const char *s);
static void v_bool(SfValue *v, bool b);
static void v_i64(SfValue *v, SfValKind kind, int64_t i, int scale);

/* the value of wide field (col - A_WIDE + 1) of an account */
static void
wide_value(int row, const SfFieldDef *f, SfValue *v)
{
	SimRng		r = sim_rng_derive(sim_config.seed, "sf.wide",
								   ((uint64_t) row << 16) | (uint64_t) (f->col - A_WIDE));
	int64_t		now = sim_config.now_ms;
	int64_t		since = sim_days_from_civil(2020, 1, 1);

	if (f->nillable && sim_rng_uniform(&r) < 0.15)
	{
		v->kind = SFV_NULL;
		return;
	}
	switch (f->type)
	{
		case SF_T_STRING:
			v_str(v, wide_words[sim_rng_range(&r, 0, NF(wide_words) - 1)]);
			break;
		case SF_T_DOUBLE:
			v_i64(v, SFV_NUMBER, sim_rng_range(&r, -INT64_C(1000000000), INT64_C(1000000000)), 4);
			break;
		case SF_T_BOOLEAN:
			v_bool(v, sim_rng_uniform(&r) < 0.5);
			break;
		case SF_T_DATE:
			v_i64(v, SFV_DATE, sim_rng_range(&r, since, now / MS_PER_DAY), 0);
			break;
		case SF_T_DATETIME:
			v_i64(v, SFV_DATETIME, sim_rng_range(&r, since * MS_PER_DAY, now), 0);
			break;
		case SF_T_PICKLIST:
			v_str(v, wide_picks[sim_rng_range(&r, 0, NF(wide_picks) - 2)]);
			break;
		case SF_T_CURRENCY:
			v_i64(v, SFV_NUMBER, sim_rng_range(&r, 0, INT64_C(10000000000)), 2);
			break;
		case SF_T_PERCENT:
			v_i64(v, SFV_NUMBER, sim_rng_range(&r, 0, 10000), 2);
			break;
		default:
			v_str(v, wide_notes[sim_rng_range(&r, 0, NF(wide_notes) - 1)]);
			break;
	}
}

const SfFieldDef *
sf_find_field(SfObject obj, const char *name, size_t len)
{
	const SfObjectDef *od = &sf_objects[obj];

	for (int i = 0; i < od->nfields; i++)
		if (strlen(od->fields[i].name) == len &&
			strncasecmp(od->fields[i].name, name, len) == 0)
			return &od->fields[i];
	return NULL;
}

int
sf_find_object(const char *name, size_t len)
{
	for (int i = 0; i < SF_NOBJECTS; i++)
		if (strlen(sf_objects[i].name) == len &&
			strncasecmp(sf_objects[i].name, name, len) == 0)
			return i;
	return -1;
}

const char *
sf_type_name(SfFieldType t)
{
	static const char *const names[] = {
		[SF_T_ID] = "id",[SF_T_REFERENCE] = "reference",
		[SF_T_STRING] = "string",[SF_T_PICKLIST] = "picklist",
		[SF_T_TEXTAREA] = "textarea",[SF_T_BOOLEAN] = "boolean",
		[SF_T_INT] = "int",[SF_T_DOUBLE] = "double",
		[SF_T_CURRENCY] = "currency",[SF_T_PERCENT] = "percent",
		[SF_T_DATE] = "date",[SF_T_DATETIME] = "datetime",
		[SF_T_PHONE] = "phone",[SF_T_URL] = "url",[SF_T_EMAIL] = "email"
	};

	return names[t];
}

bool
sf_type_is_text(SfFieldType t)
{
	return t == SF_T_ID || t == SF_T_REFERENCE || t == SF_T_STRING ||
		t == SF_T_PICKLIST || t == SF_T_TEXTAREA || t == SF_T_PHONE ||
		t == SF_T_URL || t == SF_T_EMAIL;
}

bool
sf_type_is_number(SfFieldType t)
{
	return t == SF_T_INT || t == SF_T_DOUBLE || t == SF_T_CURRENCY ||
		t == SF_T_PERCENT;
}

/* ---------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------
 */
static void
v_str(SfValue *v, const char *s)
{
	v->kind = s ? SFV_STRING : SFV_NULL;
	v->s = s;
}

static void
v_ref(SfValue *v, int row, SfObject parent)
{
	v->ref = row;
	v_str(v, row >= 0 ? sf_row_id(parent, row) : NULL);
}

static void
v_bool(SfValue *v, bool b)
{
	v->kind = SFV_BOOL;
	v->b = b;
}

static void
v_i64(SfValue *v, SfValKind kind, int64_t i, int scale)
{
	v->kind = i == SF_NULL_I64 ? SFV_NULL : kind;
	v->i = i;
	v->scale = scale;
}

static void
user_value(int row, int col, SfValue *v)
{
	const SfUser *u = &SF_PRIV->users[row];

	switch (col)
	{
		case U_ID:
			v_str(v, u->id);
			break;
		case U_NAME:
			v_str(v, u->name);
			break;
		case U_EMAIL:
			v_str(v, u->email);
			break;
		case U_ISACTIVE:
			v_bool(v, u->active);
			break;
		case U_TITLE:
			v_str(v, u->title);
			break;
		case U_CREATED:
			v_i64(v, SFV_DATETIME, u->created_ms, 0);
			break;
		case U_MODSTAMP:
			v_i64(v, SFV_DATETIME, u->modstamp_ms, 0);
			break;
	}
}

static void
account_value(int row, const SfFieldDef *f, SfValue *v)
{
	int			col = f->col;
	const SfAccount *a = &sf_world.accounts[row];
	const SfAccountExtra *x = &SF_PRIV->acc_extra[row];

	switch (col)
	{
		case A_ID:
			v_str(v, a->id);
			break;
		case A_ISDELETED:
			v_bool(v, false);
			break;
		case A_NAME:
			v_str(v, a->name);
			break;
		case A_INDUSTRY:
			v_str(v, a->industry);
			break;
		case A_TIER:
			v_str(v, sf_tier_name(a->crm_tier));
			break;
		case A_PHONE:
			v_str(v, a->phone_display);
			break;
		case A_WEBSITE:
			v_str(v, x->website);
			break;
		case A_COUNTRY:
			v_str(v, x->country);
			break;
		case A_REVENUE:
			v_i64(v, SFV_NUMBER, x->annual_revenue, 0);
			break;
		case A_EMPLOYEES:
			v_i64(v, SFV_NUMBER, x->employees, 0);
			break;
		case A_LTV:
			v_i64(v, SFV_NUMBER, a->ltv_cents, 2);
			break;
		case A_DESCRIPTION:
			v_str(v, x->description);
			break;
		case A_OWNERID:
			v_ref(v, x->owner_row, SF_OBJ_USER);
			break;
		case A_CREATED:
			v_i64(v, SFV_DATETIME, a->created_ms, 0);
			break;
		case A_MODSTAMP:
			v_i64(v, SFV_DATETIME, a->modstamp_ms, 0);
			break;
		case A_LASTACTIVITY:
			v_i64(v, SFV_DATE, x->last_activity_day, 0);
			break;
		default:
			wide_value(row, f, v);
			break;
	}
}

static void
case_value(int row, int col, SfValue *v)
{
	const SfCase *c = &SF_PRIV->cases[row];

	switch (col)
	{
		case C_ID:
			v_str(v, c->id);
			break;
		case C_ISDELETED:
			v_bool(v, c->deleted);
			break;
		case C_NUMBER:
			v_str(v, c->number);
			break;
		case C_ACCOUNTID:
			v_ref(v, c->account_row, SF_OBJ_ACCOUNT);
			break;
		case C_OWNERID:
			v_ref(v, c->owner_row, SF_OBJ_USER);
			break;
		case C_STATUS:
			v_str(v, c->status);
			break;
		case C_ISCLOSED:
			v_bool(v, c->closed);
			break;
		case C_PRIORITY:
			v_str(v, c->priority);
			break;
		case C_ORIGIN:
			v_str(v, c->origin);
			break;
		case C_TYPE:
			v_str(v, c->type);
			break;
		case C_SUBJECT:
			v_str(v, c->subject);
			break;
		case C_CREATED:
			v_i64(v, SFV_DATETIME, c->created_ms, 0);
			break;
		case C_CLOSED:
			v_i64(v, SFV_DATETIME, c->closed_ms, 0);
			break;
		case C_MODSTAMP:
			v_i64(v, SFV_DATETIME, c->modstamp_ms, 0);
			break;
	}
}

static void
opp_value(int row, int col, SfValue *v)
{
	const SfOpportunity *o = &SF_PRIV->opps[row];

	switch (col)
	{
		case O_ID:
			v_str(v, o->id);
			break;
		case O_ISDELETED:
			v_bool(v, o->deleted);
			break;
		case O_ACCOUNTID:
			v_ref(v, o->account_row, SF_OBJ_ACCOUNT);
			break;
		case O_OWNERID:
			v_ref(v, o->owner_row, SF_OBJ_USER);
			break;
		case O_NAME:
			v_str(v, o->name);
			break;
		case O_STAGE:
			v_str(v, o->stage);
			break;
		case O_ISCLOSED:
			v_bool(v, o->closed);
			break;
		case O_ISWON:
			v_bool(v, o->won);
			break;
		case O_AMOUNT:
			v_i64(v, SFV_NUMBER, o->amount_cents, 2);
			break;
		case O_CLOSEDATE:
			v_i64(v, SFV_DATE, o->close_day, 0);
			break;
		case O_PROBABILITY:
			v_i64(v, SFV_NUMBER, o->probability, 0);
			break;
		case O_CREATED:
			v_i64(v, SFV_DATETIME, o->created_ms, 0);
			break;
		case O_MODSTAMP:
			v_i64(v, SFV_DATETIME, o->modstamp_ms, 0);
			break;
	}
}

void
sf_value(SfObject obj, int row, const SfFieldDef *f, SfValue *v)
{
	memset(v, 0, sizeof(*v));
	v->ref = -1;
	switch (obj)
	{
		case SF_OBJ_USER:
			user_value(row, f->col, v);
			break;
		case SF_OBJ_ACCOUNT:
			account_value(row, f, v);
			break;
		case SF_OBJ_CASE:
			case_value(row, f->col, v);
			break;
		case SF_OBJ_OPPORTUNITY:
			opp_value(row, f->col, v);
			break;
		case SF_NOBJECTS:
			break;
	}
}

int
sf_nrows(SfObject obj)
{
	switch (obj)
	{
		case SF_OBJ_USER:
			return SF_PRIV->nusers;
		case SF_OBJ_ACCOUNT:
			return sf_world.naccounts;
		case SF_OBJ_CASE:
			return SF_PRIV->ncases;
		case SF_OBJ_OPPORTUNITY:
			return SF_PRIV->nopps;
		case SF_NOBJECTS:
			break;
	}
	return 0;
}

bool
sf_row_deleted(SfObject obj, int row)
{
	if (obj == SF_OBJ_CASE)
		return SF_PRIV->cases[row].deleted;
	if (obj == SF_OBJ_OPPORTUNITY)
		return SF_PRIV->opps[row].deleted;
	return false;
}

const char *
sf_row_id(SfObject obj, int row)
{
	switch (obj)
	{
		case SF_OBJ_USER:
			return SF_PRIV->users[row].id;
		case SF_OBJ_ACCOUNT:
			return sf_world.accounts[row].id;
		case SF_OBJ_CASE:
			return SF_PRIV->cases[row].id;
		case SF_OBJ_OPPORTUNITY:
			return SF_PRIV->opps[row].id;
		case SF_NOBJECTS:
			break;
	}
	return NULL;
}
