/*-------------------------------------------------------------------------
 *
 * sf_test.c
 *		Unit tests of the Salesforce side of gcsim: the world (determinism,
 *		ids, counts), the SOQL engine (every answer is recomputed here by
 *		filtering the generated arrays directly), value encodings, and
 *		sf_handle() called in-process (OAuth, paging, errors, describe,
 *		limits, session expiry).
 *
 *	sf_test [TMPDIR]	prints "ok"/"FAIL" lines, exits 1 on any failure
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_test.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

SimConfig	sim_config;

static int	nfail;
static int	nok;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			nok++; \
		else \
		{ \
			nfail++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

#define NOW_MS	INT64_C(1776686400000)	/* 2026-04-20T12:00:00Z */
#define DAY		MS_PER_DAY

static void
configure(uint64_t seed, int accounts)
{
	memset(&sim_config, 0, sizeof(sim_config));
	sim_config.seed = seed;
	sim_config.accounts = accounts;
	sim_config.now_ms = NOW_MS;
	sim_config.sf_batch_max = 2000;
	sim_config.sf_token_ttl_s = 7200;
	sim_config.sf_daily_limit = 100000;
	sim_config.sf_api_version = "62.0";
	sim_config.base_url = "http://127.0.0.1:9";
	sf_world_build();
}

/* ---------------------------------------------------------------------
 * SOQL against predicates computed here
 * ---------------------------------------------------------------------
 */
typedef bool (*RowPred) (int row);

/* runs soql; NULL (err filled) on a parse error */
static int *
run(const char *soql, bool all, int *n, SfError *err)
{
	SfQuery    *q = sf_soql_parse(soql, err);
	int		   *rows;

	if (q == NULL)
		return NULL;
	sf_soql_execute(q, all, &rows, n);
	sf_soql_free(q);
	return rows;
}

/*
 * The rows of obj (in row = Id order) that pred accepts must be exactly
 * what soql returns; skips soft-deleted rows unless all.
 */
static void
expect_rows(const char *soql, SfObject obj, bool all, RowPred pred)
{
	SfError		err;
	int			n,
				m = 0;
	int		   *rows = run(soql, all, &n, &err);
	bool		same = true;

	if (rows == NULL)
	{
		CHECK(false, "%s: %s %s", soql, err.code, err.message);
		return;
	}
	for (int r = 0; r < sf_nrows(obj); r++)
	{
		if ((!all && sf_row_deleted(obj, r)) || !pred(r))
			continue;
		if (m >= n || rows[m] != r)
			same = false;
		m++;
	}
	CHECK(same && m == n, "%s: expected %d rows, got %d%s", soql, m, n,
		  same ? "" : " (different rows)");
	CHECK(m > 0 || strstr(soql, "NOMATCH") != NULL,
		  "%s: the test's predicate matches nothing, so it proves little", soql);
	free(rows);
}

static void
expect_error(const char *soql, const char *code, const char *part)
{
	SfError		err;
	int			n;
	int		   *rows = run(soql, false, &n, &err);

	CHECK(rows == NULL && strcmp(err.code, code) == 0 &&
		  (part == NULL || strstr(err.message, part) != NULL),
		  "%s: expected %s (%s), got %s %s", soql, code, part ? part : "",
		  rows ? "rows" : err.code, rows ? "" : err.message);
	free(rows);
}

#define ACC(r) (&sf_world.accounts[r])
#define CASE(r) (&SF_PRIV->cases[r])
#define OPP(r) (&SF_PRIV->opps[r])

static bool
p_enterprise(int r)
{
	return ACC(r)->tier == SF_TIER_ENTERPRISE;
}
static bool
p_tech_fin_rich(int r)
{
	return (strcmp(ACC(r)->industry, "Technology") == 0 ||
			strcmp(ACC(r)->industry, "Finance") == 0) &&
		ACC(r)->ltv_cents > INT64_C(100000000);
}
static bool
p_not_smb_or_retail(int r)
{
	return !(ACC(r)->tier == SF_TIER_SMB || strcmp(ACC(r)->industry, "Retail") == 0);
}
static bool
p_not_in_tiers(int r)
{
	return ACC(r)->tier == SF_TIER_MID_MARKET;
}
static bool
p_ltv_exact(int r)
{
	return ACC(r)->ltv_cents >= INT64_C(1234567800) && ACC(r)->ltv_cents <= INT64_C(9000000000);
}
static bool
p_revenue_null(int r)
{
	return SF_PRIV->acc_extra[r].annual_revenue == SF_NULL_I64;
}
static bool
p_created_2024(int r)
{
	int64_t		lo = sim_days_from_civil(2024, 1, 1) * DAY - 3600 * 1000;	/* +01:00 */

	return ACC(r)->created_ms >= lo && ACC(r)->created_ms < sim_days_from_civil(2025, 1, 1) * DAY;
}
static bool
p_owner_active(int r)
{
	return SF_PRIV->users[SF_PRIV->acc_extra[r].owner_row].active;
}
static bool
p_name_like(int r)
{
	return strncasecmp(ACC(r)->name, "o'", 2) == 0;
}
static bool
p_phone_415(int r)
{
	return strncmp(ACC(r)->phone_display, "(415)", 5) == 0;
}
static bool
p_case_open(int r)
{
	return !CASE(r)->closed;
}
static bool
p_case_no_account(int r)
{
	return CASE(r)->account_row < 0;
}
static bool
p_case_has_account(int r)
{
	return CASE(r)->account_row >= 0;
}
static bool
p_case_percent(int r)
{
	return strchr(CASE(r)->subject, '%') != NULL;
}
static bool
p_case_underscore(int r)
{
	return strchr(CASE(r)->subject, '_') != NULL;
}
static bool
p_case_quote(int r)
{
	return strcmp(CASE(r)->subject, "Customer says \"it's broken\"") == 0;
}
static bool
p_case_backslash(int r)
{
	return strchr(CASE(r)->subject, '\\') != NULL;
}
static bool
p_case_cafe(int r)
{
	return strncmp(CASE(r)->subject, "Caf\u00e9", 5) == 0;
}
static bool
p_case_tab(int r)
{
	return strchr(CASE(r)->subject, '\t') != NULL;
}
static bool
p_case_deleted(int r)
{
	return CASE(r)->deleted;
}
static bool
p_case_ent_escalated(int r)
{
	return CASE(r)->account_row >= 0 &&
		ACC(CASE(r)->account_row)->tier == SF_TIER_ENTERPRISE &&
		strcmp(CASE(r)->status, "Escalated") == 0;
}
static bool
p_case_closed_late(int r)
{
	return CASE(r)->closed_ms != SF_NULL_I64 &&
		CASE(r)->closed_ms > NOW_MS - 90 * DAY;
}
static bool
p_opp_close_2025(int r)
{
	return OPP(r)->close_day < sim_days_from_civil(2025, 1, 1);
}
static bool
p_opp_amount(int r)
{
	return OPP(r)->amount_cents != SF_NULL_I64 && OPP(r)->amount_cents >= 1000000 &&
		OPP(r)->probability >= 50;
}
static bool
p_opp_not_won(int r)
{
	return !OPP(r)->won;
}
static bool
p_none(int r)
{
	(void) r;
	return false;
}

static bool
p_even_row(int row)
{
	return row % 2 == 0;
}

/*
 * An IN-list of 5,000 ids (half of them unknown) is answered by the
 * engine; over HTTP such a statement never fits in the 16 KB URL, which
 * test_http_query checks.
 */
static void
test_soql_long_in_list(void)
{
	StrBuf		q;
	int			nids = 0;

	sb_init(&q, 128 * 1024);
	sb_puts(&q, "SELECT Id FROM Account WHERE Id IN (");
	for (int r = 0; r < sf_nrows(SF_OBJ_ACCOUNT) && nids < 5000; r += 2, nids++)
		sb_printf(&q, "%s'%s'", nids ? "," : "", sf_row_id(SF_OBJ_ACCOUNT, r));
	for (; nids < 5000; nids++)
	{
		char		id[19];

		sf_make_id(id, "001", UINT64_C(900000000) + (uint64_t) nids);	/* no account */
		sb_printf(&q, ",'%s'", id);
	}
	sb_putc(&q, ')');
	expect_rows(q.data, SF_OBJ_ACCOUNT, false, p_even_row);
	sb_free(&q);
}

static void
test_soql_filters(void)
{
	expect_rows("SELECT Id FROM Account WHERE Tier__c = 'enterprise'",
				SF_OBJ_ACCOUNT, false, p_enterprise);
	expect_rows("select id from account where TIER__C = 'ENTERPRISE'",
				SF_OBJ_ACCOUNT, false, p_enterprise);
	expect_rows("SELECT Id, Name FROM Account WHERE Industry IN ('Technology', 'finance') AND Lifetime_Value__c > 1000000",
				SF_OBJ_ACCOUNT, false, p_tech_fin_rich);
	expect_rows("SELECT Id FROM Account WHERE NOT (Tier__c = 'SMB' OR Industry = 'Retail')",
				SF_OBJ_ACCOUNT, false, p_not_smb_or_retail);
	expect_rows("SELECT Id FROM Account WHERE Tier__c NOT IN ('Enterprise','SMB')",
				SF_OBJ_ACCOUNT, false, p_not_in_tiers);
	expect_rows("SELECT Id FROM Account WHERE Lifetime_Value__c >= 12345678 AND Lifetime_Value__c <= 9.0E7",
				SF_OBJ_ACCOUNT, false, p_ltv_exact);
	expect_rows("SELECT Id FROM Account WHERE AnnualRevenue = null",
				SF_OBJ_ACCOUNT, false, p_revenue_null);
	expect_rows("SELECT Id FROM Account WHERE CreatedDate >= 2024-01-01T00:00:00+01:00 AND CreatedDate < 2025-01-01T00:00:00.000Z",
				SF_OBJ_ACCOUNT, false, p_created_2024);
	expect_rows("SELECT Id FROM Account WHERE Owner.IsActive = true",
				SF_OBJ_ACCOUNT, false, p_owner_active);
	expect_rows("SELECT Id FROM Account WHERE Name LIKE 'O\\'%'",
				SF_OBJ_ACCOUNT, false, p_name_like);
	expect_rows("SELECT Id FROM Account WHERE Phone LIKE '(415)%'",
				SF_OBJ_ACCOUNT, false, p_phone_415);
	expect_rows("SELECT Id FROM Case WHERE IsClosed = false", SF_OBJ_CASE, false, p_case_open);
	expect_rows("SELECT Id FROM Case WHERE IsClosed = null", SF_OBJ_CASE, false, p_case_open);
	expect_rows("SELECT Id FROM Case WHERE Account.Name = null", SF_OBJ_CASE, false, p_case_no_account);
	expect_rows("SELECT Id FROM Case WHERE AccountId != null", SF_OBJ_CASE, false, p_case_has_account);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE '%\\%%'", SF_OBJ_CASE, false, p_case_percent);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE '%\\_%'", SF_OBJ_CASE, false, p_case_underscore);
	expect_rows("SELECT Id FROM Case WHERE Subject = 'Customer says \"it\\'s broken\"'",
				SF_OBJ_CASE, false, p_case_quote);
	expect_rows("SELECT Id FROM Case WHERE Subject = 'customer says \\\"IT\\'S broken\\\"'",
				SF_OBJ_CASE, false, p_case_quote);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE '%C:\\\\temp\\\\%'",
				SF_OBJ_CASE, false, p_case_backslash);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE 'Caf\\u00e9 %'", SF_OBJ_CASE, false, p_case_cafe);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE 'Caf_ menu%'", SF_OBJ_CASE, false, p_case_cafe);
	expect_rows("SELECT Id FROM Case WHERE Subject LIKE 'Tab\\tseparated%'", SF_OBJ_CASE, false, p_case_tab);
	expect_rows("SELECT Id FROM Case WHERE IsDeleted = true", SF_OBJ_CASE, true, p_case_deleted);
	expect_rows("SELECT Id FROM Case WHERE Account.Tier__c = 'Enterprise' AND Status = 'Escalated'",
				SF_OBJ_CASE, false, p_case_ent_escalated);
	{
		char		q[200],
					ts[40];

		sim_format_ts(ts, NOW_MS - 90 * DAY);
		snprintf(q, sizeof(q), "SELECT Id FROM Case WHERE ClosedDate > %s", ts);
		expect_rows(q, SF_OBJ_CASE, false, p_case_closed_late);
	}
	expect_rows("SELECT Id FROM Opportunity WHERE CloseDate < 2025-01-01", SF_OBJ_OPPORTUNITY, false, p_opp_close_2025);
	expect_rows("SELECT Id FROM Opportunity WHERE Amount >= 10000.00 AND Probability >= 50",
				SF_OBJ_OPPORTUNITY, false, p_opp_amount);
	expect_rows("SELECT Id FROM Opportunity WHERE IsWon != true", SF_OBJ_OPPORTUNITY, false, p_opp_not_won);
	expect_rows("SELECT Id FROM Account WHERE Name = 'NOMATCH'", SF_OBJ_ACCOUNT, false, p_none);

	/* ids: 15-char form and case-sensitivity */
	{
		char		q[200];
		SfError		err;
		int			n;
		int		   *rows;

		snprintf(q, sizeof(q), "SELECT Id FROM Account WHERE Id = '%.15s'", ACC(7)->id);
		rows = run(q, false, &n, &err);
		CHECK(rows && n == 1 && rows[0] == 7, "%s: 15-char id", q);
		free(rows);
		snprintf(q, sizeof(q), "SELECT Id FROM Case WHERE AccountId IN ('%s', '%s')",
				 ACC(3)->id, ACC(4)->id);
		rows = run(q, false, &n, &err);
		{
			int			m = 0;

			for (int r = 0; r < SF_PRIV->ncases; r++)
				if (!CASE(r)->deleted && (CASE(r)->account_row == 3 || CASE(r)->account_row == 4))
					m++;
			CHECK(rows && n == m, "%s: %d vs %d", q, rows ? n : -1, m);
		}
		free(rows);
	}

	/* open counts of SfAccount equal what a query finds */
	{
		bool		ok = true;
		int			checked = 0;

		for (int a = 0; a < sf_world.naccounts; a += 17)
		{
			char		q[200];
			SfError		err;
			int			n,
						m;
			int		   *rows;

			snprintf(q, sizeof(q), "SELECT COUNT() FROM Case WHERE AccountId = '%s' AND IsClosed = false", ACC(a)->id);
			rows = run(q, false, &n, &err);
			free(rows);
			snprintf(q, sizeof(q), "SELECT Id FROM Opportunity WHERE AccountId = '%s' AND IsClosed = false", ACC(a)->id);
			rows = run(q, false, &m, &err);
			free(rows);
			ok = ok && n == ACC(a)->open_cases && m == ACC(a)->open_opportunities;
			checked++;
		}
		CHECK(ok && checked > 10, "open_cases/open_opportunities equal the queried rows");
	}
}

/* ORDER BY, LIMIT, OFFSET, checked against sorts done here */
static int
cmp_ltv_desc(const void *a, const void *b)
{
	int64_t		x = ACC(*(const int *) a)->ltv_cents,
				y = ACC(*(const int *) b)->ltv_cents;

	return x != y ? (x < y ? 1 : -1) : *(const int *) a - *(const int *) b;
}

static void
test_soql_order(void)
{
	int			n = sf_world.naccounts;
	int		   *all = malloc(sizeof(int) * n);
	int		   *rows;
	int			got;
	SfError		err;
	bool		ok = true;

	for (int i = 0; i < n; i++)
		all[i] = i;
	qsort(all, n, sizeof(int), cmp_ltv_desc);
	rows = run("SELECT Id, Lifetime_Value__c FROM Account ORDER BY Lifetime_Value__c DESC LIMIT 25 OFFSET 10",
			   false, &got, &err);
	for (int i = 0; rows && i < got; i++)
		ok = ok && rows[i] == all[i + 10];
	CHECK(rows && got == 25 && ok, "ORDER BY DESC LIMIT OFFSET");
	free(rows);

	/* default ASC NULLS FIRST; NULLS LAST; second key */
	rows = run("SELECT Id FROM Account ORDER BY AnnualRevenue, Name DESC", false, &got, &err);
	ok = rows != NULL && got == n;
	for (int i = 1; ok && i < got; i++)
	{
		int64_t		a = SF_PRIV->acc_extra[rows[i - 1]].annual_revenue,
					b = SF_PRIV->acc_extra[rows[i]].annual_revenue;

		if (a == SF_NULL_I64 || b == SF_NULL_I64)
			ok = a == SF_NULL_I64;
		else if (a > b)
			ok = false;
		else if (a == b)
			ok = strcasecmp(ACC(rows[i - 1])->name, ACC(rows[i])->name) >= 0;
	}
	CHECK(ok, "ORDER BY AnnualRevenue (nulls first), Name DESC");
	free(rows);
	rows = run("SELECT Id FROM Account ORDER BY AnnualRevenue ASC NULLS LAST", false, &got, &err);
	CHECK(rows && got == n && SF_PRIV->acc_extra[rows[n - 1]].annual_revenue == SF_NULL_I64 &&
		  SF_PRIV->acc_extra[rows[0]].annual_revenue != SF_NULL_I64, "NULLS LAST");
	free(rows);
	rows = run("SELECT Id, Account.Name FROM Case ORDER BY Account.Name NULLS FIRST LIMIT 3", false, &got, &err);
	CHECK(rows && got == 3 && CASE(rows[0])->account_row < 0, "ORDER BY parent field, no parent first");
	free(rows);
	rows = run("SELECT COUNT() FROM Account WHERE Tier__c = 'SMB' LIMIT 5", false, &got, &err);
	CHECK(rows && got == 5, "COUNT() with LIMIT");
	free(rows);
	free(all);
}

static void
test_soql_errors(void)
{
	expect_error("SELECT Id FROM Account WHERE Name IS NULL", "MALFORMED_QUERY", "unexpected token: IS");
	expect_error("SELECT Id FROM Account WHERE Name = \"Acme\"", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account WHERE Name = 'a\\qb'", "MALFORMED_QUERY", "Illegal character sequence '\\q'");
	expect_error("SELECT Id FROM Account WHERE Name = 'a\\%b'", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account WHERE Name = 'a\\u00zz'", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account WHERE Name = 'open", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Foo FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'Account'");
	expect_error("SELECT Id FROM Account WHERE Bar__c = 1", "INVALID_FIELD", "No such column 'Bar__c' on entity 'Account'");
	expect_error("SELECT Owner.Nope FROM Account", "INVALID_FIELD", "No such column 'Nope' on entity 'User'");
	expect_error("SELECT Boss.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'Boss'");
	expect_error("SELECT Id FROM Widget__c", "INVALID_TYPE", "sObject type 'Widget__c' is not supported");
	expect_error("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", NULL);
	expect_error("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered");
	expect_error("SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD", "can not be sorted");
	expect_error("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_FIELD", "must be of type dateTime");
	expect_error("SELECT Id FROM Opportunity WHERE CloseDate > 2024-01-01T00:00:00Z", "INVALID_FIELD", "must be of type date");
	expect_error("SELECT Id FROM Account WHERE Lifetime_Value__c > '5'", "INVALID_FIELD", "must be of type double");
	expect_error("SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD", "must be of type string");
	expect_error("SELECT Id FROM Account WHERE Tier__c = 'SMB' AND Name = 'x' OR Name = 'y'", "MALFORMED_QUERY", "unexpected token: OR");
	expect_error("SELECT Id FROM Account WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc");
	expect_error("SELECT Id, Name, name FROM Account", "MALFORMED_QUERY", "duplicate field selected");
	expect_error("SELECT FROM Account", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id, (SELECT Id FROM Cases) FROM Account", "MALFORMED_QUERY", "subqueries");
	expect_error("SELECT COUNT(Id) FROM Account", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id, FROM Account", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "<EOF>");
	expect_error("SELECT Id FROM Account LIMIT -1", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account LIMIT 1e3", "MALFORMED_QUERY", NULL);
	expect_error("SELECT Id FROM Account WHERE CreatedDate > 2024-13-01T00:00:00Z", "MALFORMED_QUERY", NULL);
}

/* ---------------------------------------------------------------------
 * Encodings and the world
 * ---------------------------------------------------------------------
 */
static void
test_encodings(void)
{
	static const struct
	{
		int64_t		m;
		int			scale;
		const char *java;
	}			cases[] = {
		{1234567890, 2, "1.23456789E7"},
		{15000000, 0, "1.5E7"},
		{1500000, 2, "15000.0"},
		{5, 2, "0.05"},
		{99999999, 1, "9999999.9"},
		{100000000, 1, "1.0E7"},
		{-250, 2, "-2.5"},
		{0, 2, "0.0"},
		{INT64_C(12345678901234), 2, "1.2345678901234E11"},
	};
	char		buf[64],
				id[4];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		sf_format_java_double(buf, sizeof(buf), cases[i].m, cases[i].scale);
		CHECK(strcmp(buf, cases[i].java) == 0, "java double %lld/%d: %s, want %s",
			  (long long) cases[i].m, cases[i].scale, buf, cases[i].java);
	}
	sf_format_decimal(buf, sizeof(buf), 1234567890, 2);
	CHECK(strcmp(buf, "12345678.90") == 0, "decimal %s", buf);
	sf_format_datetime(buf, sim_days_from_civil(2024, 1, 15) * DAY + (9 * 3600 + 30 * 60) * 1000);
	CHECK(strcmp(buf, "2024-01-15T09:30:00.000+0000") == 0, "datetime %s", buf);
	/* the reference's own ids */
	sf_id_suffix("001xx000003DGb2", id);
	CHECK(strcmp(id, "AAG") == 0, "suffix of 001xx000003DGb2: %s", id);
	sf_id_suffix("005xx000001SwiU", id);
	CHECK(strcmp(id, "AAS") == 0, "suffix of 005xx000001SwiU: %s", id);
	{
		unsigned char mac[32];
		static const unsigned char want[4] = {0x5b, 0xdc, 0xc1, 0x46};

		/* RFC 4231 test case 2 */
		sf_hmac_sha256((const unsigned char *) "Jefe", 4,
					   (const unsigned char *) "what do ya want for nothing?", 28, mac);
		CHECK(memcmp(mac, want, 4) == 0, "HMAC-SHA256 RFC 4231 case 2");
	}
}

static char *
slurp(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_world(const char *tmp)
{
	char		d1[512],
				d2[512],
				p[600];
	char	   *a,
			   *b;
	int			tiers[3] = {0},
				orphan = 0,
				lines = 0;
	bool		ids_ok = true,
				phones_ok = true;

	snprintf(d1, sizeof(d1), "%s/truth1", tmp);
	snprintf(d2, sizeof(d2), "%s/truth2", tmp);
	configure(42, 2000);
	CHECK(sf_write_truth(d1) == 0, "truth written");
	configure(42, 2000);
	CHECK(sf_write_truth(d2) == 0, "truth written again");
	snprintf(p, sizeof(p), "%s/accounts.csv", d1);
	a = slurp(p);
	snprintf(p, sizeof(p), "%s/accounts.csv", d2);
	b = slurp(p);
	CHECK(a && b && strcmp(a, b) == 0, "same seed, same accounts.csv");
	CHECK(a && strncmp(a, "account_id,name,tier,industry,owner_id,owner_name,ltv,phone,open_cases,open_opportunities,created,system_modstamp\n", 109) == 0,
		  "accounts.csv header");
	for (char *s = a; s && *s; s++)
		lines += *s == '\n';
	CHECK(lines == 2001, "accounts.csv has 2000 rows: %d lines", lines);
	free(b);
	{
		char		cp[600];
		char	   *c;

		snprintf(cp, sizeof(cp), "%s/cases.csv", d1);
		c = slurp(cp);
		lines = 0;
		for (char *s = c; s && *s; s++)
			lines += *s == '\n';
		CHECK(lines == SF_PRIV->ncases + 1, "cases.csv has every case: %d lines", lines);
		free(c);
	}
	configure(43, 2000);
	CHECK(sf_write_truth(d2) == 0, "truth written for seed 43");
	b = slurp(p);
	CHECK(a && b && strcmp(a, b) != 0, "another seed, other accounts");
	free(a);
	free(b);

	configure(42, 2000);
	for (int i = 0; i < sf_world.naccounts; i++)
	{
		const SfAccount *acc = ACC(i);
		char		suffix[4];

		tiers[acc->tier]++;
		sf_id_suffix(acc->id, suffix);
		ids_ok = ids_ok && strlen(acc->id) == 18 && strncmp(acc->id, "001", 3) == 0 &&
			strcmp(acc->id + 15, suffix) == 0 && strncmp(acc->owner_id, "005", 3) == 0 &&
			(i == 0 || strcmp(ACC(i - 1)->id, acc->id) < 0);
		phones_ok = phones_ok && acc->phone[0] == '+';
		for (int j = 0; j < i && j < 200; j++)
			phones_ok = phones_ok && strcmp(ACC(j)->phone, acc->phone) != 0;
	}
	CHECK(ids_ok, "account ids: 18 chars, prefix 001, case-safe suffix, ascending");
	CHECK(phones_ok, "phones E.164 and distinct");
	CHECK(tiers[0] > 200 && tiers[0] < 400 && tiers[1] > 600 && tiers[1] < 800 &&
		  tiers[2] > 900 && tiers[2] < 1100, "tier mix %d/%d/%d", tiers[0], tiers[1], tiers[2]);
	for (int r = 0; r < SF_PRIV->ncases; r++)
		orphan += CASE(r)->account_row < 0;
	CHECK(orphan > 0, "some cases have no account (%d)", orphan);
}

/* ---------------------------------------------------------------------
 * sf_handle in-process
 * ---------------------------------------------------------------------
 */
typedef struct Exchange
{
	SimResponse resp;
	json_object *json;
} Exchange;

static void
exchange(Exchange *x, const char *method, const char *path, const char *query,
		 const char *body, const char *auth, const char *options, int64_t now)
{
	SimRequest	req;

	memset(&req, 0, sizeof(req));
	memset(x, 0, sizeof(*x));
	req.method = method;
	req.path = path;
	req.query = query ? query : "";
	req.body = body ? body : "";
	req.body_len = strlen(req.body);
	req.authorization = auth;
	req.sforce_query_options = options;
	req.url_len = strlen(path) + strlen(req.query) + 1;
	req.now_ms = now;
	CHECK(sf_handle(&req, &x->resp) == 1, "%s %s handled", method, path);
	x->json = x->resp.body ? json_tokener_parse(x->resp.body) : NULL;
}

static void
exchange_free(Exchange *x)
{
	json_object_put(x->json);
	free(x->resp.body);
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* errorCode of an error array body, or "" */
static const char *
error_code(const Exchange *x)
{
	if (x->json && json_object_is_type(x->json, json_type_array) &&
		json_object_array_length(x->json) == 1)
		return jstr(json_object_array_get_idx(x->json, 0), "errorCode");
	return "";
}

static const char *
header(const SimResponse *r, const char *name)
{
	for (int i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* a client-credentials token issued at now, as "Bearer ..." */
static char *
get_token(int64_t now)
{
	Exchange	x;
	char	   *auth = NULL;

	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=client_credentials&client_id=cid&client_secret=sec", NULL, NULL, now);
	if (jstr(x.json, "access_token"))
	{
		auth = malloc(strlen(jstr(x.json, "access_token")) + 8);
		sprintf(auth, "Bearer %s", jstr(x.json, "access_token"));
	}
	exchange_free(&x);
	return auth;
}

/* "q=" + percent-encoded soql */
static char *
q_arg(const char *soql)
{
	char	   *o = malloc(strlen(soql) * 3 + 3);
	char	   *p = o + 2;

	strcpy(o, "q=");
	for (const unsigned char *s = (const unsigned char *) soql; *s; s++)
	{
		if (isalnum(*s) || *s == '.' || *s == '_')
			*p++ = (char) *s;
		else if (*s == ' ')
			*p++ = '+';
		else
			p += sprintf(p, "%%%02X", *s);
	}
	*p = '\0';
	return o;
}

/* cents of a JSON number given as text, exactly (plain or E-notation) */
static bool
parse_cents(const char *s, int64_t *out)
{
	int64_t		m = 0;
	int			frac = -1,
				exp = 0;
	const char *p = s;

	for (; isdigit((unsigned char) *p) || *p == '.'; p++)
	{
		if (*p == '.')
			frac = 0;
		else
		{
			m = m * 10 + (*p - '0');
			if (frac >= 0)
				frac++;
		}
	}
	if (*p == 'E' || *p == 'e')
		exp = atoi(p + 1);
	exp += 2 - (frac < 0 ? 0 : frac);
	for (; exp > 0; exp--)
		m *= 10;
	for (; exp < 0; exp++)
	{
		if (m % 10 != 0)
			return false;
		m /= 10;
	}
	*out = m;
	return true;
}

static void
test_http_oauth(void)
{
	Exchange	x;
	char		basic[160],
				b64[128];

	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=client_credentials&client_id=cid&client_secret=sec", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 200 && jstr(x.json, "access_token") &&
		  strcmp(jstr(x.json, "instance_url"), "http://127.0.0.1:9") == 0 &&
		  strcmp(jstr(x.json, "token_type"), "Bearer") == 0 &&
		  strcmp(jstr(x.json, "issued_at"), "1776686400000") == 0 &&
		  jstr(x.json, "signature") && jstr(x.json, "id") && jstr(x.json, "scope") &&
		  jstr(x.json, "expires_in") == NULL,
		  "client_credentials token response: %s", x.resp.body);
	exchange_free(&x);

	sf_base64_encode((const unsigned char *) "cid:sec", 7, b64);
	snprintf(basic, sizeof(basic), "Basic %s", b64);
	exchange(&x, "POST", "/services/oauth2/token", NULL, "grant_type=client_credentials", basic, NULL, NOW_MS);
	CHECK(x.resp.status == 200 && jstr(x.json, "access_token"), "client_credentials with HTTP Basic");
	exchange_free(&x);

	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=refresh_token&refresh_token=5Aep861gcsim&client_id=cid", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 200 && jstr(x.json, "access_token"), "refresh_token grant");
	exchange_free(&x);

	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=refresh_token&refresh_token=revoked-1&client_id=cid", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(jstr(x.json, "error"), "invalid_grant") == 0, "revoked refresh token");
	exchange_free(&x);

	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=refresh_token&refresh_token=&client_id=cid", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(jstr(x.json, "error"), "invalid_grant") == 0, "empty refresh token");
	exchange_free(&x);

	exchange(&x, "POST", "/services/oauth2/token", NULL, "grant_type=password&client_id=cid", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(jstr(x.json, "error"), "unsupported_grant_type") == 0, "unknown grant");
	exchange_free(&x);

	sim_config.client_id = "cid";
	sim_config.client_secret = "sec";
	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=client_credentials&client_id=cid&client_secret=wrong", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(jstr(x.json, "error"), "invalid_client") == 0 &&
		  jstr(x.json, "error_description"), "wrong secret: %s", x.resp.body);
	exchange_free(&x);
	exchange(&x, "POST", "/services/oauth2/token", NULL,
			 "grant_type=client_credentials&client_id=cid&client_secret=sec", NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 200, "configured credentials accepted");
	exchange_free(&x);
	sim_config.client_id = NULL;
	sim_config.client_secret = NULL;
}

static void
test_http_session(void)
{
	Exchange	x;
	char	   *auth = get_token(NOW_MS);
	char	   *q = q_arg("SELECT COUNT() FROM Account");

	sim_config.sf_token_ttl_s = 60;
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS + 59000);
	CHECK(x.resp.status == 200, "token valid within the session timeout");
	exchange_free(&x);
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS + 61000);
	CHECK(x.resp.status == 401 && strcmp(error_code(&x), "INVALID_SESSION_ID") == 0 &&
		  strstr(x.resp.body, "Session expired or invalid"), "expired token: %s", x.resp.body);
	exchange_free(&x);
	sim_config.sf_token_ttl_s = 7200;
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, "Bearer 00Dgarbage", NULL, NOW_MS);
	CHECK(x.resp.status == 401 && strcmp(error_code(&x), "INVALID_SESSION_ID") == 0 &&
		  header(&x.resp, "Sforce-Limit-Info") != NULL, "garbage token (with Sforce-Limit-Info)");
	exchange_free(&x);
	{
		/* a forged issue time does not verify */
		char		forged[200];
		char	   *dot;

		snprintf(forged, sizeof(forged), "%s", auth);
		dot = strstr(forged, "gcsim.") + 6;
		dot[12] = dot[12] == '9' ? '8' : '9';
		exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, forged, NULL, NOW_MS);
		CHECK(x.resp.status == 401, "forged token rejected");
		exchange_free(&x);
	}
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, NULL, NULL, NOW_MS);
	CHECK(x.resp.status == 401, "no token");
	exchange_free(&x);
	free(q);
	free(auth);
}

static void
test_http_query(void)
{
	Exchange	x;
	char	   *auth = get_token(NOW_MS);
	char	   *q = q_arg("SELECT Id, Name, Lifetime_Value__c, Owner.Name, Owner.Email, CreatedDate, Tier__c FROM Account");
	char	   *seen = calloc(sf_world.naccounts, 1);
	char		path[256];
	int			pages = 0,
				total = 0,
				expo = 0;
	bool		order_ok = true,
				ltv_ok = true,
				shape_ok = true;
	int			last = -1;

	/* batchSize 500 asked, --sf-batch-max 700: pages of 500 */
	sim_config.sf_batch_max = 700;
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, "batchSize=500", NOW_MS);
	for (;;)
	{
		json_object *recs,
				   *next;

		CHECK(x.resp.status == 200, "query page %d: %d %s", pages, x.resp.status,
			  x.resp.status != 200 ? x.resp.body : "");
		if (x.resp.status != 200 || !json_object_object_get_ex(x.json, "records", &recs))
			break;
		pages++;
		CHECK(json_object_get_int(json_object_object_get(x.json, "totalSize")) == sf_world.naccounts,
			  "totalSize on every page");
		for (size_t i = 0; i < json_object_array_length(recs); i++)
		{
			json_object *r = json_object_array_get_idx(recs, i);
			json_object *ltv = json_object_object_get(r, "Lifetime_Value__c");
			json_object *owner = json_object_object_get(r, "Owner");
			const char *id = jstr(r, "Id");
			int			row = -1;
			int64_t		cents;

			for (int k = (last + 1) % sf_world.naccounts; id && k < sf_world.naccounts; k++)
				if (strcmp(ACC(k)->id, id) == 0)
				{
					row = k;
					break;
				}
			if (row < 0)
			{
				order_ok = false;
				continue;
			}
			order_ok = order_ok && row > last && !seen[row];
			seen[row] = 1;
			last = row;
			total++;
			/* json-c keeps a number's original text */
			expo += strchr(json_object_get_string(ltv), 'E') != NULL;
			ltv_ok = ltv_ok && parse_cents(json_object_get_string(ltv), &cents) &&
				cents == ACC(row)->ltv_cents;
			shape_ok = shape_ok && owner && json_object_object_get(owner, "attributes") &&
				strcmp(jstr(owner, "Name"), SF_PRIV->users[SF_PRIV->acc_extra[row].owner_row].name) == 0 &&
				strlen(jstr(r, "CreatedDate")) == 28 &&
				strcmp(jstr(r, "CreatedDate") + 23, "+0000") == 0;
			shape_ok = shape_ok && strcmp(jstr(json_object_object_get(r, "attributes"), "type"), "Account") == 0;
		}
		CHECK(json_object_array_length(recs) == 500 ||
			  json_object_get_boolean(json_object_object_get(x.json, "done")),
			  "a page holds batchSize records unless it is the last");
		if (json_object_get_boolean(json_object_object_get(x.json, "done")) ||
			!json_object_object_get_ex(x.json, "nextRecordsUrl", &next))
			break;
		snprintf(path, sizeof(path), "%s", json_object_get_string(next));
		exchange_free(&x);
		exchange(&x, "GET", path, NULL, NULL, auth, NULL, NOW_MS + 1000);
		CHECK(x.resp.endpoint && strcmp(x.resp.endpoint, "sf.query_more") == 0, "query_more endpoint label");
	}
	exchange_free(&x);
	CHECK(pages == (sf_world.naccounts + 499) / 500, "pages: %d", pages);
	CHECK(total == sf_world.naccounts && order_ok, "every account exactly once, in Id order (%d)", total);
	CHECK(ltv_ok && expo > 0 && expo < total, "Lifetime_Value__c exact, %d of %d in exponent form", expo, total);
	CHECK(shape_ok, "record shape: attributes, nested Owner, +0000 datetimes");
	free(seen);
	sim_config.sf_batch_max = 2000;

	/* the same locator again (a client retrying a page) and a bad one */
	exchange(&x, "GET", path, NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 200, "a locator can be read twice");
	exchange_free(&x);
	exchange(&x, "GET", path, NULL, NULL, auth, NULL, NOW_MS + 3 * DAY);
	CHECK(x.resp.status == 401 || strcmp(error_code(&x), "INVALID_QUERY_LOCATOR") == 0,
		  "a locator expires after 2 days");
	exchange_free(&x);
	exchange(&x, "GET", "/services/data/v62.0/query/01gSM0000000999AAA-2000", NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(error_code(&x), "INVALID_QUERY_LOCATOR") == 0, "unknown locator");
	exchange_free(&x);
	free(q);

	/* COUNT() */
	q = q_arg("SELECT COUNT() FROM Case WHERE IsClosed = false");
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS);
	{
		int			m = 0;

		for (int r = 0; r < SF_PRIV->ncases; r++)
			m += !CASE(r)->deleted && !CASE(r)->closed;
		CHECK(x.resp.status == 200 &&
			  json_object_get_int(json_object_object_get(x.json, "totalSize")) == m &&
			  json_object_array_length(json_object_object_get(x.json, "records")) == 0 &&
			  json_object_get_boolean(json_object_object_get(x.json, "done")),
			  "COUNT(): totalSize %d, no records: %.200s", m, x.resp.body);
	}
	exchange_free(&x);
	free(q);

	/* queryAll sees soft-deleted cases, query does not */
	{
		int			live = 0,
					dead = 0;

		for (int r = 0; r < SF_PRIV->ncases; r++)
			CASE(r)->deleted ? dead++ : live++;
		q = q_arg("SELECT COUNT() FROM Case");
		exchange(&x, "GET", "/services/data/v62.0/queryAll", q, NULL, auth, NULL, NOW_MS);
		CHECK(json_object_get_int(json_object_object_get(x.json, "totalSize")) == live + dead && dead > 0,
			  "queryAll counts deleted rows");
		exchange_free(&x);
		exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS);
		CHECK(json_object_get_int(json_object_object_get(x.json, "totalSize")) == live, "query skips them");
		exchange_free(&x);
		free(q);
	}

	/* a null parent, an escaped subject, a null field present */
	q = q_arg("SELECT Id, Subject, ClosedDate, Account.Name, Account.Tier__c FROM Case WHERE Subject = 'Customer says \"it\\'s broken\"' AND AccountId = null");
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS);
	{
		json_object *recs = json_object_object_get(x.json, "records");
		json_object *r0 = recs && json_object_array_length(recs) ? json_object_array_get_idx(recs, 0) : NULL;
		json_object *acc = NULL;

		CHECK(r0 && json_object_object_get_ex(r0, "Account", &acc) && acc == NULL &&
			  strcmp(jstr(r0, "Subject"), "Customer says \"it's broken\"") == 0 &&
			  json_object_object_get_ex(r0, "ClosedDate", NULL),
			  "Account null, Subject unescaped, every selected field present: %.300s", x.resp.body);
	}
	exchange_free(&x);
	free(q);

	/* errors at the HTTP level */
	q = q_arg("SELECT Id FROM Account WHERE Name IS NULL");
	exchange(&x, "GET", "/services/data/v62.0/query", q, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(error_code(&x), "MALFORMED_QUERY") == 0, "IS NULL over HTTP");
	CHECK(header(&x.resp, "Sforce-Limit-Info") && strncmp(header(&x.resp, "Sforce-Limit-Info"), "api-usage=", 10) == 0,
		  "Sforce-Limit-Info on an error");
	exchange_free(&x);
	free(q);
	{
		SimRequest	req;
		SimResponse resp;

		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		req.method = "GET";
		req.path = "/services/data/v62.0/query";
		req.query = "q=SELECT+Id+FROM+Account";
		req.body = "";
		req.authorization = auth;
		req.url_len = 16385;
		req.now_ms = NOW_MS;
		sf_handle(&req, &resp);
		CHECK(resp.status == 414, "URL over 16384 bytes: %d", resp.status);
		free(resp.body);
		memset(&resp, 0, sizeof(resp));
		req.url_len = 9000;
		req.header_len = 7385;
		sf_handle(&req, &resp);
		CHECK(resp.status == 431, "URL and headers over 16384 bytes: %d", resp.status);
		free(resp.body);
		memset(&resp, 0, sizeof(resp));
		req.header_len = 7384;
		sf_handle(&req, &resp);
		CHECK(resp.status == 200, "URL and headers of 16384 bytes: %d", resp.status);
		free(resp.body);
	}
	exchange(&x, "GET", "/services/data/v62.0/query", "", NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 400 && strcmp(error_code(&x), "MALFORMED_QUERY") == 0, "missing q");
	exchange_free(&x);
	exchange(&x, "GET", "/services/data/v99.0/limits", NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 404 && strcmp(error_code(&x), "NOT_FOUND") == 0, "unserved API version");
	exchange_free(&x);
	free(auth);
}

static void
test_http_describe_limits(void)
{
	Exchange	x;
	char	   *auth = get_token(NOW_MS);
	json_object *fields,
			   *v;
	bool		desc_ok = false,
				tier_ok = false,
				owner_ok = false,
				ltv_ok = false;

	exchange(&x, "GET", "/services/data/v62.0/sobjects/Account/describe", NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 200 && strcmp(jstr(x.json, "name"), "Account") == 0 &&
		  strcmp(jstr(x.json, "keyPrefix"), "001") == 0 &&
		  json_object_object_get_ex(x.json, "fields", &fields) &&
		  json_object_object_get_ex(x.json, "childRelationships", &v) &&
		  json_object_array_length(v) == 2, "describe Account shape");
	fields = json_object_object_get(x.json, "fields");
	for (size_t i = 0; fields && i < json_object_array_length(fields); i++)
	{
		json_object *f = json_object_array_get_idx(fields, i);
		const char *name = jstr(f, "name");

		if (strcmp(name, "Description") == 0)
			desc_ok = strcmp(jstr(f, "type"), "textarea") == 0 &&
				!json_object_get_boolean(json_object_object_get(f, "filterable")) &&
				json_object_get_int(json_object_object_get(f, "length")) == 32000;
		if (strcmp(name, "Tier__c") == 0)
			tier_ok = strcmp(jstr(f, "type"), "picklist") == 0 &&
				json_object_get_boolean(json_object_object_get(f, "custom")) &&
				json_object_array_length(json_object_object_get(f, "picklistValues")) == 3;
		if (strcmp(name, "OwnerId") == 0)
			owner_ok = strcmp(jstr(f, "type"), "reference") == 0 &&
				strcmp(jstr(f, "relationshipName"), "Owner") == 0 &&
				strcmp(json_object_get_string(json_object_array_get_idx(json_object_object_get(f, "referenceTo"), 0)), "User") == 0 &&
				strcmp(jstr(f, "soapType"), "tns:ID") == 0;
		if (strcmp(name, "Lifetime_Value__c") == 0)
			ltv_ok = strcmp(jstr(f, "type"), "currency") == 0 &&
				json_object_get_int(json_object_object_get(f, "precision")) == 16 &&
				json_object_get_int(json_object_object_get(f, "scale")) == 2 &&
				strcmp(jstr(f, "soapType"), "xsd:double") == 0;
	}
	CHECK(desc_ok && tier_ok && owner_ok && ltv_ok, "describe fields: Description %d Tier__c %d OwnerId %d LTV %d",
		  desc_ok, tier_ok, owner_ok, ltv_ok);
	CHECK(x.resp.endpoint && strcmp(x.resp.endpoint, "sf.describe") == 0, "describe endpoint label");
	exchange_free(&x);

	exchange(&x, "GET", "/services/data/v62.0/sobjects/Nope/describe", NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 404 && strcmp(error_code(&x), "NOT_FOUND") == 0, "describe of an unknown object");
	exchange_free(&x);
	exchange(&x, "GET", "/services/data/v62.0/sobjects/", NULL, NULL, auth, NULL, NOW_MS);
	CHECK(x.resp.status == 200 &&
		  json_object_array_length(json_object_object_get(x.json, "sobjects")) == SF_NOBJECTS, "sobjects list");
	exchange_free(&x);

	/* the allocation: a fresh limit of a few requests */
	sim_config.sf_daily_limit = 1000000;
	exchange(&x, "GET", "/services/data/v62.0/limits", NULL, NULL, auth, NULL, NOW_MS);
	{
		json_object *d = json_object_object_get(x.json, "DailyApiRequests");
		int			used = atoi(strchr(header(&x.resp, "Sforce-Limit-Info"), '=') + 1);

		CHECK(json_object_get_int(json_object_object_get(d, "Max")) == 1000000 &&
			  json_object_get_int(json_object_object_get(d, "Remaining")) == 1000000 - used &&
			  strcmp(x.resp.endpoint, "sf.limits") == 0, "limits: %s", x.resp.body);
		exchange_free(&x);
		sim_config.sf_daily_limit = used + 1;
		exchange(&x, "GET", "/services/data/v62.0/limits", NULL, NULL, auth, NULL, NOW_MS);
		CHECK(x.resp.status == 200, "last request within the allocation");
		exchange_free(&x);
		exchange(&x, "GET", "/services/data/v62.0/limits", NULL, NULL, auth, NULL, NOW_MS);
		CHECK(x.resp.status == 403 && strcmp(error_code(&x), "REQUEST_LIMIT_EXCEEDED") == 0 &&
			  strstr(x.resp.body, "TotalRequests Limit exceeded."), "over the allocation: %s", x.resp.body);
		exchange_free(&x);
		sim_config.sf_daily_limit = 100000000;
	}
	{
		SimResponse r;

		memset(&r, 0, sizeof(r));
		sf_error(&r, 503, "SERVER_UNAVAILABLE", "Try again \"later\"");
		CHECK(r.status == 503 && strcmp(r.body, "[{\"message\":\"Try again \\\"later\\\"\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]") == 0,
			  "sf_error body: %s", r.body);
		free(r.body);
	}
	free(auth);
}

int
main(int argc, char **argv)
{
	const char *tmp = argc > 1 ? argv[1] : "/tmp";

	test_encodings();
	test_world(tmp);
	configure(7, 1500);
	test_soql_filters();
	test_soql_long_in_list();
	test_soql_order();
	test_soql_errors();
	test_http_oauth();
	test_http_session();
	test_http_query();
	test_http_describe_limits();
	sf_world_free();
	printf("sf_test: %d checks passed, %d failed\n", nok, nfail);
	return nfail ? 1 : 0;
}
