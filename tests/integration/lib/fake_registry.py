#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A loopback registry that misbehaves on purpose, for berth's fault tests.
#   fake_registry.py MODE UPSTREAM PORTFILE
# MODE: 500        every request answers 500 with a registry error body
#       drop       every request: the connection is closed without a response
#       drop-blob  manifests and small blobs are proxied from UPSTREAM (host:port); a blob
#                  larger than 64 KiB gets its headers and half its bytes, then the
#                  connection is closed
#       drop-blob:K  the same, for the first K such blob responses only (then whole ones);
#                  the count of cuts so far is written to PORTFILE.cuts
# Binds 127.0.0.1 on a free port and writes the port number to PORTFILE.
import http.server
import socket
import sys
import threading
import urllib.request

MODE, UPSTREAM, PORTFILE = sys.argv[1], sys.argv[2], sys.argv[3]
CUT_LIMIT = None
if MODE.startswith("drop-blob:"):
    MODE, CUT_LIMIT = "drop-blob", int(MODE.split(":", 1)[1])
cuts = 0
cuts_lock = threading.Lock()


def take_cut():
    """Whether this blob response is to be cut (counts it)."""
    global cuts
    with cuts_lock:
        if CUT_LIMIT is not None and cuts >= CUT_LIMIT:
            return False
        cuts += 1
        with open(PORTFILE + ".cuts", "w") as f:
            f.write(str(cuts))
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        if MODE == "500":
            body = b'{"errors":[{"code":"UNKNOWN","message":"internal error (fake)"}]}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if MODE == "drop":
            self.drop()
            return
        req = urllib.request.Request("http://" + UPSTREAM + self.path)
        for h in ("Accept", "Authorization"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            resp = urllib.request.urlopen(req)
            status, headers, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        self.send_response(status)
        for h in ("Content-Type", "Docker-Content-Digest", "WWW-Authenticate"):
            if headers.get(h):
                self.send_header(h, headers[h])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if "/blobs/" in self.path and len(body) > 65536 and (self.command != "GET" or take_cut()):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.drop()
            return
        self.wfile.write(body)

    do_HEAD = do_GET


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os

os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
