"""An email backend for the real-worker tests: it records every message it accepts in a file.

It stands in for the mail provider. A JSON control file in the same folder makes it misbehave the way a
provider does: fail with a transient error a number of times per message, or hang in the middle of a
send (so the test can kill the worker there).
"""

import hashlib
import json
import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def mail_dir() -> Path:
    return Path(os.environ["TEST_MAIL_DIR"])


def sent_messages(directory: Path) -> list[dict]:
    path = directory / "sent.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = mail_dir()
        control_path = directory / "control.json"
        control = json.loads(control_path.read_text()) if control_path.exists() else {}
        for message in email_messages:
            key = message.extra_headers.get("X-Referral-Notification", message.subject)
            if control.get("hang_on_send"):
                (directory / "hanging").write_text(key)
                time.sleep(120)
            attempts_path = directory / f"attempts-{hashlib.sha1(key.encode()).hexdigest()}"
            attempts = int(attempts_path.read_text()) + 1 if attempts_path.exists() else 1
            attempts_path.write_text(str(attempts))
            if attempts <= control.get("fail_transient", 0):
                raise smtplib.SMTPServerDisconnected(f"simulated provider outage (attempt {attempts})")
            record = {
                "key": key,
                "to": message.to,
                "subject": message.subject,
                "message_id": message.extra_headers.get("Message-ID", ""),
            }
            with open(directory / "sent.jsonl", "a", encoding="utf-8") as sent:
                sent.write(json.dumps(record) + "\n")
        return len(email_messages)
