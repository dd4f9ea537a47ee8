-- Salesforce objects: IMPORT FOREIGN SCHEMA from describe and the SOQL of
-- each pushed operator, pinned with EXPLAIN (VERBOSE, COSTS OFF).  Planning
-- reads describe from the harness's gcsim (GCSIM_DEFAULT_URL); EXPLAIN
-- without ANALYZE sends no query.
\set VERBOSITY terse
\getenv sfurl GCSIM_DEFAULT_URL
CREATE SERVER ex_sf FOREIGN DATA WRAPPER gcanalytics_fdw
    OPTIONS (service 'salesforce', instance_url :'sfurl', page_size '500');
CREATE USER MAPPING FOR CURRENT_USER SERVER ex_sf
    OPTIONS (client_id 'explain-client', client_secret 'explain-secret-never-shown');
CREATE SCHEMA exsf;
IMPORT FOREIGN SCHEMA sobjects LIMIT TO (account, "Case") FROM SERVER ex_sf INTO exsf;
-- the type map
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'exsf.account'::regclass AND attnum > 0 ORDER BY attnum;
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'exsf.account'::regclass;

-- only the fields the query reads
EXPLAIN (VERBOSE, COSTS OFF) SELECT "Id", "Name" FROM exsf.account;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM exsf.account;
-- = with a quote, a backslash and a %: escaped, never spliced
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Name" = 'O''Brien \ 100% & Co';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Name" = 'x'' OR Name != ''y';
-- LIKE: % and _ stay wildcards, escaped ones become \% and \_
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Name" LIKE 'A\%b\_c%d_''e\\f';
-- IN and = ANY
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Tier__c" IN ('SMB', 'Enterprise', 'SMB');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Industry" = ANY (ARRAY['Retail', 'Finance']);
-- comparisons on numbers, dates and datetimes (milliseconds widened)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account
 WHERE "NumberOfEmployees" <> 50 AND "Lifetime_Value__c" >= 1.5e7
   AND "AnnualRevenue" < 1000000.5 AND "LastActivityDate" <= '2025-01-31'
   AND "CreatedDate" > '2024-01-15 09:30:00.250+01' AND "SystemModstamp" < '2026-01-01 00:00:00.001+00';
-- a datetime equality with milliseconds cannot be said in SOQL: left local
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "CreatedDate" = '2024-01-15 09:30:00.250+00';
-- null tests become = null / != null; booleans
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "AnnualRevenue" IS NULL AND "OwnerId" IS NOT NULL;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf."Case" WHERE "IsClosed" AND NOT "IsDeleted";
-- strings: no <>, < or > (SOQL compares them case-insensitively)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Name" <> 'Acme' AND "Name" > 'M';
-- Description is not filterable (describe): never in WHERE
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Description" = 'x';
-- = under a case-insensitive collation is not sent
CREATE COLLATION exsf_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Name" = 'acme' COLLATE exsf_ci;
-- a malformed id matches nothing: no request
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Id" = 'not-an-id';
-- a long IN-list is split into queries whose URLs stay under 2,000 characters
SELECT 'ARRAY[' || string_agg(quote_literal('001SM' || lpad(i::text, 10, '0') || 'AAA'), ',') || ']' AS ids
  FROM generate_series(1, 70) i \gset
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Id" = ANY (:ids) AND "Tier__c" = 'SMB';
-- ORDER BY (explicit NULLS) and LIMIT when every condition is exact
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Lifetime_Value__c" > 1000
 ORDER BY "Lifetime_Value__c" DESC, "CreatedDate" LIMIT 10;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account ORDER BY "CreatedDate" NULLS FIRST LIMIT 10 OFFSET 5;
-- no LIMIT when a condition is inexact or stays local, no ORDER BY on text
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Tier__c" = 'SMB' LIMIT 10;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account WHERE "Lifetime_Value__c" > 1000 AND "Name" > 'M' LIMIT 10;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT "Id" FROM exsf.account ORDER BY "Name" LIMIT 10;
-- parent fields through the field option; a join on the id per outer row
CREATE FOREIGN TABLE exsf.account_owner (
    id text OPTIONS (field 'Id'),
    owner_name text OPTIONS (field 'owner.name'),
    owner_email text OPTIONS (field 'Owner.Email'))
  SERVER ex_sf OPTIONS (sobject 'Account');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id, owner_name FROM exsf.account_owner WHERE owner_email LIKE '%@example.com';
CREATE TEMP TABLE few (account_id text);
INSERT INTO few VALUES ('001SM0000000000001AAA');
ANALYZE few;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT f.account_id, a."Tier__c" FROM few f JOIN exsf.account a ON a."Id" = f.account_id;
-- errors at planning: unknown fields and objects
CREATE FOREIGN TABLE exsf.bad_field ("Id" text, "NoSuchField__c" text)
  SERVER ex_sf OPTIONS (sobject 'Account');
EXPLAIN (COSTS OFF) SELECT * FROM exsf.bad_field;
CREATE FOREIGN TABLE exsf.bad_parent (x text OPTIONS (field 'Nobody.Name'))
  SERVER ex_sf OPTIONS (sobject 'Account');
EXPLAIN (COSTS OFF) SELECT * FROM exsf.bad_parent;
CREATE FOREIGN TABLE exsf.bad_object ("Id" text) SERVER ex_sf OPTIONS (sobject 'NoSuchObject');
EXPLAIN (COSTS OFF) SELECT * FROM exsf.bad_object;
IMPORT FOREIGN SCHEMA analytics FROM SERVER ex_sf INTO exsf;
-- the secret appears nowhere
SELECT count(*) AS secret_in_options FROM pg_foreign_table
 WHERE array_to_string(ftoptions, ',') LIKE '%never-shown%';
DROP SCHEMA exsf CASCADE;
DROP COLLATION exsf_ci;
DROP SERVER ex_sf CASCADE;
