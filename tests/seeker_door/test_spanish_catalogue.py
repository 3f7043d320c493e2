"""Spanish for what seekers see: every message that the seeker-facing templates and modules mark for translation
has a Spanish translation in locale/es/LC_MESSAGES/django.po (not missing, not empty, not fuzzy), and the
compiled django.mo says the same (compilemessages was run after the last edit).

The msgids are read as makemessages reads them: templates through Django's own ``templatize`` (so a
``{% blocktranslate %}`` gives the msgid with its ``%(name)s`` placeholders), Python modules by their
gettext calls with a literal string. The .po is read by the small reader below (no new dependency)."""

from __future__ import annotations

import ast
import gettext as python_gettext
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# What a seeker sees: the public directory (/find/), their own door (/my/), the email-link pages, the emails and
# texts (templates/emails share their includes between seekers and staff, so all of them are covered), the status
# names, the error pages, and the modules that word those pages' messages.
SEEKER_TEMPLATES = [
    "templates/find/*.html",
    "templates/seeker_door/*.html",
    "templates/emails/*.html",
    "templates/emails/*.txt",
    "templates/referrals/email_link.html",
    "templates/referrals/link_error.html",
    "templates/referrals/_choice_form.html",
    "templates/referrals/my_referrals.html",
    "templates/programs/_intake_fields.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
]
SEEKER_MODULES = [
    "seeker_door/*.py",
    "find/*.py",
    "find/templatetags/*.py",
    "sms/texts.py",
    "referrals/statuses.py",
    "referrals/answers.py",
    "referrals/views_email_link.py",
    "referrals/views_seeker.py",
    "programs/intake.py",
    "core/contacts.py",
    "core/phones.py",
]

GETTEXT_CALLS = {  # name: (index of the context argument or None, index of the msgid)
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "_": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def _msgids_of_call(node) -> list[tuple[str | None, str]]:
    if not isinstance(node, ast.Call):
        return []
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
    if name not in GETTEXT_CALLS:
        return []
    context_index, msgid_index = GETTEXT_CALLS[name]
    arguments = node.args
    if len(arguments) <= msgid_index or not isinstance(arguments[msgid_index], ast.Constant):
        return []
    context = None
    if context_index is not None:
        if not isinstance(arguments[context_index], ast.Constant):
            return []
        context = arguments[context_index].value
    msgid = arguments[msgid_index].value
    return [(context, msgid)] if isinstance(msgid, str) and msgid else []


def msgids_in_module(path: Path) -> set[tuple[str | None, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {found for node in ast.walk(tree) for found in _msgids_of_call(node)}


def _calls_in(code: str):
    """The gettext calls in templatize's output (Python-like text, in which only the calls are valid code)."""
    start = 0
    while True:
        candidates = [code.find(f"{name}(", start) for name in ("npgettext", "pgettext", "ngettext", "gettext")]
        candidates = [index for index in candidates if index >= 0]
        if not candidates:
            return
        begin = min(candidates)
        if begin and (code[begin - 1].isalnum() or code[begin - 1] == "_"):
            start = begin + 1
            continue
        index, depth, quote = code.index("(", begin) + 1, 1, None
        while depth and index < len(code):
            character = code[index]
            if quote:
                if character == "\\":
                    index += 1
                elif character == quote:
                    quote = None
            elif character in "'\"":
                quote = character
            elif character == "(":
                depth += 1
            elif character == ")":
                depth -= 1
            index += 1
        yield code[begin:index]
        start = index


def msgids_in_template(path: Path) -> set[tuple[str | None, str]]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for call in _calls_in(code):
        found.update(_msgids_of_call(ast.parse(call.replace("\n", " "), mode="eval").body))
    return found


def read_catalogue(path: Path) -> dict[tuple[str | None, str], dict]:
    """{(msgctxt, msgid): {"strings": [msgstr or each msgstr[n]], "fuzzy": bool}} of a .po file."""
    entries: dict[tuple[str | None, str], dict] = {}
    entry: dict | None = None
    part = None
    flags: set[str] = set()

    def finish():
        nonlocal entry, flags
        if entry is not None and "id" in entry:
            entries[(entry.get("context"), entry["id"])] = {
                "strings": entry["strings"],
                "fuzzy": "fuzzy" in entry["flags"],
            }
        entry, flags = None, set()

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            if entry is not None:
                finish()
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            if entry is not None and "id" in entry:
                finish()
            entry = {"context": ast.literal_eval(line[8:]), "strings": [], "flags": flags}
            part = "context"
        elif line.startswith("msgid "):
            if entry is not None and "id" in entry:
                finish()
            if entry is None:
                entry = {"strings": [], "flags": flags}
            entry["id"] = ast.literal_eval(line[6:])
            part = "id"
        elif line.startswith("msgid_plural "):
            entry["plural"] = ast.literal_eval(line[13:])
            part = "plural"
        elif line.startswith("msgstr"):
            entry["strings"].append(ast.literal_eval(line.split(" ", 1)[1]))
            part = "strings"
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if part == "strings":
                entry["strings"][-1] += text
            else:
                entry[part] += text
    finish()
    return entries


def _files(patterns):
    return sorted({path for pattern in patterns for path in ROOT.glob(pattern) if path.is_file()})


def seeker_msgids() -> dict[tuple[str | None, str], str]:
    """{(msgctxt, msgid): the first file that uses it} for everything the seeker-facing files mark."""
    found: dict[tuple[str | None, str], str] = {}
    for path in _files(SEEKER_TEMPLATES):
        for key in msgids_in_template(path):
            found.setdefault(key, str(path.relative_to(ROOT)))
    for path in _files(SEEKER_MODULES):
        for key in msgids_in_module(path):
            found.setdefault(key, str(path.relative_to(ROOT)))
    return found


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue(CATALOGUE)


def test_the_reader_finds_what_the_seeker_files_mark():
    found = seeker_msgids()
    # one of each way a message is marked: {% translate %}, {% blocktranslate %} with a variable, with a count
    # (its singular), gettext_lazy in a module, gettext in a module
    for expected in (
        "Ask them to contact me",
        "Ask %(program)s to contact you",
        "within %(count)d day",
        "Not updated",
        "Answer this question: the program needs it.",
        "(required)",
    ):
        assert (None, expected) in found, expected
    assert len(found) > 300


def test_the_reader_sees_missing_empty_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Done"\nmsgstr "Hecho"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "Adivinado"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr "Mayo"\n\n'
        'msgid "one day"\nmsgid_plural "%(count)s days"\nmsgstr[0] "un día"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = read_catalogue(po)
    assert untranslated(entries, {(None, "Done"): "x", ("month", "May"): "x"}) == []
    problems = untranslated(entries, {(None, text): "x" for text in ("Empty", "Guessed", "Absent", "one day", "May")})
    assert [problem.split(":")[0] for problem, _ in problems] == [
        "missing from the catalogue",  # Absent
        "untranslated",  # Empty
        "fuzzy",  # Guessed
        "missing from the catalogue",  # May, without its context
        "untranslated",  # one day: a plural form left empty
    ]


def untranslated(entries, wanted) -> list[tuple[str, str]]:
    problems = []
    for (context, msgid), where in sorted(wanted.items(), key=lambda item: (item[0][0] or "", item[0][1])):
        entry = entries.get((context, msgid))
        if entry is None:
            problems.append((f"missing from the catalogue: {msgid!r}", where))
        elif entry["fuzzy"]:
            problems.append((f"fuzzy: {msgid!r}", where))
        elif not entry["strings"] or not all(entry["strings"]):
            problems.append((f"untranslated: {msgid!r}", where))
    return problems


def test_every_message_a_seeker_sees_is_translated_into_spanish(catalogue):
    problems = untranslated(catalogue, seeker_msgids())
    assert problems == [], "\n".join(f"{where}: {problem}" for problem, where in problems)


def test_the_compiled_catalogue_matches_the_po(catalogue):
    with COMPILED.open("rb") as compiled:
        translations = python_gettext.GNUTranslations(compiled)
    stale = []
    for (context, msgid), where in seeker_msgids().items():
        entry = catalogue.get((context, msgid))
        if entry is None or entry["fuzzy"]:
            continue
        if context is not None:
            got = translations.pgettext(context, msgid)
        elif len(entry["strings"]) > 1:
            got = translations.ngettext(msgid, msgid + "\x00plural", 1)
        else:
            got = translations.gettext(msgid)
        if got != entry["strings"][0]:
            stale.append(f"{where}: {msgid!r}")
    assert stale == [], "django.mo is older than django.po: run compilemessages --ignore=.venv -l es\n" + "\n".join(
        stale
    )
