#!/usr/bin/python3
"""test/helpers/odbc_check.py SOCKET_DIR PORT DB ROLE - the reporting schema
as an ODBC tool (Tableau, Power BI, Excel) sees it through Debian's psqlODBC
and pyodbc, logged in as ROLE (a LOGIN role granted gcanalytics_reader):

- SQLTables of gcanalytics_reports lists exactly the reporting views, each
  of which the role reads;
- with the settings README "BI tools" gives (BoolsAsChar=0,
  TextAsLongVarchar=0, MaxVarcharSize=65535) SQLColumns and the rows read
  have the reporting types: rates numeric(7,4), seconds numeric with a
  fixed scale, counts bigint, booleans SQL_BIT, text SQL_WVARCHAR, no
  arrays, no numeric without a scale; every value read has its column's
  type and scale;
- the rates read are the fractions of the counts read beside them;
- with the driver's defaults, booleans arrive as text and text as long
  varchar: what the README tells to change.

Prints what it checked; exits 1 on the first difference.  Uses Debian's
/usr/bin/python3 (python3-pyodbc)."""
import datetime
import decimal
import sys

import pyodbc

socket_dir, port, db, role = sys.argv[1:5]
BASE = f'DRIVER={{PostgreSQL Unicode}};Servername={socket_dir};Port={port};Database={db};Username={role};'
SETTINGS = 'BoolsAsChar=0;TextAsLongVarchar=0;MaxVarcharSize=65535;'

SQL_BIT, SQL_BIGINT, SQL_NUMERIC, SQL_DOUBLE, SQL_FLOAT = -7, -5, 2, 8, 6
SQL_WVARCHAR, SQL_WLONGVARCHAR, SQL_VARCHAR, SQL_LONGVARCHAR = -9, -10, 12, -1
SQL_TYPE_DATE, SQL_TYPE_TIMESTAMP = 91, 93


def fail(msg):
    print(f'FAIL: {msg}')
    sys.exit(1)


def ok(msg):
    print(f'ok: {msg}')


conn = pyodbc.connect(BASE + SETTINGS, autocommit=True)
cur = conn.cursor()

# what the reporting schema must hold, from the catalog (not from ODBC)
cur.execute("SELECT unnest(gcanalytics.report_views()) ORDER BY 1")
expected = [r[0] for r in cur.fetchall()]
listed = sorted((r.table_name, r.table_type) for r in cur.tables(schema='gcanalytics_reports'))
if [t for t, _ in listed] != expected:
    fail(f'SQLTables lists {[t for t, _ in listed]}, the reporting views are {expected}')
if {k for _, k in listed} != {'VIEW'}:
    fail(f'SQLTables types {listed}')
for t, _ in listed:
    cur.execute("SELECT has_table_privilege(?, 'SELECT')", f'gcanalytics_reports.{t}')
    if not cur.fetchone()[0]:
        fail(f'{role} cannot read gcanalytics_reports.{t}, which SQLTables lists')
ok(f'SQLTables of gcanalytics_reports as {role}: exactly the {len(listed)} reporting views, each readable')

total_columns = 0
for view in expected:
    cols = list(cur.columns(schema='gcanalytics_reports', table=view))
    cur.execute("""SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory
                     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
                f'gcanalytics_reports.{view}')
    catalog = cur.fetchall()
    if [c.column_name for c in cols] != [c[0] for c in catalog]:
        fail(f'{view}: SQLColumns {[c.column_name for c in cols]} against the catalog {[c[0] for c in catalog]}')
    for c, (_, pgtype, category) in zip(cols, catalog):
        name, dt = c.column_name, c.data_type
        where = f'{view}.{name} ({pgtype}, ODBC type {dt} size {c.column_size} digits {c.decimal_digits})'
        if category == 'A':
            fail(f'{where}: an array in a reporting view')
        if pgtype == 'numeric':
            fail(f'{where}: numeric without a fixed scale')
        if name.endswith('_rate') and (dt, c.column_size, c.decimal_digits) != (SQL_NUMERIC, 7, 4):
            fail(f'{where}: a rate is not numeric(7,4)')
        if name.endswith('_s') and not (dt == SQL_NUMERIC and c.decimal_digits == 3):
            fail(f'{where}: seconds are not numeric with 3 decimals')
        want = {'bigint': SQL_BIGINT, 'boolean': SQL_BIT, 'text': SQL_WVARCHAR, 'date': SQL_TYPE_DATE,
                'timestamp with time zone': SQL_TYPE_TIMESTAMP, 'timestamp without time zone': SQL_TYPE_TIMESTAMP,
                'double precision': SQL_FLOAT}.get(
                    pgtype, SQL_NUMERIC if pgtype.startswith('numeric(') else None)
        if want is None or dt != want:
            fail(f'{where}: expected ODBC type {want}')
        if pgtype.startswith('numeric('):
            p, s = (int(x) for x in pgtype[8:-1].split(','))
            if (c.column_size, c.decimal_digits) != (p, s):
                fail(f'{where}: precision and scale differ from the view\'s')
    total_columns += len(cols)

    # every value read has its column's type (and a numeric its scale)
    cur.execute(f'SELECT * FROM gcanalytics_reports.{view}')
    desc = cur.description
    rows = cur.fetchall()
    pytypes = {SQL_BIGINT: int, SQL_BIT: bool, SQL_WVARCHAR: str, SQL_TYPE_DATE: datetime.date,
               SQL_TYPE_TIMESTAMP: datetime.datetime, SQL_FLOAT: float, SQL_NUMERIC: decimal.Decimal}
    for i, c in enumerate(cols):
        want = pytypes[c.data_type]
        if desc[i][1] is not want:
            fail(f'{view}.{c.column_name}: read as {desc[i][1]}, expected {want}')
        for r in rows:
            v = r[i]
            if v is None:
                continue
            if type(v) is not want:
                fail(f'{view}.{c.column_name}: value {v!r} is not {want}')
            if want is decimal.Decimal and v.as_tuple().exponent != -c.decimal_digits:
                fail(f'{view}.{c.column_name}: value {v} has not {c.decimal_digits} decimals')
    cur.execute(f'SELECT count(*) FROM gcanalytics_reports.{view}')
    n = cur.fetchone()[0]
    if len(rows) != n:
        fail(f'{view}: {len(rows)} rows read, count(*) says {n}')
    ok(f'{view}: {len(cols)} columns of the reporting types, {len(rows)} rows read with those types')

# the rates are fractions of 1: equal (to 4 decimals) to the counts read beside them
cur.execute('SELECT tier, conversations, escalated, escalation_rate FROM gcanalytics_reports.escalation_by_tier')
rows = cur.fetchall()
for tier, n, x, rate in rows:
    if abs(float(rate) - x / n) > 0.00005 + 1e-12:
        fail(f'escalation_by_tier {tier}: escalation_rate {rate}, escalated / conversations = {x / n}')
cur.execute('SELECT week, conversations, share_rate FROM gcanalytics_reports.join_quality')
rows = cur.fetchall()
weeks = {}
for w, n, _ in rows:
    weeks[w] = weeks.get(w, 0) + n
for w, n, share in rows:
    if abs(float(share) - n / weeks[w]) > 0.00005 + 1e-12:
        fail(f'join_quality {w}: share_rate {share}, conversations / the week\'s = {n / weeks[w]}')
ok(f'rates read are fractions of 1 (escalation_by_tier, join_quality: {len(rows)} rows)')

# the comments are in pg_description, where pgJDBC's getTables/getColumns
# read REMARKS; psqlODBC fills REMARKS with nothing whatever the catalog says
cur.execute("""SELECT count(*) FILTER (WHERE col_description(a.attrelid, a.attnum) IS NULL),
                      count(*) FILTER (WHERE a.attname LIKE '%\\_rate' AND col_description(a.attrelid, a.attnum) NOT LIKE '%fraction of 1%'),
                      count(DISTINCT c.oid) FILTER (WHERE obj_description(c.oid, 'pg_class') IS NULL)
                 FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'gcanalytics_reports'::regnamespace""")
no_comment, rate_not_fraction, no_view_comment = cur.fetchone()
if no_comment or no_view_comment:
    fail(f'{no_comment} columns and {no_view_comment} views of gcanalytics_reports have no comment')
remarks = {c.remarks for v in expected for c in cur.columns(schema='gcanalytics_reports', table=v)}
ok(f'every reporting view and column has a comment (pg_description); psqlODBC REMARKS: {remarks}'
   + ('' if not rate_not_fraction else f', {rate_not_fraction} rate comments without "fraction of 1"'))
if rate_not_fraction:
    fail(f'{rate_not_fraction} *_rate columns whose comment does not say fraction of 1')
conn.close()

# the driver's defaults: what the README's settings change
conn = pyodbc.connect(BASE, autocommit=True)
cur = conn.cursor()
c = {c.column_name: c for c in cur.columns(schema='gcanalytics_reports', table='escalation_insights')}
cur.execute('SELECT significant, sentence FROM gcanalytics_reports.escalation_insights LIMIT 1')
if c['significant'].data_type == SQL_BIT or c['sentence'].data_type != SQL_WLONGVARCHAR:
    fail('psqlODBC\'s defaults changed: boolean as SQL_BIT or text not as long varchar; update README "BI tools"')
ok(f'driver defaults: boolean as {c["significant"].type_name} type {c["significant"].data_type} '
   f'(read as {cur.description[0][1].__name__}), text as type {c["sentence"].data_type} size {c["sentence"].column_size}: '
   'hence BoolsAsChar=0, TextAsLongVarchar=0, MaxVarcharSize=65535 in README "BI tools"')
conn.close()
