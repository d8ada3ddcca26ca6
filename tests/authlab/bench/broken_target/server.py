"""A deliberately broken target: GET /me answers 200 with no credential at all.

The bench's verify step must refuse it before any load (tests/authlab/bench/test_targets.py).
With `checked` after the port it checks the Bearer token instead: a server that passes,
for the test of a target already running.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Broken(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._answer(200, {"status": "ok"})
        elif CHECKED and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, {"error": "unauthenticated"})
        else:
            self._answer(200, {"username": "anyone"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/register":
            self._answer(201, {"username": body.get("username", "")})
        elif self.path == "/login" and body.get("password") == "authlab-load-password":
            self._answer(200, {"access_token": TOKEN})
        else:
            self._answer(401, {"error": "invalid_credentials"})

    def log_message(self, *args: object) -> None:
        pass


TOKEN = "one-token-for-all"
CHECKED = sys.argv[2:] == ["checked"]

if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Broken).serve_forever()
