#!/usr/bin/env python3
"""fake-github.py — the few GitHub REST API endpoints the GitOps recipes call, on loopback.

    python3 t/fake-github.py ROOT PORTFILE TOKEN

For t/7030 (docs/gitops.md): serves GET requests from files under ROOT (the URL path,
query ignored: ROOT/repos/o/r/commits/SHA/pulls holds that answer's JSON, any other file
is served as bytes), and keeps pull-request comments in memory: GET, POST
/repos/O/R/issues/N/comments and PATCH /repos/O/R/issues/comments/ID, as GitHub answers
them. Every request but one without "Authorization: Bearer TOKEN" (401) is logged to
ROOT/requests.log as "METHOD PATH". Binds 127.0.0.1 on a free port, written to PORTFILE, and
writes its own pid to PORTFILE.pid (a launcher such as a pyenv shim may fork, so the
pid the shell saw is not always the server's).
"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORTFILE, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
COMMENTS = {}  # issue number -> [{"id", "body"}]
NEXT_ID = [1000]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def route(self, method):
        path = self.path.split("?", 1)[0]
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.reply(401, {"message": "Bad credentials"})
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write(f"{method} {path}\n")
        body = None
        if method in ("POST", "PATCH"):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", path)
        if m and method == "GET":
            return self.reply(200, COMMENTS.get(m[1], []))
        if m and method == "POST":
            NEXT_ID[0] += 1
            comment = {"id": NEXT_ID[0], "body": body["body"]}
            COMMENTS.setdefault(m[1], []).append(comment)
            return self.reply(201, comment)
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", path)
        if m and method == "PATCH":
            for comment in (c for cs in COMMENTS.values() for c in cs):
                if comment["id"] == int(m[1]):
                    comment["body"] = body["body"]
                    return self.reply(200, comment)
        file = os.path.normpath(os.path.join(ROOT, path.lstrip("/")))
        if method == "GET" and file.startswith(ROOT) and os.path.isfile(file):
            with open(file, "rb") as f:
                return self.reply(200, f.read(), "application/octet-stream")
        return self.reply(404, {"message": "Not Found"})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")


ROOT = os.path.abspath(ROOT)
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".pid", "w") as f:
    f.write(str(os.getpid()))
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
