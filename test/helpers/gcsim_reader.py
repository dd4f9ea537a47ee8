#!/usr/bin/env python3
"""Reference readers of gcsim's conversation APIs, for the gcsim_* suites.

    gcsim_reader.py details URL INTERVAL PAGE_SIZE STRATEGY   details query
    gcsim_reader.py job URL INTERVAL PAGE_SIZE STRATEGY       details job
    gcsim_reader.py truth details|job INTERVAL TRUTH_DIR [BEFORE]

The truth command prints, sorted, the ids that a complete read must return,
from `gcsim truth`'s conversations.csv (covering the day before INTERVAL
too, for jobs): details, conversations started in the interval; job,
conversations that started before its end and ended at or after its start
(or still run), and with BEFORE (an ISO timestamp) only those started
before it.

prints the conversation ids read, one a line, in the order read (duplicates
kept), and on stderr one line "pages N rereads N totalHits N".  Strategies:

  total    details: pages 1..ceil(totalHits / pageSize), nothing checked
  naive    details: until a page has no or no more conversations;
           job: follows cursors, takes what each page holds
  correct  what test/simulator/README.md asks of a client: a page short of
           what totalHits (details) or its cursor (job: a page with a
           cursor is full) promises is read again, up to 3 times, then the
           reader fails (exit 3); details pages are read until
           "conversations" is omitted, ids are deduplicated.

Exit 3 = a page stayed short; 2 = usage or HTTP error.
"""
import base64
import csv
import datetime
import json
import sys
import urllib.request

RETRIES = 3


def token(url):
    req = urllib.request.Request(url + "/oauth/token", data=b"grant_type=client_credentials",
                                 headers={"Authorization": "Basic " +
                                          base64.b64encode(b"reader:secret").decode()})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["access_token"]


def call(url, tok, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data,
                                 headers={"Authorization": "Bearer " + tok,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def details(url, interval, size, strategy):
    tok = token(url)
    ids, page, pages, rereads, total = [], 1, 0, 0, None
    while True:
        for attempt in range(RETRIES + 1):
            r = call(url, tok, "/api/v2/analytics/conversations/details/query",
                     {"interval": interval, "paging": {"pageSize": size, "pageNumber": page}})
            pages += 1
            total = r["totalHits"]
            convs = r.get("conversations")
            offset = (page - 1) * size
            expected = min(size, total - offset) if offset < total else 0
            if strategy != "correct" or len(convs or []) >= expected:
                break
            rereads += 1
        else:
            print("page %d stays short: %d of %d" % (page, len(convs or []), expected),
                  file=sys.stderr)
            sys.exit(3)
        if strategy == "total":
            ids += [c["conversationId"] for c in convs or []]
            if page * size >= total:
                break
        elif strategy == "naive":
            if not convs:
                break
            ids += [c["conversationId"] for c in convs]
        else:
            if convs is None or (not convs and expected == 0):
                break
            ids += [c["conversationId"] for c in convs if c["conversationId"] not in set(ids)]
        page += 1
    return ids, pages, rereads, total


def job(url, interval, size, strategy):
    import time
    tok = token(url)
    base = "/api/v2/analytics/conversations/details/jobs"
    job_id = call(url, tok, base, {"interval": interval})["jobId"]
    while call(url, tok, base + "/" + job_id)["state"] != "FULFILLED":
        time.sleep(0.05)
    ids, cursor, pages, rereads, page = [], None, 0, 0, 0
    while True:
        page += 1
        path = "%s/%s/results?pageSize=%d" % (base, job_id, size)
        if cursor:
            path += "&cursor=" + cursor
        for attempt in range(RETRIES + 1):
            r = call(url, tok, path)
            pages += 1
            convs = r.get("conversations")
            if strategy != "correct" or "cursor" not in r or len(convs or []) >= size:
                break
            rereads += 1
        else:
            print("page %d stays short: %d of %d" % (page, len(convs or []), size),
                  file=sys.stderr)
            sys.exit(3)
        ids += [c["conversationId"] for c in convs or []]
        cursor = r.get("cursor")
        if not cursor:
            break
    return ids, pages, rereads, -1


def ms(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def truth(kind, interval, truth_dir, before=None):
    lo, hi = (ms(t) for t in interval.split("/"))
    out = []
    with open(truth_dir + "/conversations.csv") as f:
        for row in csv.DictReader(f):
            start = ms(row["conversation_start"])
            end = ms(row["conversation_end"]) if row["conversation_end"] else None
            if kind == "details":
                keep = lo <= start < hi
            else:
                keep = start < hi and (end is None or end >= lo)
            if keep and (before is None or start < ms(before)):
                out.append(row["conversation_id"])
    sys.stdout.write("".join(i + "\n" for i in sorted(out)))


def main():
    if len(sys.argv) in (5, 6) and sys.argv[1] == "truth":
        truth(*sys.argv[2:])
        return
    if len(sys.argv) != 6 or sys.argv[1] not in ("details", "job") or \
            sys.argv[5] not in ("total", "naive", "correct"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    fn = details if sys.argv[1] == "details" else job
    ids, pages, rereads, total = fn(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    print("pages %d rereads %d totalHits %d" % (pages, rereads, total), file=sys.stderr)
    sys.stdout.write("".join(i + "\n" for i in ids))


if __name__ == "__main__":
    main()
