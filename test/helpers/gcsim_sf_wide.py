#!/usr/bin/env python3
"""The wide Account of gcsim (--sf-wide-account N), for gcsim_salesforce.sh.

    gcsim_sf_wide.py URL N ACCOUNTS OUT.json

Checks describe (16 standard fields, then pkg__Field_1__c .. N__c with the
nine-type cycle of README-salesforce.md), selects Id and every wide field in
one query (URL under 16,384 bytes) and pages through all ACCOUNTS records,
checks each value against its described type, and checks that WHERE filters
on wide fields return exactly the ids whose selected values satisfy them.
Writes the records (without locators) to OUT.json so the caller can compare
two servers.  Exit 1 with a message on the first failure.
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

URL, N, ACCOUNTS, OUT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
V = "/services/data/v62.0"
CYCLE = ["string", "double", "boolean", "date", "datetime", "picklist", "currency",
         "percent", "textarea"]
WORDS = {"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
         "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa"}


def fail(msg):
    print("FAIL: sf wide: " + msg)
    sys.exit(1)


def get(path, tok):
    req = urllib.request.Request(URL + path, headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def query_path(soql):
    return V + "/query?q=" + urllib.parse.quote_plus(soql)


def query_all(soql, tok):
    status, body = get(query_path(soql), tok)
    records = []
    while True:
        if status != 200:
            fail("%s: HTTP %d %s" % (soql[:80], status, body))
        records += body["records"]
        if body["done"]:
            return records
        status, body = get(body["nextRecordsUrl"], tok)


def main():
    data = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "a",
                                   "client_secret": "b"}).encode()
    with urllib.request.urlopen(URL + "/services/oauth2/token", data) as r:
        tok = json.load(r)["access_token"]

    status, desc = get(V + "/sobjects/Account/describe", tok)
    fields = desc["fields"]
    if status != 200 or len(fields) != 16 + N:
        fail("describe has %d fields, expected %d" % (len(fields), 16 + N))
    wide = fields[16:]
    for i, f in enumerate(wide, 1):
        want = CYCLE[(i - 1) % 9]
        if f["name"] != "pkg__Field_%d__c" % i or f["type"] != want or not f["custom"]:
            fail("field %d: %s %s, expected pkg__Field_%d__c %s" % (i, f["name"], f["type"], i, want))
        if f["filterable"] != (want != "textarea") or f["nillable"] != (want != "boolean"):
            fail("%s: filterable %s nillable %s" % (f["name"], f["filterable"], f["nillable"]))
    print("ok: describe lists %d fields, pkg__Field_1__c..%d__c in the nine-type cycle" % (len(fields), N))

    soql = "SELECT Id," + ",".join(f["name"] for f in wide) + " FROM Account"
    if len(query_path(soql)) > 16384:
        fail("the select of every field is a URL of %d bytes" % len(query_path(soql)))
    records = query_all(soql, tok)
    if len(records) != ACCOUNTS or len({r["Id"] for r in records}) != ACCOUNTS:
        fail("%d records, expected %d distinct" % (len(records), ACCOUNTS))
    nulls = nillable = 0
    for r in records:
        if len(r) != N + 2:
            fail("record %s has %d members, expected %d" % (r["Id"], len(r), N + 2))
        for f in wide:
            v, t = r[f["name"]], f["type"]
            if v is None:
                if t == "boolean":
                    fail("%s of %s is null" % (f["name"], r["Id"]))
                nulls += 1
                nillable += 1
                continue
            nillable += t != "boolean"
            picks = {p["value"] for p in f["picklistValues"]}
            ok = {"string": lambda: v in WORDS,
                  "double": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "boolean": lambda: isinstance(v, bool),
                  "date": lambda: re.fullmatch(r"\d{4}-\d\d-\d\d", v) is not None,
                  "datetime": lambda: re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", v) is not None,
                  "picklist": lambda: v in picks,
                  "currency": lambda: isinstance(v, (int, float)) and v >= 0,
                  "percent": lambda: isinstance(v, (int, float)) and 0 <= v <= 100,
                  "textarea": lambda: isinstance(v, str) and len(v) > 10}[t]()
            if not ok:
                fail("%s of %s: %r is not a %s" % (f["name"], r["Id"], v, t))
    share = nulls / nillable
    if not 0.13 <= share <= 0.17:
        fail("null share %.3f, expected about 0.15" % share)
    print("ok: %d records of %d wide fields, values of their described types, %.1f %% null"
          % (len(records), N, 100 * share))

    by_id = {r["Id"]: r for r in records}
    checks = [("pkg__Field_6__c = 'Gold'", lambda r: r["pkg__Field_6__c"] == "Gold"),
              ("pkg__Field_3__c = true", lambda r: r["pkg__Field_3__c"] is True),
              ("pkg__Field_4__c < 2023-01-01", lambda r: r["pkg__Field_4__c"] is not None and
               r["pkg__Field_4__c"] < "2023-01-01"),
              ("pkg__Field_%d__c > 0" % (N - N % 9 - 7), lambda r: (r["pkg__Field_%d__c" % (N - N % 9 - 7)]
                                                                   or 0) > 0),
              ("pkg__Field_1__c = null", lambda r: r["pkg__Field_1__c"] is None)]
    for cond, pred in checks:
        got = {r["Id"] for r in query_all("SELECT Id FROM Account WHERE " + cond, tok)}
        want = {i for i, r in by_id.items() if pred(r)}
        if got != want or not want:
            fail("WHERE %s: %d ids, the selected values say %d" % (cond, len(got), len(want)))
        print("ok: WHERE %s returns the %d accounts whose values say so" % (cond, len(want)))
    with open(OUT, "w") as f:
        json.dump(records, f, sort_keys=True)


main()
