"""A real HTTPS receiver on 127.0.0.1 (a thread in the test process), with a certificate made for the test.

Fixtures (a pytest plugin of tests/conftest.py) for tests/webhooks and the real-worker tests
(tests/notifications/test_worker.py).
"""

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test receiver's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:hooks.partner.test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Receiver:
    """Records each request; answers with the next status from ``answers`` (then 200).

    With ``hang`` set, the next request is recorded and then held without an answer (``hanging`` is set)
    until ``release`` is set: a receiver that got the body while the sender died.
    """

    def __init__(self, server):
        self.server = server
        self.requests = []
        self.answers = []
        self.hang = False
        self.hanging = threading.Event()
        self.release = threading.Event()

    @property
    def url(self):
        return f"https://127.0.0.1:{self.server.server_address[1]}/hooks/referrals"


@pytest.fixture
def receiver(certificate, settings):
    cert, key = certificate
    settings.WEBHOOK_CA_FILE = str(cert)
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on 127.0.0.1
    state = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            receiver = state["receiver"]
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = {"headers": dict(self.headers), "body": body, "path": self.path, "status": None}
            receiver.requests.append(request)
            if receiver.hang:
                receiver.hang = False
                receiver.hanging.set()
                receiver.release.wait(120)
                return
            answers = receiver.answers
            status = answers.pop(0) if answers else 200
            request["status"] = status
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state["receiver"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    state["receiver"].release.set()
    server.shutdown()
    server.server_close()
