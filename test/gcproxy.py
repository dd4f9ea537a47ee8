#!/usr/bin/env python3
"""test/gcproxy.py - a loopback proxy in front of gcsim for what gcsim does
not simulate:

  --vanish FILE      evaluation ids, one a line: their Quality API GET answers
                     404 (deleted after the details query listed them)

Usage: gcproxy.py --upstream http://127.0.0.1:PORT [options]; prints
"gcproxy listening on http://127.0.0.1:PORT" when ready.  Everything else
is forwarded unchanged (status, headers, body).
"""
import argparse
import http.client
import http.server
import re
import sys
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", required=True)
ap.add_argument("--vanish")
args = ap.parse_args()
up = urllib.parse.urlsplit(args.upstream)
vanish = set()
if args.vanish:
    with open(args.vanish) as f:
        vanish = {line.strip() for line in f if line.strip()}
QUALITY = re.compile(r"^/api/v2/quality/conversations/[^/]+/evaluations/([^/?]+)")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_body(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self):
        path = self.path
        m = QUALITY.match(path)
        if m and m.group(1) in vanish:
            body = b'{"message":"Not found","code":"not.found","status":404}'
            return self.send_body(404, [("Content-Type", "application/json")], body)
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else None
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        try:
            conn.request(self.command, path, body=data, headers=hdrs)
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            self.close_connection = True   # gcsim dropped it: drop ours too
            return
        finally:
            conn.close()
        self.send_body(r.status, r.getheaders(), body)

    do_GET = do_POST = do_DELETE = forward


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("gcproxy listening on http://127.0.0.1:%d" % srv.server_address[1], flush=True)
srv.serve_forever()
