"""Markup typed into a program, its organization or a category is shown as text on the public pages (anyone may
open them, so anything a claimer or an import wrote reaches strangers), in both languages."""

import pytest
from django.core.cache import cache
from django.test import Client

from programs.services import category_get_or_create

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_markup_stays_text_on_every_public_page(network):
    program = network.program
    program.name = f"Pantry {SCRIPT}"
    program.description = program.eligibility = program.schedule = program.next_steps = SCRIPT
    program.next_steps_es = SCRIPT
    program.address, program.city = SCRIPT, SCRIPT
    program.save()
    program.categories.set([category_get_or_create(name=f"Food {SCRIPT}")])
    network.provider.name = SCRIPT
    network.provider.save()
    pages = [
        "/find/",
        "/find/?zip=60640",
        "/find/?q=pantry",
        f"/find/programs/{program.public_id}/",
        f"/find/?zip=60640&q={SCRIPT}",
    ]
    for language in ("en", "es"):
        visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
        for path in pages:
            response = visitor.get(path)
            assert response.status_code in (200, 400), path
            page = response.content.decode()
            assert "<script>alert" not in page and "<img src=x" not in page, (language, path)
        assert "&lt;script&gt;" in visitor.get(f"/find/programs/{program.public_id}/").content.decode()
