"""The public directory (/find/, issue 16 item 1): anyone finds programs by zip code, kind of help and words, and
reads a program's page, in English or Spanish, without signing in; only programs and organizations show."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from programs.services import category_get_or_create
from tests.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

UPTOWN = {"zip_code": "60640", "latitude": 41.9719, "longitude": -87.6624}
LOOP = {"zip_code": "60601", "latitude": 41.8858, "longitude": -87.6181}


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.FIND_PAGE_CACHE_SECONDS = 0  # the tests of the cache switch it on
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anyone():
    return Client()


@pytest.fixture
def pantry(network):
    program = network.program
    program.categories.set([category_get_or_create(name="Food")])
    for name, value in {
        **UPTOWN,
        "address": "4733 N Broadway St",
        "city": "Chicago",
        "state": "IL",
        "phone": "3125550142",
        "schedule": "Mondays and Thursdays, 9 to 5",
        "description": "Weekly groceries and fresh produce.",
        "eligibility": "Cook County residents.",
        "min_age": 18,
        "languages": ["en", "es"],
        "next_steps": "Bring a photo ID.",
        "next_steps_es": "Traiga una identificación con foto.",
        "capacity_available": 7,
        "accepts_referrals": True,
    }.items():
        setattr(program, name, value)
    program.save()
    return program


def html(response) -> str:
    return response.content.decode()


def names_in_order(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/find/programs/[^"]+/"[^>]*>([^<]+)</a></h3>', page)


def test_anyone_finds_programs_near_a_zip_code_nearest_first(anyone, network, pantry):
    ProgramFactory(name="Loop Legal Clinic", organization=network.provider, **LOOP)
    ProgramFactory(
        name="Springfield Pantry", organization=network.provider, zip_code="62701", latitude=39.80, longitude=-89.65
    )
    response = anyone.get("/find/", {"zip": "60640-1234"})
    assert response.status_code == 200
    page = html(response)
    found = names_in_order(page)
    assert found[0] == "Community Food Pantry" and found[-1] == "Springfield Pantry"
    assert "Loop Legal Clinic" in found
    assert "near 60640" in page and re.search(r"\d+\.\d miles away", page)
    assert f'href="/find/programs/{pantry.public_id}/"' in page
    assert 'href="tel:+13125550142"' in page and "google.com/maps/search" in page
    assert 'lang="en"' in page.split(">", 2)[1] or '<html lang="en">' in page

    within = names_in_order(html(anyone.get("/find/", {"zip": "60640", "radius": "10"})))
    assert "Springfield Pantry" not in within and "Loop Legal Clinic" in within


def test_by_kind_of_help_and_by_words(anyone, network, pantry):
    ProgramFactory(name="Loop Legal Clinic", organization=network.provider, description="Tenant advice.", **LOOP)
    assert names_in_order(html(anyone.get("/find/", {"category": "food"}))) == ["Community Food Pantry"]
    assert names_in_order(html(anyone.get("/find/", {"q": "tenant"}))) == ["Loop Legal Clinic"]
    landing = html(anyone.get("/find/"))
    assert 'href="/find/?category=food"' in landing  # the kinds of help, one tap each


def test_the_staff_search_and_the_public_one_find_the_same_programs(client, anyone, network, pantry):
    for number in range(5):
        ProgramFactory(name=f"Pantry {number}", organization=network.provider, **LOOP)
    client.force_login(network.referrer)
    query = {"zip": "60640", "radius": "25", "q": "pantry"}
    staff = re.findall(r'<h3 id="program-[^"]+">([^<]+)</h3>', html(client.get("/programs/", query)))
    public = names_in_order(html(anyone.get("/find/", query)))
    assert public == staff and len(public) == 6


def test_a_program_page_says_what_where_when_and_how(anyone, pantry):
    page = html(anyone.get(f"/find/programs/{pantry.public_id}/"))
    for text in (
        "Community Food Pantry",
        "City Food Bank",
        "Weekly groceries and fresh produce.",
        "Cook County residents.",
        "Ages 18 and over.",
        "English, Spanish",
        "Mondays and Thursdays, 9 to 5",
        "Bring a photo ID.",
        "Accepting new people now",
        "7 open slots",
    ):
        assert text in page, text
    assert 'href="tel:+13125550142"' in page
    assert re.search(r'href="https://www\.google\.com/maps/search/\?api=1&amp;query=4733\+N\+Broadway', page)
    assert "css/find.css" in page  # its print layout


def test_a_program_not_accepting_says_so(anyone, pantry):
    pantry.accepts_referrals = False
    pantry.save()
    page = html(anyone.get(f"/find/programs/{pantry.public_id}/"))
    assert "Not accepting new people right now" in page and "open slots" not in page


def test_in_spanish_with_the_programs_own_words_marked_as_english(anyone, pantry):
    page = html(anyone.get(f"/find/programs/{pantry.public_id}/", HTTP_ACCEPT_LANGUAGE="es"))
    assert '<html lang="es">' in page
    assert "Quiénes pueden recibir ayuda" in page and "Alimentos" in page and "Inglés, Español" in page
    assert '<h1 id="program-name" lang="en">Community Food Pantry</h1>' in page
    assert '<p lang="en">Weekly groceries and fresh produce.</p>' in page
    assert "<p>Traiga una identificación con foto.</p>" in page and "Bring a photo ID." not in page

    pantry.next_steps_es = ""
    pantry.save()
    page = html(anyone.get(f"/find/programs/{pantry.public_id}/", HTTP_ACCEPT_LANGUAGE="es"))
    assert '<p lang="en">Bring a photo ID.</p>' in page

    english = html(anyone.get(f"/find/programs/{pantry.public_id}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="en">Community' not in english and "<p>Weekly groceries and fresh produce.</p>" in english


def test_the_language_switch_is_remembered(anyone, pantry):
    search = "/find/?zip=60640&category=food"
    page = html(anyone.get(search))
    switch = re.search(r'<a href="(/find/language/\?[^"]+)" lang="es"', page).group(1).replace("&amp;", "&")
    response = anyone.get(switch)
    assert response.status_code == 302 and response["Location"] == search
    assert anyone.cookies["django_language"].value == "es"
    assert '<html lang="es">' in html(anyone.get("/find/"))  # remembered on the next visit
    assert '<html lang="es">' in html(anyone.get(f"/find/programs/{pantry.public_id}/"))
    anyone.get("/find/language/", {"language": "en", "next": "/find/"})
    assert '<html lang="en">' in html(anyone.get("/find/", HTTP_ACCEPT_LANGUAGE="es"))  # the choice beats the browser


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/find/",
        "//evil.example/find/",
        "/people/",
        "/find/\r\nSet-Cookie: x=y",
        "javascript:alert(1)",
    ],
)
def test_the_switch_only_goes_back_to_the_directory(anyone, target):
    response = anyone.get("/find/language/", {"language": "es", "next": target})
    assert response.status_code == 302 and response["Location"] == "/find/"


def test_an_unknown_language_is_a_clear_400(anyone):
    response = anyone.get("/find/language/", {"language": "xx", "next": "/find/"})
    assert response.status_code == 400 and "Choose English or Español." in html(response)
    assert "django_language" not in response.cookies


def test_never_a_referral_a_person_or_a_member_of_staff(anyone, network, pantry):
    people = [network.seeker, network.referrer, network.claimer, network.teammate, network.provider_admin]
    for number, person in enumerate(people):
        type(person)._default_manager.filter(pk=person.pk).update(
            first_name=f"Firstname{number}x", last_name=f"Lastname{number}x"
        )
        person.refresh_from_db()
    network.refer(comment="Needs food for three kids SECRET-COMMENT")
    pages = [
        html(anyone.get(path))
        for path in ("/find/", "/find/?zip=60640", "/find/?q=pantry", f"/find/programs/{pantry.public_id}/")
    ]
    for page in pages:
        assert "SECRET-COMMENT" not in page
        for person in people:
            assert person.first_name not in page and person.last_name not in page, person
            assert person.email not in page
        assert network.site.name not in page  # the referrer's organization runs no program


@pytest.mark.parametrize(
    "query, message",
    [
        ({"zip": "６０６４０"}, "Write the zip code with the digits 0 to 9, like 60640."),
        ({"zip": "606"}, "Enter a five-digit zip code"),
        ({"category": "no-such-kind"}, "Select a valid choice"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"zip": "60640", "page": "٣"}, "is not a page number"),
        ({"zip": "60640", "page": "9" * 5000}, "is not a page number"),
        ({"zip": "60640", "page": "-1"}, "is not a page number"),
    ],
)
def test_bad_input_is_a_clear_400_and_the_form_keeps_it(anyone, pantry, query, message):
    response = anyone.get("/find/", query)
    assert response.status_code == 400
    page = html(response)
    assert message in page
    if "zip" in query:
        assert f'value="{query["zip"]}"' in page
    assert "Community Food Pantry" not in page


def test_a_page_past_the_end_is_a_clear_404(anyone, pantry):
    response = anyone.get("/find/", {"zip": "60640", "page": "99999"})
    assert response.status_code == 404
    page = html(response)
    assert "There is no page 99999 of these results." in page
    assert 'href="/find/?zip=60640"' in page


def test_a_spanish_reader_is_refused_in_spanish(anyone, pantry):
    response = anyone.get("/find/", {"zip": "６０６４０"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400 and "Escriba el código postal con los dígitos del 0 al 9" in html(response)


def test_an_unknown_program_is_404_and_one_of_an_organization_that_left_is_410(anyone, network, pantry):
    response = anyone.get("/find/programs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and "We could not find this program" in html(response)
    assert anyone.get("/find/programs/not-a-uuid/").status_code == 404

    network.provider.is_active = False
    network.provider.save()
    response = anyone.get(f"/find/programs/{pantry.public_id}/")
    assert response.status_code == 410 and "no longer listed" in html(response)
    assert "Community Food Pantry" not in html(anyone.get("/find/", {"zip": "60640"}))


def test_the_organization_that_left_is_out_of_the_staff_search_too(client, network, pantry):
    network.provider.is_active = False
    network.provider.save()
    client.force_login(network.referrer)
    assert "Community Food Pantry" not in html(client.get("/programs/", {"zip": "60640"}))


def queries_for(client, path, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, data).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_results(anyone, network, pantry):
    food = category_get_or_create(name="Food")
    few = queries_for(anyone, "/find/", {"zip": "60640"})
    for number in range(25):
        ProgramFactory(name=f"Pantry {number}", organization=OrganizationFactory(), categories=[food], **UPTOWN)
    assert queries_for(anyone, "/find/", {"zip": "60640"}) == few <= 4
    assert queries_for(anyone, "/find/", {"zip": "60640", "page": "2"}) == few
    assert queries_for(anyone, f"/find/programs/{pantry.public_id}/") <= 2


def test_pages_are_kept_and_a_change_to_a_program_shows_at_once(anyone, settings, pantry):
    settings.FIND_PAGE_CACHE_SECONDS = 60
    assert queries_for(anyone, f"/find/programs/{pantry.public_id}/") > 0
    assert queries_for(anyone, f"/find/programs/{pantry.public_id}/") == 0  # the page was kept
    assert queries_for(anyone, "/find/", {"zip": "60640"}) > 0
    assert queries_for(anyone, "/find/", {"zip": "60640"}) == 0
    # Each language has its own.
    assert queries_for(anyone, "/find/", {"zip": "60640"}) == 0
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert queries_for(spanish, "/find/", {"zip": "60640"}) > 0

    pantry.capacity_available = 3
    pantry.save()
    assert "3 open slots" in html(anyone.get(f"/find/programs/{pantry.public_id}/"))
    assert "3 open slots" in html(anyone.get("/find/", {"zip": "60640"}))


def test_a_search_with_words_is_never_kept(anyone, settings, pantry):
    settings.FIND_PAGE_CACHE_SECONDS = 60
    queries_for(anyone, "/find/", {"q": "pantry"})
    assert queries_for(anyone, "/find/", {"q": "pantry"}) > 0


def test_the_kept_page_is_the_same_for_a_signed_in_person_and_carries_nothing_of_them(
    client, anyone, settings, network, pantry
):
    settings.FIND_PAGE_CACHE_SECONDS = 60
    client.force_login(network.referrer)
    first = client.get(f"/find/programs/{pantry.public_id}/")
    assert "csrfmiddlewaretoken" not in html(first) and "X-CSRFToken" not in html(first)
    assert network.referrer.first_name not in html(first)
    assert anyone.get(f"/find/programs/{pantry.public_id}/").content == first.content
