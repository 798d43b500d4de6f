#!/usr/bin/env python3
"""A tiny webhook receiver for trying hookrelay: prints every POST it gets and answers 200.

    python3 scripts/receiver.py [PORT]          # default 9000
    WEBHOOK_SECRET=whsec_... python3 scripts/receiver.py 9000   # also verifies signatures

Set FAIL_FIRST=N to answer 500 to the first N requests (to watch retries).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "")
FAIL_FIRST = int(os.environ.get("FAIL_FIRST", "0"))
seen = 0


def verify(headers, body):
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, g) for g in given)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        print(f"--- POST {self.path}")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "x-webhook-event", "x-webhook-attempt"):
            print(f"{name}: {self.headers.get(name)}")
        if SECRET:
            print("signature:", "valid" if verify(self.headers, body) else "INVALID")
        try:
            print(json.dumps(json.loads(body), indent=2))
        except ValueError:
            print(body)
        sys.stdout.flush()
        status = 500 if seen <= FAIL_FIRST else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"failing on purpose")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"receiver listening on http://127.0.0.1:{port}", flush=True)
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
