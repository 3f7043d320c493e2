import pytest

from programs.selectors import UnknownZipCode, program_search
from programs.services import category_get_or_create
from tests.factories import ProgramFactory


@pytest.fixture
def directory(db):
    food = category_get_or_create(name="Food")
    uptown = ProgramFactory(
        name="Uptown Pantry", zip_code="60640", latitude=41.9719, longitude=-87.6624, categories=[food]
    )
    loop = ProgramFactory(name="Loop Legal Clinic", zip_code="60601", latitude=41.8858, longitude=-87.6181, min_age=18)
    far = ProgramFactory(
        name="Springfield Pantry",
        zip_code="62701",
        latitude=39.80,
        longitude=-89.65,
        categories=[food],
        accepts_referrals=False,
    )
    youth = ProgramFactory(
        name="Youth Jobs", zip_code="60640", latitude=41.9719, longitude=-87.6624, min_age=16, max_age=24
    )
    return uptown, loop, far, youth


def test_nearest_first_with_distance(directory):
    uptown, loop, far, youth = directory
    results = list(program_search(zip_code="60640"))
    assert results[-1] == far
    assert results[0].distance_miles < 0.1
    loop_result = next(p for p in results if p == loop)
    assert 6 < loop_result.distance_miles < 7.5  # Uptown to the Loop


def test_radius_keeps_only_programs_within_it(directory):
    uptown, loop, far, youth = directory
    assert set(program_search(zip_code="60640", radius_miles=3)) == {uptown, youth}
    assert set(program_search(zip_code="60640", radius_miles=10)) == {uptown, youth, loop}


def test_category_keywords_and_accepting(directory):
    uptown, loop, far, youth = directory
    assert set(program_search(category="food")) == {uptown, far}
    assert list(program_search(q="legal clinic")) == [loop]
    assert far not in set(program_search(accepting=True))


def test_age_eligibility_is_flagged(directory):
    uptown, loop, far, youth = directory
    flags = {p.name: p.age_eligible for p in program_search(seeker_age=12)}
    assert flags == {"Uptown Pantry": True, "Loop Legal Clinic": False, "Springfield Pantry": True, "Youth Jobs": False}


@pytest.mark.parametrize("zip_code", ["00000", "abcde", "6064", "99999"])
def test_unknown_zip_code_is_refused(directory, zip_code):
    with pytest.raises(UnknownZipCode):
        list(program_search(zip_code=zip_code))


def test_a_keyword_matches_a_category_or_an_organization_by_name_and_every_word_must_match(directory):
    """Each word matches the program's own text, its categories' names or its organization's name (the
    PostgreSQL path gathers these as one id set per word); all the words must match."""
    from tests.factories import OrganizationFactory

    uptown, loop, far, youth = directory
    legal_aid = OrganizationFactory(name="Cook County Legal Aid", runs_site=False)
    helpline = ProgramFactory(name="Eviction Helpline", organization=legal_aid)
    assert set(program_search(q="food")) == {uptown, far}  # the Food category; "food" is in neither's text
    assert set(program_search(q="cook county")) == {helpline}  # the organization's name
    assert set(program_search(q="food uptown")) == {uptown}  # category and name, one word each
    assert set(program_search(q="food eviction")) == set()
    assert set(program_search(q="legal")) == {loop, helpline}  # the program's name, or its organization's
    assert list(program_search(q="food", zip_code="60640", radius_miles=3)) == [uptown]


@pytest.mark.parametrize(
    "filters",
    [
        {"zip_code": "60640"},
        {"zip_code": "60640", "radius_miles": 10},
        {"zip_code": "60640", "radius_miles": 3, "category": "food"},
        {"zip_code": "60640", "q": "pantry"},
        {"zip_code": "60601", "q": "food legal"},
        {"category": "food", "q": "springfield"},
        {"q": "!!!"},
        {"zip_code": "00000", "radius_miles": 5},
    ],
)
def test_the_listing_written_once_finds_what_the_query_finds(directory, filters):
    """directory_listing's SQL is written once for each shape of search (CompiledPrograms): asked twice, with
    other values the second time, it finds what directory_search's query finds, in the same order, counted the
    same."""
    from core.pagination import CappedCountPaginator
    from programs.selectors import CompiledPrograms, directory_listing, directory_search

    for asked in (filters, {**filters, **({"zip_code": "62701"} if "zip_code" in filters else {})}):
        listed, searched = directory_listing(**asked), directory_search(**asked)
        assert isinstance(listed.programs, CompiledPrograms) or listed.programs.query  # PostgreSQL or not
        assert listed.unplaced_zip == searched.unplaced_zip
        mine, theirs = CappedCountPaginator(listed.programs, 2), CappedCountPaginator(searched.programs, 2)
        assert (mine.count, mine.count_is_capped) == (theirs.count, theirs.count_is_capped)
        for number in mine.page_range:
            rows = [(p, p.organization.name, getattr(p, "distance_miles", None)) for p in mine.page(number)]
            assert rows == [(p, p.organization.name, getattr(p, "distance_miles", None)) for p in theirs.page(number)]
            # The page expected: its rows and count in one statement.
            expected = directory_listing(**asked).programs
            if hasattr(expected, "expect"):
                expected.expect(number, 2)
            paginator = CappedCountPaginator(expected, 2)
            assert [
                (p, p.organization.name, getattr(p, "distance_miles", None)) for p in paginator.page(number)
            ] == rows
            assert (paginator.count, paginator.count_is_capped) == (theirs.count, theirs.count_is_capped)


@pytest.mark.parametrize(
    "facts",
    [
        {"age": 20},
        {"age": 70, "zip_code": "60640", "latitude": 41.9719, "longitude": -87.6624},
        {"zip_code": "99950"},
        {"household_size": 2, "monthly_income": "1000", "poverty_guideline": 20000, "zip_code": "60601"},
    ],
)
def test_the_listing_with_facts_rules_out_what_the_query_rules_out(directory, facts):
    """With a person's facts (programs.eligibility.not_eligible_part), the listing written once narrows to the
    programs they are ruled out of, or not, as directory_search's query does."""
    from decimal import Decimal

    from core.pagination import capped_count
    from programs.eligibility import SeekerFacts
    from programs.selectors import directory_listing, directory_search

    if "monthly_income" in facts:
        facts = {**facts, "monthly_income": Decimal(facts["monthly_income"])}
    facts = SeekerFacts(**facts)
    for asked in ({"zip_code": "60640"}, {"zip_code": "60640", "radius_miles": 10}, {"category": "food"}):
        listed, searched = directory_listing(**asked, seeker_facts=facts), directory_search(**asked, seeker_facts=facts)
        for keep in (True, False):
            mine, theirs = listed.programs.filter(not_eligible=keep), searched.programs.filter(not_eligible=keep)
            assert capped_count(mine) == capped_count(theirs)
            assert [(p, p.not_eligible) for p in mine[0:10]] == [(p, p.not_eligible) for p in theirs[0:10]]


@pytest.mark.parametrize("depth", [1000, 6])
@pytest.mark.parametrize("radius_miles, found", [(None, 25), (10, 23), (3, 17)])
def test_nearest_first_pages_ties_as_a_full_sort_does(db, monkeypatch, radius_miles, found, depth):
    """A search by zip code alone, at any distance or within a radius, reads its page nearest first from the sphere
    point's index (PostgreSQL, programs 0008): every page, ties at one address across a page's edge included, and
    the last page (fewer programs than its edge: all within the radius), is the full sort's, by distance then name.
    Two programs lie just inside and just outside 10 miles, due north. Pages from ``depth`` rows on are sorted
    instead (NEAREST_FIRST_DEPTH), and give the same rows."""
    import math

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import programs.selectors
    from core.pagination import CappedCountPaginator
    from programs.selectors import (
        EARTH_RADIUS_MILES,
        CompiledPrograms,
        _SearchFilters,
        directory_listing,
        directory_search,
        zip_centre,
    )

    if connection.vendor != "postgresql":
        pytest.skip("the sphere point's index is PostgreSQL's")
    places = [(41.9719, -87.6624), (41.9720, -87.6624), (41.8858, -87.6181), (39.80, -89.65), (41.9719, -87.6625)]
    for number in range(23):  # seven at the first place, five at the third: ties across the edges of pages of 3
        latitude, longitude = places[[0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 4][number % 15]]
        ProgramFactory(name=f"Program {(number * 7) % 23:02d}", latitude=latitude, longitude=longitude)
    ProgramFactory(name="Not placed", latitude=None, longitude=None)
    latitude, longitude = zip_centre("60640")
    for name, miles in (("Just inside", 9.999), ("Just outside", 10.001)):
        ProgramFactory(name=name, latitude=latitude + math.degrees(miles / EARTH_RADIUS_MILES), longitude=longitude)
    monkeypatch.setattr(programs.selectors, "NEAREST_FIRST_DEPTH", depth)
    asked = {"zip_code": "60640", "radius_miles": radius_miles}
    statement = CompiledPrograms.of(_SearchFilters.of(**asked, category="", q=""))
    assert "sphere_point" in statement.compiled.page[0]  # nearest first
    listed, searched = directory_listing(**asked), directory_search(**asked)
    mine, theirs = CappedCountPaginator(listed.programs, 3), CappedCountPaginator(searched.programs, 3)
    assert mine.count == theirs.count == found
    names = set()
    for number in theirs.page_range:
        expected = [(p.name, p.distance_miles) for p in theirs.page(number)]
        assert [(p.name, p.distance_miles) for p in mine.page(number)] == expected, number
        kept = directory_listing(**asked).programs
        kept.expect(number, 3)
        with CaptureQueriesContext(connection) as captured:
            assert [(p.name, p.distance_miles) for p in CappedCountPaginator(kept, 3).page(number)] == expected
        assert ("<->" in captured[0]["sql"]) == ((number - 1) * 3 < depth), number
        names |= {name for name, _ in expected}
    assert ("Just inside" in names) == (radius_miles != 3) and ("Just outside" in names) == (radius_miles is None)


def test_the_sphere_point_is_the_programs_place(db):
    """programs 0008's generated column is the point the search computes for the same place (a program moved is
    read at its new place)."""
    from django.db import connection

    from programs.selectors import _sphere_values

    if connection.vendor != "postgresql":
        pytest.skip("the sphere point is PostgreSQL's")
    program = ProgramFactory(latitude=41.9719, longitude=-87.6624)
    type(program).objects.unscoped("test").filter(pk=program.pk).update(latitude=-33.86, longitude=151.21)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sphere_point::text FROM programs_program WHERE id = %s", [program.pk])
        point = [float(part) for part in cursor.fetchone()[0].strip("()").split(",")]
    expected = _sphere_values(-33.86, 151.21)
    assert point == pytest.approx([expected["x0"], expected["y0"], expected["z0"]], abs=1e-12)
