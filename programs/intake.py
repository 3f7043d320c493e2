"""A program's intake questions (issue 17 item 3): the rules in one place, pure functions of plain data.

A question is a dict (``question_snapshot`` makes one from a stored ``IntakeQuestion``)::

    {"id": "<uuid>", "kind": "one_choice", "required": True,
     "text": "Do you rent or own?", "text_es": "¿Alquila o es dueño?", "help": "", "help_es": "",
     "choices": ["Rent", "Own"], "choices_es": ["Alquilo", "Soy dueño"]}

``clean_question`` checks what a claimer or an admin writes; ``clean_answers`` checks what a helper (the Connect
form) or an API client answers, and gives the answers as they are stored with the referral: each the question
as it was asked (the snapshot above) with its ``answer``, so that a later edit of the questions does not
rewrite them. An answer is a string (text, one choice: the English wording of the choice, a date as YYYY-MM-DD),
a boolean (yes/no), a list of strings (several choices, in the question's order), a number (int or float), or
None when an optional question was left unanswered.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from core.errors import InvalidInput
from core.text import clean_text

SHORT_TEXT, LONG_TEXT, YES_NO = "short_text", "long_text", "yes_no"
ONE_CHOICE, SEVERAL_CHOICES, NUMBER, DATE = "one_choice", "several_choices", "number", "date"
KINDS = {
    SHORT_TEXT: "Short text",
    LONG_TEXT: "Long text",
    YES_NO: "Yes or no",
    ONE_CHOICE: "One choice",
    SEVERAL_CHOICES: "Several choices",
    NUMBER: "Number",
    DATE: "Date",
}
CHOICE_KINDS = frozenset({ONE_CHOICE, SEVERAL_CHOICES})

MAX_QUESTIONS = 30
TEXT_MAX_LENGTH = 300
HELP_MAX_LENGTH = 500
CHOICE_MAX_LENGTH = 200
MAX_CHOICES = 30
ANSWER_MAX_LENGTH = {SHORT_TEXT: 300, LONG_TEXT: 4000}
NUMBER_LIMIT = Decimal("1e12")
YES_WORDS = {"yes", "true", "sí", "si", "1"}
NO_WORDS = {"no", "false", "0"}


def _lines(value) -> list[str]:
    """A list typed one item a line (or given as a list): stripped, blank lines left out."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value).splitlines()
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


def clean_question(data: dict) -> tuple[dict, dict[str, str]]:
    """One question as written (``kind``, ``text``, ``text_es``, ``help``, ``help_es``, ``required``, ``choices``
    and ``choices_es`` as lists or one a line): (the question cleaned, {field: message}). Nothing is stored when
    there are messages."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for name, label, max_length, required in (
        ("text", "question", TEXT_MAX_LENGTH, True),
        ("text_es", "question in Spanish", TEXT_MAX_LENGTH, False),
        ("help", "help text", HELP_MAX_LENGTH, False),
        ("help_es", "help text in Spanish", HELP_MAX_LENGTH, False),
    ):
        try:
            cleaned[name] = clean_text(
                data.get(name),
                field=name,
                label=label,
                max_length=max_length,
                required=required,
                one_line=True,
                empty_message="Write the question: a question with no wording cannot be asked.",
            )
        except InvalidInput as error:
            errors[name] = error.message
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = "Choose what kind of answer the question takes."
    cleaned["kind"] = kind
    cleaned["required"] = bool(data.get("required"))
    choices, choices_es = _lines(data.get("choices")), _lines(data.get("choices_es"))
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors["choices"] = "A choice question needs at least two choices, one a line."
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = f"At most {MAX_CHOICES} choices."
        elif any(len(choice) > CHOICE_MAX_LENGTH for choice in choices):
            errors["choices"] = f"Each choice is at most {CHOICE_MAX_LENGTH} characters."
        elif len({choice.casefold() for choice in choices}) != len(choices):
            errors["choices"] = "Each choice must be different."
        if choices_es and "choices" not in errors:
            if len(choices_es) != len(choices):
                errors["choices_es"] = (
                    f"Give the {len(choices)} choices in Spanish in the same order, one a line, or leave this empty."
                )
            elif any(len(choice) > CHOICE_MAX_LENGTH for choice in choices_es):
                errors["choices_es"] = f"Each choice is at most {CHOICE_MAX_LENGTH} characters."
    elif kind in KINDS:
        if choices:
            errors["choices"] = "Only “one choice” and “several choices” questions take choices: clear them."
        if choices_es:
            errors["choices_es"] = "Only “one choice” and “several choices” questions take choices: clear them."
    for name, text in (("choices", choices), ("choices_es", choices_es)):
        if name not in errors and any(has_error(item) for item in text):
            errors[name] = "The choices contain characters that cannot be stored."
    cleaned["choices"], cleaned["choices_es"] = choices, choices_es
    return cleaned, errors


def has_error(text: str) -> bool:
    try:
        clean_text(text)
    except InvalidInput:
        return True
    return False


def in_language(question: dict, language: str | None) -> dict:
    """The wording a reader of ``language`` sees: Spanish where the question has it, English otherwise.
    {"text", "help", "choices": [(value, label)], "language"}: a choice's value is always its English wording."""
    spanish = (language or "en").split("-")[0] == "es"
    text = question.get("text_es") if spanish and question.get("text_es") else question["text"]
    help_text = question.get("help_es") if spanish and question.get("help_es") else question.get("help", "")
    labels = question.get("choices_es") if spanish and question.get("choices_es") else question.get("choices", [])
    return {
        "text": text,
        "help": help_text or "",
        "choices": list(zip(question.get("choices", []), labels)),
        "language": "es" if spanish and question.get("text_es") else "en",
    }


def _text_answer(question: dict, value) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(gettext("Write the answer as text."))
    try:
        return clean_text(value, max_length=ANSWER_MAX_LENGTH[question["kind"]], label="answer")
    except InvalidInput as error:
        if error.code == "too_long":
            raise ValueError(
                gettext("The answer is too long (at most %(count)s characters).")
                % {"count": ANSWER_MAX_LENGTH[question["kind"]]}
            ) from None
        raise ValueError(gettext("The answer contains characters that cannot be stored.")) from None


def _yes_no_answer(question: dict, value) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold() if isinstance(value, str) else None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(gettext("Answer yes or no."))


def _choice(question: dict, value) -> str:
    if isinstance(value, str):
        wanted = " ".join(value.split()).casefold()
        for english, *spanish in zip(question["choices"], question.get("choices_es") or question["choices"]):
            if wanted in (english.casefold(), *(label.casefold() for label in spanish)):
                return english
    raise ValueError(gettext("Choose one of the choices offered."))


def _several_answer(question: dict, value) -> list[str]:
    values = value if isinstance(value, (list, tuple)) else [value]
    chosen = {_choice(question, item) for item in values}
    return [choice for choice in question["choices"] if choice in chosen]


def _number_answer(question: dict, value) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(gettext("Enter a number, like 3 or 2.5."))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(gettext("Enter a number, like 3 or 2.5.")) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValueError(gettext("Enter a number, like 3 or 2.5."))
    if number == number.to_integral_value():
        return int(number)
    result = float(number)
    if not math.isfinite(result):
        raise ValueError(gettext("Enter a number, like 3 or 2.5."))
    return result


def _date_answer(question: dict, value) -> str:
    try:
        day = datetime.date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        raise ValueError(gettext("Enter a date as YYYY-MM-DD, like 2026-03-31."))
    return day.isoformat()


_READERS = {
    SHORT_TEXT: _text_answer,
    LONG_TEXT: _text_answer,
    YES_NO: _yes_no_answer,
    ONE_CHOICE: _choice,
    SEVERAL_CHOICES: _several_answer,
    NUMBER: _number_answer,
    DATE: _date_answer,
}


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not any(not _blank(item) for item in value)
    return False


def clean_answers(questions: list[dict], given) -> tuple[list[dict], dict[str, str]]:
    """The answers to ``questions`` (``given``: {question id: value}; ids not among the questions are refused):
    (each question as asked with its ``answer``, {question id: message}). Messages are in the active language."""
    given = dict(given or {})
    errors: dict[str, str] = {}
    known = {question["id"] for question in questions}
    for unknown in sorted(set(map(str, given)) - known):
        errors[unknown] = gettext("This program asks no such question.")
    answers = []
    for question in questions:
        value = given.get(question["id"])
        if question["kind"] == SEVERAL_CHOICES and isinstance(value, (list, tuple)):
            value = [item for item in value if not _blank(item)]
        answer = None
        if _blank(value):
            if question["required"]:
                errors[question["id"]] = gettext("Answer this question: the program needs it.")
        else:
            try:
                answer = _READERS[question["kind"]](question, value)
            except ValueError as error:
                errors[question["id"]] = str(error)
        answers.append({**question, "answer": answer})
    return answers, errors


def answer_display(answer: dict, language: str | None = None) -> str:
    """An answer as a person reads it, in ``language`` where the question gave that wording."""
    value = answer.get("answer")
    spanish = (language or "en").split("-")[0] == "es"
    if value is None or value == []:
        return gettext("Not answered") if spanish else "Not answered"
    if answer["kind"] == YES_NO:
        if spanish:
            return gettext("Yes") if value else gettext("No")
        return "Yes" if value else "No"
    if answer["kind"] in CHOICE_KINDS:
        labels = dict(in_language(answer, language)["choices"])
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(item, item) for item in values)
    return str(value)


def answers_as_text(answers: list[dict]) -> str:
    """All answers in one line, in English: "Question: answer; Question: answer" (the CSV export's column)."""
    return "; ".join(f"{answer['text']}: {answer_display(answer)}" for answer in answers or [])
