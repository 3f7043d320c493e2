"""A loopback stand-in for Twilio's Messages API, for the Twilio backend's tests and the real-worker tests.

An HTTP server on 127.0.0.1 (a thread of the test process) that answers
``POST /2010-04-01/Accounts/<sid>/Messages.json`` as Twilio does: 201 with the message's JSON, or the error the
test queued (``answers``: (status, code) pairs used first, e.g. a 500 twice, or 400 with Twilio's code 21614
for a landline). ``hang`` makes it hold a request until ``release`` is set (the worker is killed meanwhile).
The ``twilio`` client is pointed at it with ``TWILIO_API_BASE_URL``; no request leaves the machine.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


class TwilioStandIn:
    def __init__(self):
        self.requests: list[dict] = []  # every request, with "answered": the status sent back (None: none)
        self.answers: list[tuple[int, int]] = []
        self.hang = False
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                record = {
                    "path": self.path,
                    "form": form,
                    "auth": self.headers.get("Authorization", ""),
                    "answered": None,
                }
                with standin.lock:
                    standin.requests.append(record)
                    answer = standin.answers.pop(0) if standin.answers else None
                    hang = standin.hang
                if hang:
                    standin.hanging.set()
                    standin.release.wait(120)
                    return  # the connection is dropped: the worker that sent it is dead
                if answer is None:
                    status = 201
                    payload = {
                        "sid": f"SM{uuid.uuid4().hex}",
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                    }
                else:
                    status, code = answer
                    payload = {
                        "code": code,
                        "message": f"Simulated error {code}",
                        "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    }
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                record["answered"] = status

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def sent(self) -> list[dict]:
        """The messages it accepted (answered 201)."""
        return [request["form"] for request in self.requests if request["answered"] == 201]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


TWILIO_SETTINGS = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "test-auth-token",
    "TWILIO_FROM_NUMBER": "+13125550100",
}


@pytest.fixture
def twilio(settings):
    """The stand-in, with the Twilio backend pointed at it."""
    standin = TwilioStandIn().start()
    settings.SMS_BACKEND = "sms.backends.TwilioBackend"
    settings.TWILIO_API_BASE_URL = standin.url
    for name, value in TWILIO_SETTINGS.items():
        setattr(settings, name, value)
    yield standin
    standin.stop()
