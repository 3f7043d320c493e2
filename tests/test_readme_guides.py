"""The README's interoperability guides work as written: their `sh` blocks run, in order, in one shell per
guide, with curl, against a live server holding the demo network. Only BASE is given (the guides say to
set it); everything else the blocks do themselves (sign in, find the program, write the Bundle)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from referrals.models import Referral, ReferralEvent

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def guide_blocks(heading: str) -> list[str]:
    """The ```sh blocks of the README section under ``heading`` (up to the next heading of any level)."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    following = re.search(r"^#{2,3} ", text[start + len(heading) + 2 :], re.MULTILINE)
    section = text[start : start + len(heading) + 2 + following.start()] if following else text[start:]
    return FENCE.findall(section)


def run_guide(heading: str, base_url: str, folder: Path) -> list[str]:
    """Runs the guide's blocks in one bash; returns what each curl printed, a line per JSON answer."""
    blocks = guide_blocks(heading)
    assert blocks, f"no sh blocks under {heading}"
    script = "set -euo pipefail\n" + "\n".join(blocks)
    require_tools()
    completed = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env={"BASE": base_url, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, f"{heading} failed:\n{completed.stderr}\n{completed.stdout}"
    return completed.stdout


def require_tools():
    missing = [tool for tool in ("bash", "curl", "python3") if not shutil.which(tool)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {', '.join(missing)} to run the README's guides.")
        pytest.skip(f"the README's guides need {', '.join(missing)}")


def json_documents(output: str) -> list:
    """The JSON documents curl printed one after another (no newline between them)."""
    decoder, documents, index = json.JSONDecoder(), [], 0
    while index < len(output):
        while index < len(output) and output[index].isspace():
            index += 1
        if index >= len(output):
            break
        document, index = decoder.raw_decode(output, index)
        documents.append(document)
    return documents


@pytest.fixture
def demo(transactional_db):
    from referrals.demo import seed

    seed()


def test_read_our_directory_runs_as_written(demo, live_server, tmp_path):
    answers = json_documents(run_guide("### Read our directory (HSDS)", live_server.url, tmp_path))
    metadata, services, terms, places, minimal = answers
    assert metadata["openapi_url"] == f"{live_server.url}/hsds/openapi.json"
    assert services["contents"] and all("food" in json.dumps(s).lower() for s in services["contents"])
    assert {term["name"] for term in terms["contents"]} >= {"Food", "Housing", "Health"}
    assert places["contents"] and all(place["location"]["id"] for place in places["contents"])
    assert minimal["total_items"] == 13
    lines = (tmp_path / "directory.ndjson").read_text().splitlines()
    assert len(lines) == 13 and all("service_at_locations" in json.loads(line) for line in lines)


def test_connect_your_ehr_runs_as_written(demo, live_server, tmp_path):
    before = Referral.objects_across_tenants.count()
    answers = json_documents(run_guide("### Connect your EHR (FHIR)", live_server.url, tmp_path))
    transaction_response, tasks = answers
    assert transaction_response["type"] == "transaction-response"
    referral = Referral.objects_across_tenants.select_related("seeker", "program", "referred_by").latest("sent_at")
    assert Referral.objects_across_tenants.count() == before + 1
    assert (referral.seeker.first_name, referral.seeker.last_name) == ("Carmen", "Rivera")
    assert referral.program.name == "Community Food Pantry"
    assert referral.referred_by.email == "maria@northside.example"
    assert referral.events.get(kind=ReferralEvent.Kind.CREATED).via == ReferralEvent.Via.FHIR
    assert transaction_response["entry"][2]["response"]["location"] == f"Task/{referral.public_id}/_history/1"
    # The poll lists the new Task among those Maria may see.
    assert str(referral.public_id) in {entry["resource"]["id"] for entry in tasks["entry"]}
