#!/usr/bin/env python3
"""An HTTPS server on 127.0.0.1 for MTA-STS policies (server/tests/mta_sts.rs).

  https_server.py CERT KEY POLICIES.json   -> prints {"port": N} once listening

POLICIES.json maps a Host name to the body served at /.well-known/mta-sts.txt as text/plain;
anything else is 404. Runs until killed.
"""
import http.server
import json
import ssl
import sys

CERT, KEY, POLICIES = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        body = POLICIES.get(host)
        if self.path != "/.well-known/mta-sts.txt" or body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
