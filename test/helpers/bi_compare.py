#!/usr/bin/env python3
"""test/helpers/bi_compare.py PAGES_JSON DB ROLE - the tables the Evidence
site rendered (bi_pages.mjs) against the same figures read with SQL from the
reporting schema as ROLE: every row shown, in order, each number equal to
SQL at the precision shown (16.3% for 0.1626 is equal, 16.2% is not), each
text equal; and no page with an error.  Prints one line per table; exits 1
on the first page with an error or any difference."""
import json
import os
import re
import subprocess
import sys

pages_json, db, role = sys.argv[1:4]
pages = json.load(open(pages_json))

# what each page's tables show: (page, header, SQL in Postgres with the
# columns in the order shown, kind of each column).  Kinds: text, date,
# bool, int (1,234), num (1,234.5: the decimals shown), pct (16.3%: a
# fraction of 1 times 100), usd ($1,234), any (not compared: a clock).
# The SQL is written here from the reporting views, not copied from the
# pages' DuckDB queries.
LAST_FINAL_WEEK = "(SELECT max(week) FROM gcanalytics_reports.{v} WHERE NOT provisional)"
LAST_FINAL_DAY = """(SELECT max(day) FROM (SELECT day FROM gcanalytics_reports.queue_interval
                                         GROUP BY day HAVING NOT bool_or(provisional)) d)"""
SPECS = [
    ('/', 'Week Tier Week before This week Change Releases',
     """SELECT week, tier, prev_rate, rate, change_rate, releases FROM gcanalytics_reports.escalation_insights
         WHERE significant ORDER BY week DESC, p_value""",
     'date text pct pct pct text'),
    ('/', 'Tier Conversations Escalated Escalation rate Escalated accounts LTV of escalated accounts',
     """SELECT tier, conversations, escalated, escalation_rate, escalated_accounts, escalated_ltv
          FROM gcanalytics_reports.escalation_by_tier ORDER BY escalation_rate DESC""",
     'text int int pct int usd'),
    ('/', 'Week Tier Conversations Escalated Escalation rate Provisional',
     """SELECT week, tier, conversations, escalated, escalation_rate, provisional
          FROM gcanalytics_reports.escalation_weekly ORDER BY week, tier""",
     'date text int int pct bool'),
    ('/', 'Dashboard Source Refreshed at Refresh Rows Complete through',
     """SELECT view_name, source, refreshed_at, refresh, row_count, complete_through
          FROM gcanalytics_reports.dashboard_status""",
     'text text any text int date'),
    ('/queues', 'Queue Media Offered Answered Service level Abandoned ASA (s) Avg wait (s) AHT (s) FCR Efficiency',
     """SELECT queue_name, media_type, offered, answered, service_level_rate, abandon_rate, asa_s, avg_wait_s,
               avg_handle_s, fcr_rate, efficiency_score
          FROM gcanalytics_reports.kpi_weekly
         WHERE week = """ + LAST_FINAL_WEEK.format(v='kpi_weekly') + """ AND direction = 'inbound' AND offered > 0
         ORDER BY offered DESC, queue_name, media_type""",
     'text text int int pct pct num num num pct num'),
    ('/queues', 'Interval Queue Media Offered Answered Abandoned Service level ASA (s) AHT (s)',
     """SELECT to_char(interval_local, 'YYYY-MM-DD HH24:MI'), queue_name, media_type, offered, answered, abandoned,
               service_level_rate, asa_s, avg_handle_s
          FROM gcanalytics_reports.queue_interval
         WHERE day = """ + LAST_FINAL_DAY + """ AND offered > 0
         ORDER BY offered DESC, interval_local, queue_name, media_type""",
     'text text text int int int pct num num'),
    ('/queues', 'Day Queue Media Offered Abandoned Abandon rate Avg wait (s) AHT (s) Interpolated Provisional',
     """SELECT day, queue_name, media_type, offered, abandoned, abandon_rate, avg_wait_s, avg_handle_s, interpolated,
               provisional
          FROM gcanalytics_reports.queue_daily WHERE offered > 0
         ORDER BY day DESC, offered DESC, queue_name, media_type""",
     'date text text int int pct num num bool bool'),
    ('/quality', 'Agent Form Evaluations Avg score Min Max Failed kill questions',
     """SELECT agent_name, form_name, evaluations, avg_score, min_score, max_score, failed_kill_questions
          FROM gcanalytics_reports.agent_quality WHERE evaluations >= 3
         ORDER BY avg_score, agent_name, form_name""",
     'text text int num num num int'),
    ('/containment', 'Industry Media Conversations Contained Containment Held',
     """SELECT industry, media_type, conversations, contained, containment_rate, held_rate
          FROM gcanalytics_reports.bot_containment_by_industry
         WHERE week = """ + LAST_FINAL_WEEK.format(v='bot_containment_by_industry') + """ AND contained > 0
         ORDER BY contained DESC, industry, media_type""",
     'text text int int pct pct'),
    ('/join-quality', 'Week Linked by Conversations Share Unlinked in the week Stale enrichments Warning Provisional',
     """SELECT week, link_method, conversations, share_rate, week_unlinked_rate, stale_enrichments, warning, provisional
          FROM gcanalytics_reports.join_quality ORDER BY week, link_method""",
     'date text int pct pct int text bool'),
]
# figures outside the tables: (page, SQL giving the text the page must show)
TEXTS = [
    ('/', "SELECT sentence FROM gcanalytics_reports.escalation_insights WHERE significant"),
    ('/quality', "SELECT to_char(sum(evaluations), 'FM999,999,999') FROM gcanalytics_reports.agent_quality"),
]


def query(sql):
    out = subprocess.run([os.path.join(os.environ['PG_BINDIR'], 'psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1',
                          '-d', db, '-U', role, '-c', f'SELECT coalesce(json_agg(row_to_json(q)), \'[]\') FROM ({sql}) q'],
                         check=True, capture_output=True, text=True).stdout
    return [list(r.values()) for r in json.loads(out)]


NULLS = ('', '-', '–', '—')


def equal(kind, shown, value):
    """shown (the page's text) equals value (SQL) at the precision shown"""
    if kind == 'any':
        return True
    if value is None:
        return shown in NULLS
    if kind in ('text', 'date'):
        return shown == str(value)
    if kind == 'bool':
        return shown == ('true' if value else 'false')
    m = re.fullmatch(r'(-?)\$?(-?[\d,]+)(?:\.(\d+))?(%?)', shown)
    if not m:
        return False
    decimals = len(m.group(3) or '')
    number = float((m.group(1) + m.group(2)).replace(',', '') + ('.' + m.group(3) if m.group(3) else ''))
    expected = float(value) * (100 if kind == 'pct' else 1)
    if kind == 'int' and decimals:
        return False
    return abs(number - expected) <= 0.5 * 10 ** -decimals + 1e-9


failed = False
for page, info in pages.items():
    if info['errors']:
        print(f'FAIL {page}: ' + '; '.join(info['errors'][:5]))
        failed = True
for page, header, sql, kinds in SPECS:
    kinds = kinds.split()
    tables = [t for t in pages[page]['tables'] if ' '.join(t['header']) == header]
    if not tables:
        print(f'FAIL {page}: no table with the columns {header}')
        failed = True
        continue
    shown = tables[0]['rows']
    expected = query(sql)
    bad = []
    if not shown:
        bad.append('no rows shown')
    if len(shown) > len(expected):
        bad.append(f'{len(shown)} rows shown, SQL has {len(expected)}')
    for i, (row, want) in enumerate(zip(shown, expected)):
        for j, kind in enumerate(kinds):
            if not equal(kind, row[j], want[j]):
                bad.append(f'row {i + 1} {header.split()[0]}={row[0]}: column {j + 1} shows {row[j]!r}, SQL {want[j]!r}')
    if bad:
        print(f'FAIL {page} table "{header}": ' + '; '.join(bad[:5]))
        failed = True
    else:
        print(f'ok   {page} table "{header}": {len(shown)} rows shown equal SQL (of {len(expected)})')
for page, sql in TEXTS:
    for (text,) in query(sql):
        if text not in pages[page]['text']:
            print(f'FAIL {page}: does not show {text!r}')
            failed = True
        else:
            print(f'ok   {page} shows {text!r}')
sys.exit(1 if failed else 0)
