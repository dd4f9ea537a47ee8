#!/usr/bin/env python3
"""The baseline users have today: a cron'd Python ETL as the common tutorials
write it, run against the same gcsim as gcanalytics in `make bench`.

A token fetched once; the details query paged sequentially, one UTC day at a
time, until a page has no conversations (a 429 sleeps its Retry-After); each
conversation normalised in Python; one INSERT ... ON CONFLICT per row, a
commit per page.

usage: baseline_etl.py API_URL DSN FROM_DAY DAYS  -> prints "rows seconds requests"
"""
import datetime
import sys
import time

import psycopg2
import requests

CUSTOMER = ("customer", "external")


def normalise(c):
    """The row of one conversation record, as the tutorials compute it."""
    metrics = {}
    queues = []
    talk_by_agent = {}
    media = None
    for p in c.get("participants", []):
        for s in p.get("sessions", []):
            if media is None or p.get("purpose") in CUSTOMER:
                media = s.get("mediaType") if p.get("purpose") in CUSTOMER or media is None else media
            for m in s.get("metrics", []):
                metrics[m["name"]] = metrics.get(m["name"], 0) + m["value"]
                if m["name"] == "tTalk" and p.get("purpose") == "agent":
                    talk_by_agent[p.get("userId")] = talk_by_agent.get(p.get("userId"), 0) + m["value"]
            for g in s.get("segments", []):
                q = g.get("queueId")
                if q and q not in queues:
                    queues.append(q)
    agent = max(talk_by_agent, key=talk_by_agent.get) if talk_by_agent else None
    return (c["conversationId"], c["conversationStart"], c.get("conversationEnd"), media,
            queues[0] if queues else None, agent, metrics.get("tTalk", 0), metrics.get("tHeld", 0),
            metrics.get("tAcw", 0), metrics.get("tHandle", 0), metrics.get("tAcd", 0),
            "tAbandon" in metrics, metrics.get("nTransferred", 0))


def main():
    url, dsn, first, days = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    start = time.monotonic()
    token = requests.post(url + "/oauth/token", auth=("bench", "bench-secret"),
                          data={"grant_type": "client_credentials"}).json()["access_token"]
    http = requests.Session()
    http.headers["Authorization"] = "Bearer " + token
    db = psycopg2.connect(dsn)
    cur = db.cursor()
    cur.execute("""CREATE TABLE IF NOT EXISTS etl_conversations (
        conversation_id text PRIMARY KEY, conversation_start timestamptz, conversation_end timestamptz,
        media_type text, queue_id text, agent_id text, talk_ms bigint, held_ms bigint, acw_ms bigint,
        handle_ms bigint, acd_ms bigint, abandoned boolean, transfers int)""")
    db.commit()
    rows = requests_sent = 0
    day = datetime.date.fromisoformat(first)
    for _ in range(days):
        interval = "%sT00:00:00.000Z/%sT00:00:00.000Z" % (day, day + datetime.timedelta(days=1))
        page = 1
        while True:
            body = {"interval": interval, "order": "asc", "orderBy": "conversationStart",
                    "paging": {"pageSize": 100, "pageNumber": page}}
            r = http.post(url + "/api/v2/analytics/conversations/details/query", json=body)
            requests_sent += 1
            if r.status_code == 429:
                time.sleep(int(r.headers.get("Retry-After", "1")))
                continue
            r.raise_for_status()
            convs = r.json().get("conversations")
            if not convs:
                break
            for c in convs:
                cur.execute("""INSERT INTO etl_conversations VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)
                               ON CONFLICT (conversation_id) DO UPDATE SET
                                 conversation_end = EXCLUDED.conversation_end, talk_ms = EXCLUDED.talk_ms,
                                 handle_ms = EXCLUDED.handle_ms""", normalise(c))
                rows += 1
            db.commit()
            page += 1
        day += datetime.timedelta(days=1)
    print(rows, "%.1f" % (time.monotonic() - start), requests_sent)


if __name__ == "__main__":
    main()
