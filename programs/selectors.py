"""Reads of the shared directory. Every signed-in user may search it; writes check the organization."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import BooleanField, Case, F, FloatField, Q, Value, When
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from accounts.models import Membership, Organization
from core.errors import InvalidInput
from core.statements import Statement, as_uuid, run_kept

from .geo import zip_centre
from .models import Category, Program, ProgramClaimer

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0


class UnknownZipCode(InvalidInput):
    """The zip code is not a known US zip code."""

    code = "unknown_zip_code"
    default_field = "zip"


def directory():
    """All programs. The directory is shared across tenants on purpose."""
    return Program.objects.unscoped("the program directory is shared by every signed-in user")


def age_on(birth_date: date | None, today: date | None = None) -> int | None:
    if birth_date is None:
        return None
    today = today or date.today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def program_search(
    *,
    zip_code: str = "",
    radius_miles: float | None = None,
    category: str = "",
    q: str = "",
    accepting: bool | None = None,
    seeker_age: int | None = None,
    seeker_facts=None,
):
    """Programs matching the filters.

    With a zip code, each program carries ``distance_miles`` from the zip code's centre and the results are
    ordered nearest first; with a radius too, only programs within it are kept (a bounding box on the
    indexed coordinates narrows the rows before the exact distance is computed). With ``seeker_age``, each
    program carries ``age_eligible``; with ``seeker_facts`` (programs.eligibility.SeekerFacts), ``not_eligible``:
    whether the rules rule the seeker out (``evaluate`` gives the verdict and reasons of the programs shown).
    Raises UnknownZipCode for a zip code we cannot place.
    """
    filters = _SearchFilters.of(zip_code=zip_code, radius_miles=radius_miles, category=category, q=q)
    programs = _filtered(filters.shape, filters.values).prefetch_related("categories")
    if accepting is not None:
        programs = programs.filter(accepts_referrals=accepting)
    if seeker_age is not None:
        programs = programs.annotate(
            age_eligible=Case(
                When(Q(min_age__gt=seeker_age) | Q(max_age__lt=seeker_age), then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
    if seeker_facts is not None:
        from .eligibility import not_eligible_annotation

        programs = programs.annotate(not_eligible=not_eligible_annotation(seeker_facts))
    return programs.order_by(*filters.ordering)


@dataclass(frozen=True)
class _SearchFilters:
    """What a search asks, as the query needs it: ``shape``, what its SQL depends on (which filters, how many
    words and matching categories and organizations), and ``values``, what the SQL binds (the centre's
    coordinates in radians, the box's corners, the radius, the category, each word's terms and ids)."""

    shape: tuple
    values: dict

    @classmethod
    def of(cls, *, zip_code="", radius_miles=None, category="", q="", categories=None) -> _SearchFilters:
        """``categories``: the directory's categories when the caller has read them (a search form has), so that
        words are matched against their names without reading them again."""
        shape, values = [], {}
        if category:
            shape.append("category")
            values["category"] = category
        if q:
            shape.append(_keyword_shape(q.split()[:8], values, categories))
        if zip_code:
            centre = zip_centre(zip_code)
            if centre is None:
                raise UnknownZipCode(f"“{zip_code}” is not a zip code we know.")
            latitude, longitude = centre
            if radius_miles:
                lat_span = radius_miles / MILES_PER_DEGREE_LATITUDE
                lng_span = radius_miles / (MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
                shape.append("radius")
                values.update(
                    south=latitude - lat_span,
                    north=latitude + lat_span,
                    west=longitude - lng_span,
                    east=longitude + lng_span,
                    radius=float(radius_miles),  # as the distance's comparison binds it
                )
            shape.append("zip")
            values.update(_centre_values(latitude, longitude))
            # Nearest first through the sphere point's index (_compile), at any distance or within the radius.
            values.update(_sphere_values(latitude, longitude, radius_miles))
        return cls(tuple(shape), values)

    def with_facts(self, facts) -> _SearchFilters:
        """The search with ``not_eligible`` for the person's facts (programs.eligibility.not_eligible_part)."""
        from .eligibility import not_eligible_part

        part, values = not_eligible_part(facts)
        return _SearchFilters((*self.shape, part), {**self.values, **values})

    def keeping(self, not_eligible: bool) -> _SearchFilters:
        """Only the programs the facts rule out (True), or only those they do not (False)."""
        return _SearchFilters((*self.shape, ("keep", not_eligible)), self.values)

    @property
    def ordering(self) -> tuple:
        return ("distance_miles", "name") if "zip" in self.shape else ("name",)


class CompiledPrograms:
    """A search's programs through SQL written once per process (and thread) for each shape of search
    (``_SearchFilters.shape``), its values bound on each request: building the ORM query and compiling it (twice,
    with the page's count) cost more than PostgreSQL took to answer it (issue 18; referrals/policies.py
    ``_rule_sql`` does the same for the referral rules). The SQL is the ORM's own: compiled from ``_filtered``
    with stand-in values (``_stand_ins``), each of which is then found in the parameters and replaced by the
    search's. What CappedCountPaginator pages: ``capped_count`` and slices of Programs with their organization
    and ``distance_miles`` (no categories: with_categories)."""

    def __init__(self, compiled, filters: _SearchFilters):
        self.compiled, self.filters, self.values = compiled, filters, filters.values

    def filter(self, *, not_eligible: bool):
        """The programs the seeker's facts rule out (True) or not (False): a search with the person's facts."""
        narrowed = self.filters.keeping(not_eligible)
        return CompiledPrograms.of(narrowed) or _filtered(narrowed.shape, narrowed.values).order_by(*narrowed.ordering)

    @classmethod
    def of(cls, filters: _SearchFilters) -> CompiledPrograms | None:
        """None where the SQL cannot be written once (another database than PostgreSQL, a value not found)."""
        connection = connections[Program.objects.db]
        if connection.vendor != "postgresql":
            return None
        cache = _COMPILED.__dict__.setdefault("shapes", {})
        if filters.shape not in cache:
            if len(cache) >= COMPILED_SHAPES:  # many words' shapes (their categories' and organizations' counts)
                cache.clear()
            cache[filters.shape] = _compile(filters)
        compiled = cache[filters.shape]
        return None if compiled is None else cls(compiled, filters)

    def _params(self, template, values=None) -> list:
        values = self.values if values is None else values
        return [
            value
            if kind is None
            else values[kind]
            if index is None
            else type(value)([values[kind]], dumps=value._dumps)  # a JSON list of the one value
            if index == "json"
            else values[kind][index]
            for kind, index, value in template
        ]

    def expect(self, number: int, per_page: int) -> None:
        """The page the paginator will ask for (``number``, of ``per_page``): its rows and the capped count then
        come in one statement (``_Compiled.page``), and the count only for another page or a past-the-end one."""
        if not 1 <= number <= 10_000:  # core.pagination.MAX_PAGE: the paginator refuses the page, counted apart
            return
        start = (number - 1) * per_page
        self._expected = (start, start + per_page + 1)  # and one more, as a capped page asks

    def capped_count(self, cap: int) -> int:
        expected = getattr(self, "_expected", None)
        if expected is not None and getattr(self, "_fetched", None) is None:
            rows, count = self._fetch(*expected, cap)
            self._fetched = (expected, rows)
            if rows:
                return count
        sql, template = self.compiled.count
        with connections[Program.objects.db].cursor() as cursor:
            cursor.execute(sql, [*self._params(template), cap])
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        fetched = getattr(self, "_fetched", None)
        if fetched is not None:
            (first, last), rows = fetched
            if first <= start and stop <= last:  # a window of the rows read: the same rows, in the same order
                return rows[start - first : stop - first]
        return self._fetch(start, stop, 0)[0]

    def _fetch(self, start: int, stop: int, cap: int) -> tuple[list, int | None]:
        """The programs from ``start`` to ``stop`` in the search's order, and how many match, up to ``cap``."""
        compiled = self.compiled
        if compiled.deep is not None and start >= NEAREST_FIRST_DEPTH:
            compiled = compiled.deep
        sql, template = compiled.page
        # _edge: the page's last row, counted from the first (the nearest-first search reads up to it)
        values = {**self.values, "_limit": stop - start, "_offset": start, "_cap": cap, "_edge": max(stop - 1, 0)}
        programs = list(run_kept(compiled.rows, compiled.compiler, sql, self._params(template, values)))
        count = None
        for program in programs:  # every row carries the capped count beside it
            count = program.__dict__.pop("_capped_count")
        return programs, count


_COMPILED = threading.local()
COMPILED_SHAPES = 200
NEAREST_FIRST_DEPTH = 1000  # rows before a page from which a nearest-first search sorts instead (_Compiled.deep)


@dataclass(frozen=True)
class _Compiled:
    page: tuple  # (sql, parameter template: the search's values, _limit, _offset, _cap)
    count: tuple  # (sql ending in LIMIT %s, parameter template)
    rows: object  # the queryset of the page's rows, whose columns the page's SQL returns (core.statements.run_kept)
    compiler: object  # the compiler of ``rows``
    deep: _Compiled | None = None  # a nearest-first search's statement for pages past NEAREST_FIRST_DEPTH rows


def _stand_ins(values: dict) -> dict:
    """A value for each of a search's that no SQL of the search holds otherwise (floats past any coordinate or
    radius, negative ids, strings with control characters, whole numbers no age or constant is)."""
    stand_ins = {}
    for position, name in enumerate(sorted(values)):
        value = values[name]
        if isinstance(value, list):
            stand_ins[name] = [-(10**12) - 1000 * position - index for index in range(len(value))]
        elif isinstance(value, str):
            stand_ins[name] = f"\x1f{name}\x1f"
        elif isinstance(value, int):  # within a small integer column's range, which Django checks
            stand_ins[name] = 30_011 + 7 * position
        elif isinstance(value, Decimal):
            stand_ins[name] = Decimal(10**12 + position) + Decimal("0.25")
        else:
            stand_ins[name] = 1.0e12 + position + 0.5
    return stand_ins


def _template(params, stand_ins: dict, *, complete: bool = True) -> tuple | None:
    """Each parameter as (name, index in a list or None, None), (name, "json", the adapter) for a JSON list of
    one stand-in, or (None, None, the constant); None when a stand-in is missing (the ORM changed the value on its
    way to the SQL) or a parameter is not a value this can look into. The count's SQL may leave some out (the
    distance, when no radius filters on it)."""
    where = {}
    for name, value in stand_ins.items():
        for index, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
            where[(type(item), item)] = (name, index)
    template, found = [], set()
    for param in params:
        if _is_json(param):
            adapted = param.adapted
            spot = where.get((str, adapted[0])) if len(adapted) == 1 and type(adapted[0]) is str else None
            if spot and spot[1] is None:
                found.add(spot)
                template.append((spot[0], "json", param))
            elif any(_looks_stood_in(item) for item in adapted):
                return None
            else:
                template.append((None, None, param))
            continue
        if type(param) not in (str, int, float, bool, Decimal):  # a stand-in could hide in it unseen
            return None
        spot = where.get((type(param), param))
        if spot:
            found.add(spot)
        elif _looks_stood_in(param):  # a stand-in the ORM changed on its way (its constant would be wrong)
            return None
        template.append((*spot, None) if spot else (None, None, param))
    return tuple(template) if found == set(where.values()) or not complete else None


def _is_json(param) -> bool:
    """A JSON list as psycopg2's adapter holds it (a JSONField's lookup value)."""
    try:
        from psycopg2.extras import Json
    except ImportError:  # psycopg 3: its adapter is not looked into, and the search keeps the ORM's query
        return False
    return isinstance(param, Json) and isinstance(param.adapted, list)


def _looks_stood_in(param) -> bool:
    if isinstance(param, str):
        return "\x1f" in param
    return isinstance(param, (int, float, Decimal)) and not isinstance(param, bool) and abs(param) >= 1e11


def _compile(filters: _SearchFilters, *, nearest_first: bool = True) -> _Compiled | None:
    """The page's statement: the matching programs' ids and sort keys gathered once (``m``: narrow rows, however
    many match), the page's ids sorted out of them (``top``), and the page's rows read by those ids with their
    organization and annotations (the distance computed again for those rows alone), with the count of ``m`` up
    to a cap beside them: one statement for what took a count and a page, each filtering the whole directory.
    A search by zip code alone, at any distance or within a radius, reads ``top`` nearest first from the sphere
    point's index instead (``_NEAREST_TOP``), and ``m`` is then not gathered but read as needed."""
    from django.db.models import IntegerField
    from django.db.models.expressions import RawSQL

    connection = connections[Program.objects.db]
    # Nearest first only for a search by zip code alone (a radius or not): with a category, words or a person's facts,
    # the filters read three times (nearest first, within the reach, counted) cost more than sorting what they keep.
    nearest = nearest_first and filters.shape in _NEAREST_SHAPES and "x0" in filters.values
    values = filters.values if nearest else {k: v for k, v in filters.values.items() if k not in _SPHERE_VALUES}
    window = {"_limit": 0, "_offset": 0, "_cap": 0, **({"_edge": 0} if nearest else {})}
    stand_ins = _stand_ins({**values, **window})
    programs = _filtered(filters.shape, stand_ins)
    point_params = [stand_ins["x0"], stand_ins["y0"], stand_ins["z0"]] if nearest else []
    if nearest:
        sphere = '"programs_program"."sphere_point"'
        keys = programs.order_by().values(
            "pk",
            *filters.ordering,
            chord=RawSQL(f"{sphere} <-> {_NEAREST_POINT}", point_params),
            sphere=RawSQL(sphere, []),
        )
    else:
        keys = programs.order_by().values("pk", *filters.ordering)
    keys_sql, keys_params = keys.query.sql_with_params()
    order = ", ".join(connection.ops.quote_name(name) for name in filters.ordering)
    rows = directory().select_related("organization")
    if "zip" in filters.shape:
        rows = rows.annotate(
            distance_miles=_haversine_radians(stand_ins["lat0"], stand_ins["lng0"], stand_ins["cos_lat0"])
        )
    for part in filters.shape:
        if isinstance(part, tuple) and part[0] == "facts":
            from .eligibility import not_eligible_expression

            rows = rows.annotate(not_eligible=not_eligible_expression(part, stand_ins))
    rows = (
        rows.filter(pk__in=RawSQL("SELECT pk FROM top", []))
        .annotate(
            _capped_count=RawSQL(
                "SELECT COUNT(*) FROM (SELECT 1 FROM m LIMIT %s) counted", [stand_ins["_cap"]], IntegerField()
            )
        )
        .order_by(*filters.ordering)
    )
    compiler = rows.query.get_compiler(connection=connection)
    rows_sql, rows_params = compiler.as_sql()
    if nearest:  # m is read three times, each as its own query: nearest first, within the reach, counted
        top = _NEAREST_TOP.format(point=_NEAREST_POINT, order=order)
        sql = f"WITH m AS NOT MATERIALIZED ({keys_sql}), {top} {rows_sql}"
        window_params = [
            stand_ins["_edge"],
            stand_ins["chord_reach"],
            *point_params,
            stand_ins["_limit"],
            stand_ins["_offset"],
        ]
    else:
        sql = f"WITH m AS MATERIALIZED ({keys_sql}), top AS (SELECT pk FROM m ORDER BY {order} LIMIT %s OFFSET %s) {rows_sql}"
        window_params = [stand_ins["_limit"], stand_ins["_offset"]]
    page = _template([*keys_params, *window_params, *rows_params], stand_ins)
    count_sql, count_params = programs.order_by().values("pk").query.sql_with_params()
    count = _template(count_params, stand_ins, complete=False)
    if page is None or count is None:
        return None
    return _Compiled(
        page=(sql, page),
        count=(f"SELECT COUNT(*) FROM ({count_sql} LIMIT %s) counted", count),
        rows=rows,
        compiler=compiler,
        # Past NEAREST_FIRST_DEPTH rows, the programs are sorted as for any other search: nearest first would read
        # every program before the page, one by one (page 500 of 17,500 programs within 10 miles: 167-220 ms
        # against ~55 for the sort, over 50,000 programs).
        deep=_compile(filters, nearest_first=False) if nearest else None,
    )


_SPHERE_VALUES = ("x0", "y0", "z0", "chord_reach")
# The searches read nearest first: by zip code alone, and by zip code within a radius.
_NEAREST_SHAPES = (("zip",), ("radius", "zip"))


def _sphere_values(latitude: float, longitude: float, radius_miles: float | None = None) -> dict:
    """The point of the unit sphere at this latitude and longitude, as programs 0008 computes ``sphere_point``,
    and the farthest any program found can be from it, as a straight line through the sphere (``chord_reach``:
    the radius's, or 3.0, more than the sphere's diameter, at any distance)."""
    lat, lng = math.radians(latitude), math.radians(longitude)
    values = {"x0": math.cos(lat) * math.cos(lng), "y0": math.cos(lat) * math.sin(lng), "z0": math.sin(lat)}
    angle = min(float(radius_miles) / EARTH_RADIUS_MILES, math.pi) if radius_miles else None
    values["chord_reach"] = 2 * math.sin(angle / 2) if angle is not None else 3.0
    return values


# Nearest first (PostgreSQL only: programs 0008): a search by zip code alone, at any distance or within a radius,
# reads the page's programs from the sphere point's GiST index instead of sorting every program it finds by
# distance. The straight-line distance through the sphere (``<->``, 2·sin(d/2R)) orders the programs as the
# distance along it does. The page's last program is found nearest first (``edge``); then every program no farther
# than it (a box around the point, from the same index, then the exact distance) is sorted by distance and name as
# before and the page cut from them. Programs at the same distance as the page's last are all among them, so ties
# fall by name exactly as in a full sort; the reach is widened by a hair so that the two formulas' last digits never
# leave one out. When fewer programs are found than the page's last row (the last page), the reach is all of them:
# ``chord_reach``, the radius's. Within a radius, PostgreSQL finds the edge nearest first or sorts what the radius's
# box holds, by its estimate of how many programs the box holds (an edge past all of them, nearest first, would
# read the whole index).
_NEAREST_POINT = "cube(ARRAY[%s, %s, %s]::float8[])"
_NEAREST_TOP = (
    "edge AS (SELECT COALESCE((SELECT chord FROM m ORDER BY chord LIMIT 1 OFFSET %s), %s) * 1.000000001 + 1e-12 "
    "AS reach), top AS (SELECT pk FROM m WHERE sphere <@ cube_enlarge({point}, (SELECT reach FROM edge), 3) "
    "AND chord <= (SELECT reach FROM edge) ORDER BY {order} LIMIT %s OFFSET %s)"
)


def _centre_values(latitude: float, longitude: float) -> dict:
    lat0 = math.radians(latitude)
    return {"lat0": lat0, "lng0": math.radians(longitude), "cos_lat0": math.cos(lat0)}


def _filtered(shape: tuple, values: dict):
    """The directory's programs that the filters keep (``_SearchFilters``), with their organization, unordered."""
    # An organization that left the network (Organization.is_active off) keeps its programs for the referrals
    # made to them, but nobody finds them any more.
    programs = directory().filter(organization__is_active=True).select_related("organization")
    for part in shape:
        if part == "category":
            programs = programs.filter(categories__slug=values["category"])
        elif part[0] == "words":
            programs = _keyword_filter(programs, part, values)
        elif part[0] == "facts":
            from .eligibility import not_eligible_expression

            programs = programs.annotate(not_eligible=not_eligible_expression(part, values))
        elif part[0] == "keep":
            programs = programs.filter(not_eligible=part[1])
        elif part == "radius":
            programs = programs.filter(
                latitude__range=(values["south"], values["north"]),
                longitude__range=(values["west"], values["east"]),
            )
        elif part == "zip":
            programs = programs.filter(latitude__isnull=False, longitude__isnull=False).annotate(
                distance_miles=_haversine_radians(values["lat0"], values["lng0"], values["cos_lat0"])
            )
            if "radius" in shape:
                programs = programs.filter(distance_miles__lte=values["radius"])
    return programs


@dataclass(frozen=True)
class DirectorySearch:
    """What a search page lists: the programs, and the zip code it could not place (listed by name instead)."""

    programs: object
    unplaced_zip: str = ""


def directory_search(
    *,
    zip_code: str = "",
    radius_miles: float | None = None,
    category: str = "",
    q: str = "",
    seeker_age: int | None = None,
    seeker_facts=None,
) -> DirectorySearch:
    """The search people run from a page, the staff's program search (people) and the public directory (find)
    alike: ``program_search``, except that a well-formed zip code we have no centre for (a person may live
    anywhere, and new zip codes appear) lists the programs by name, without distances or radius, and says so
    (``unplaced_zip``) rather than refusing the search."""
    filters = {"category": category, "q": q, "seeker_age": seeker_age, "seeker_facts": seeker_facts}
    try:
        return DirectorySearch(program_search(zip_code=zip_code, radius_miles=radius_miles, **filters))
    except UnknownZipCode:
        return DirectorySearch(program_search(**filters), unplaced_zip=zip_code)


def directory_listing(
    *,
    zip_code: str = "",
    radius_miles: float | None = None,
    category: str = "",
    q: str = "",
    categories=None,
    seeker_facts=None,
) -> DirectorySearch:
    """``directory_search`` for a page that lists the programs: its programs are a CompiledPrograms where the SQL
    can be written once (else the query), without their categories (the page adds them with with_categories).
    ``categories``: the directory's, when the page has read them (its form). With ``seeker_facts``, each program
    carries ``not_eligible`` and ``programs.filter(not_eligible=...)`` narrows them."""
    unplaced_zip = ""
    asked = {"category": category, "q": q, "categories": categories}
    try:
        filters = _SearchFilters.of(zip_code=zip_code, radius_miles=radius_miles, **asked)
    except UnknownZipCode:
        filters, unplaced_zip = _SearchFilters.of(**asked), zip_code
    if seeker_facts is not None:
        filters = filters.with_facts(seeker_facts)
    programs = CompiledPrograms.of(filters)
    if programs is None:
        programs = _filtered(filters.shape, filters.values).order_by(*filters.ordering)
    return DirectorySearch(programs, unplaced_zip=unplaced_zip)


def _keyword_shape(words: list[str], values: dict, categories=None) -> tuple:
    """The keyword part of a search's shape (``("words", vendor, ...)``), its values put in ``values``.

    Every word must match the program's name, description, eligibility, organization or a category. On
    PostgreSQL the program's own text is matched by full-text search on its stored search document (word
    prefixes, through the GIN index of programs/migrations/0002_scale_search.py); elsewhere, and for
    organization and category names, by icontains.
    """
    if connections[Program.objects.db].vendor != "postgresql":
        values["words"] = list(words)
        return ("words", "icontains", len(words))
    words = [word for word in words if re.search(r"\w", word)]
    if not words:
        return ("words", "postgresql")
    # Organization and category names are matched first (two small queries, whatever the number of words);
    # each word is then one id set gathered from three indexes (the search document's GIN, the programs of the
    # matching categories, of the matching organizations) instead of an OR that PostgreSQL can only test
    # program by program: a word that names a category ("legal aid") matches thousands of programs.
    either = Q()
    for word in words:
        either |= Q(name__icontains=word)
    organizations = list(Organization.objects.filter(either).values_list("pk", "name"))
    if categories is None:
        categories = list(Category.objects.values_list("pk", "name"))
    else:
        categories = [(category.pk, category.name) for category in categories]
    counts = []
    for index, word in enumerate(words):
        # Only word characters reach the raw tsquery, so nobody can send tsquery syntax.
        values[f"terms{index}"] = " & ".join(f"{term}:*" for term in re.findall(r"\w+", word))
        folded = word.casefold()
        values[f"organizations{index}"] = [pk for pk, name in organizations if folded in name.casefold()]
        values[f"categories{index}"] = [pk for pk, name in categories if folded in name.casefold()]
        counts.append((len(values[f"categories{index}"]), len(values[f"organizations{index}"])))
    return ("words", "postgresql", *counts)


def _keyword_filter(programs, shape: tuple, values: dict):
    if shape[1] == "icontains":
        for word in values["words"]:
            programs = programs.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(eligibility__icontains=word)
                | Q(organization__name__icontains=word)
                | Q(categories__name__icontains=word)
            )
        return programs.distinct()
    through = Program.categories.through.objects
    for index, (by_category, by_organization) in enumerate(shape[2:]):
        query = SearchQuery(values[f"terms{index}"], search_type="raw", config="simple")
        matching = directory().order_by().filter(search_document=query).values("pk")
        if by_category:
            matching = matching.union(
                through.filter(category_id__in=values[f"categories{index}"]).order_by().values("program_id"), all=True
            )
        if by_organization:
            matching = matching.union(
                directory().order_by().filter(organization_id__in=values[f"organizations{index}"]).values("pk"),
                all=True,
            )
        programs = programs.filter(pk__in=matching)
    return programs


# The (program, category) pairs of a page of programs in one query, its SQL written once per process on
# PostgreSQL: cheaper than prefetch_related("categories"), whose machinery (and a Category built per row) cost
# more than its query on the search pages (issue 18).
_PAIRS_SQL: list = []


def _category_pairs(program_ids: list) -> list[tuple[int, int]]:
    through = Program.categories.through
    connection = connections[through.objects.db]
    if connection.vendor != "postgresql":
        return list(through.objects.filter(program_id__in=program_ids).values_list("program_id", "category_id"))
    if not _PAIRS_SQL:
        q = connection.ops.quote_name
        program, category = (q(through._meta.get_field(name).column) for name in ("program", "category"))
        _PAIRS_SQL.append(f"SELECT {program}, {category} FROM {q(through._meta.db_table)} WHERE {program} = ANY(%s)")
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL[0], [program_ids])
        return cursor.fetchall()


def with_categories(programs: list, categories) -> list:
    """Each program of a page with ``category_list``: its categories, in the order of ``categories`` (the
    directory's categories by name, as a search form read them: Category's own order), from one query of the
    page's (program, category) pairs (none for an empty page)."""
    if not programs:
        return programs
    by_program: dict = {}
    for program_id, category_id in _category_pairs([program.pk for program in programs]):
        by_program.setdefault(program_id, set()).add(category_id)
    for program in programs:
        found = by_program.get(program.pk, ())
        program.category_list = [category for category in categories if category.pk in found]
    return programs


def haversine(latitude: float, longitude: float):
    """Miles from (latitude, longitude) to each program's position, as a database expression."""
    return _haversine(latitude, longitude)


def _haversine(latitude: float, longitude: float):
    return _haversine_radians(**_centre_values(latitude, longitude))


def _haversine_radians(lat0: float, lng0: float, cos_lat0: float):
    half_dlat = (Radians(F("latitude")) - Value(lat0)) / 2
    half_dlng = (Radians(F("longitude")) - Value(lng0)) / 2
    a = Power(Sin(half_dlat), 2) + Value(cos_lat0) * Cos(Radians(F("latitude"))) * Power(Sin(half_dlng), 2)
    return Value(2 * EARTH_RADIUS_MILES, output_field=FloatField()) * ASin(Sqrt(a))


def program_get(*, public_id) -> Program:
    """One program of the directory. Raises Program.DoesNotExist."""
    return directory().select_related("organization").prefetch_related("categories").get(public_id=public_id)


def _program_page(public_id):
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef

    names = Category.objects.filter(programs=OuterRef("pk")).order_by("name", "pk").values("name")
    return (
        directory()
        .select_related("organization")
        .annotate(category_names=ArraySubquery(names))
        .filter(public_id=public_id)[:2]
    )


# Compiled once per process (core.statements): building and compiling it cost about what PostgreSQL took.
_PROGRAM_PAGE = Statement("a program's public page, by public id", _program_page)


def program_page(*, public_id) -> Program:
    """One program of the directory for its public page: with its organization and ``category_names`` (its
    categories' names in Category's order), in one query on PostgreSQL (the names an array subquery; its SQL
    compiled once per process) rather than program_get's query and its categories' prefetch. Raises
    Program.DoesNotExist."""
    if connections[Program.objects.db].vendor != "postgresql":
        program = program_get(public_id=public_id)
        program.category_names = [category.name for category in program.categories.all()]
        return program
    return _PROGRAM_PAGE.one(Program.DoesNotExist("No such program."), public_id=as_uuid(public_id))


def programs_claimed_by(user):
    return directory().filter(claimer_memberships__user=user)


def program_claimer(program, user_public_id):
    """The claimer row of the person with that public id on ``program``, with the person, or None."""
    from .models import ProgramClaimer

    return ProgramClaimer.objects.select_related("user").filter(program=program, user__public_id=user_public_id).first()


def claimer_rows(programs):
    """The claims of ``programs`` (program ids, or a ``values("pk")`` subquery), with their people, by first and
    last name."""
    from .models import ProgramClaimer

    return (
        ProgramClaimer.objects.filter(program_id__in=programs)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


def claimers_by_program(rows) -> dict:
    """program id -> the people who claim it, by first and last name, from ``claimer_rows`` (one query for a page
    of programs; Inbound Referrals runs it as a kept statement)."""
    claimers: dict = {}
    for membership in rows:
        claimers.setdefault(membership.program_id, []).append(membership.user)
    return claimers


def organization_display_for(user, *, program_id=None) -> str:
    """The organization a history line names for ``user``.

    The Site's name for a worker on a Site, the Program's name for a claimer, and for someone who is
    both, the one they joined first. A claimer of several programs is named by ``program_id`` (the program
    of the referral they act on) when they claim it, else by the program they joined first.
    """
    site = (
        Membership.objects.filter(user=user, organization__runs_site=True)
        .select_related("organization")
        .order_by("joined_at")
        .first()
    )
    claim = (
        ProgramClaimer.objects.filter(user=user)
        .select_related("program")
        .order_by(Case(When(program_id=program_id, then=0), default=1), "joined_at")
        .first()
    )
    if site and claim:
        return site.organization.name if site.joined_at <= claim.joined_at else claim.program.name
    if site:
        return site.organization.name
    if claim:
        return claim.program.name
    other = Membership.objects.filter(user=user).select_related("organization").order_by("joined_at").first()
    if other:
        return other.organization.name
    return "Network admin" if user.is_superuser else ""


def current_poverty_guidelines() -> dict[str, tuple[int, int]]:
    """{region: (first person, each additional person)} of the latest year loaded for each region (one query)."""
    from .models import PovertyGuideline

    tables: dict[str, tuple[int, int]] = {}
    for region, first, additional in PovertyGuideline.objects.order_by("region", "-year").values_list(
        "region", "first_person", "each_additional_person"
    ):
        tables.setdefault(region, (first, additional))
    return tables


def seeker_facts(seeker, *, guidelines: dict | None = None, today: date | None = None):
    """What the eligibility rules know of ``seeker`` (programs.eligibility.SeekerFacts): age, zip code and its
    centre, household size, monthly income against the current poverty guideline (one query, unless
    ``guidelines`` is given), and the languages they speak (with their preferred one, once any is recorded)."""
    from .eligibility import SeekerFacts, poverty_guideline

    zip_code = seeker.zip_code or ""
    centre = zip_centre(zip_code) if zip_code else None
    if guidelines is None:
        guidelines = current_poverty_guidelines() if seeker.household_size and seeker.monthly_income is not None else {}
    languages = list(seeker.languages or ())
    if languages and seeker.preferred_language and seeker.preferred_language not in languages:
        languages.append(seeker.preferred_language)
    return SeekerFacts(
        age=age_on(seeker.date_of_birth, today),
        zip_code=zip_code,
        latitude=centre[0] if centre else None,
        longitude=centre[1] if centre else None,
        household_size=seeker.household_size,
        monthly_income=seeker.monthly_income,
        languages=tuple(languages),
        poverty_guideline=poverty_guideline(guidelines, zip_code, seeker.household_size),
    )


def with_verdicts(programs, facts) -> list:
    """Each program of a page with ``verdict`` (programs.eligibility.evaluate on its rules and ``facts``); no
    query."""
    from .eligibility import ProgramRules, evaluate

    for program in programs:
        program.verdict = evaluate(ProgramRules.of(program), facts)
    return programs


def program_questions(program) -> list[dict]:
    """The program's intake questions as programs.intake reads them (and a referral keeps them), in order."""
    from .models import IntakeQuestion

    return [
        question.snapshot() for question in IntakeQuestion.objects.filter(program=program).order_by("position", "id")
    ]
