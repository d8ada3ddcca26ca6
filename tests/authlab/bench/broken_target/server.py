"""A deliberately broken target: GET /me answers 200 with no credential at all.

The bench's verify step must refuse it before any load (tests/authlab/bench/test_targets.py).
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
        self._answer(200, {"status": "ok"} if self.path == "/health" else {"username": "anyone"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/register":
            self._answer(201, {"username": body.get("username", "")})
        elif self.path == "/login" and body.get("password") == "authlab-load-password":
            self._answer(200, {"access_token": "not-checked"})
        else:
            self._answer(401, {"error": "invalid_credentials"})

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Broken).serve_forever()
