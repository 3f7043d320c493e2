"""What a text says, and counting it into one message.

One text is at most 160 characters in the GSM-7 alphabet (each character of its extension table, such as
``€`` or ``[``, takes two), or 70 UTF-16 code units when any character needs UCS-2. A text here is always
one message: the words are written to fit, the variable part (a program's name) is shortened when it must
be, and the link always comes last, whole (it is never cut nor split across messages).

Spanish needs á, í, ó and ú, which GSM-7 lacks (it has é, ñ, ü, ¿, ¡): a text whose only such characters are
those accented vowels is sent with them replaced by their plain letters, as providers' "smart encoding" does,
so that it keeps 160 characters instead of 70. Any other character outside GSM-7 (a name in another script,
an emoji) makes the text UCS-2 and 70 units long.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, ngettext

from referrals import statuses

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
GSM7_LIMIT, UCS2_LIMIT = 160, 70
# The substitutions that keep Spanish in GSM-7 (the accented vowels it lacks).
PLAIN_VOWELS = str.maketrans({"á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U"})
ELLIPSIS = "..."


def is_gsm7(text: str) -> bool:
    return all(character in GSM7_BASIC or character in GSM7_EXTENSION for character in text)


def gsm7_length(text: str) -> int:
    return sum(2 if character in GSM7_EXTENSION else 1 for character in text)


def ucs2_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Counted:
    text: str
    encoding: str  # "gsm7" or "ucs2"
    length: int  # in the encoding's units (septets or UTF-16 code units)

    @property
    def limit(self) -> int:
        return GSM7_LIMIT if self.encoding == "gsm7" else UCS2_LIMIT

    @property
    def fits(self) -> bool:
        return self.length <= self.limit


def count(text: str) -> Counted:
    """How ``text`` goes out: GSM-7 when it can (after the Spanish vowels' substitution), UCS-2 otherwise."""
    if is_gsm7(text):
        return Counted(text, "gsm7", gsm7_length(text))
    plain = text.translate(PLAIN_VOWELS)
    if is_gsm7(plain):
        return Counted(plain, "gsm7", gsm7_length(plain))
    return Counted(text, "ucs2", ucs2_length(text))


class TextTooLong(ValueError):
    """The fixed words and the link do not fit in one message even with the variable part left out."""


def compose(template: str, *, link: str, shorten: str = "", **values) -> Counted:
    """``template`` filled with ``values`` and ``link`` (``{link}``, at its end), as one message.

    When the whole does not fit, ``values[shorten]`` (a program's name) is cut, word boundary first, with an
    ellipsis, until it fits; the link is never touched. TextTooLong if it cannot fit at all.
    """
    if "{link}" in template and not template.rstrip().endswith("{link}"):
        raise ValueError("A text's link comes last, so that nothing cuts it.")

    def render(**overrides) -> Counted:
        return count(template.format(link=link, **{**values, **overrides}))

    counted = render()
    if counted.fits:
        return counted
    if shorten:
        full = str(values[shorten])
        for size in range(len(full) - 1, 0, -1):
            cut = full[:size].rstrip(" ,.-")
            if not cut:
                continue
            counted = render(**{shorten: cut + ELLIPSIS})
            if counted.fits:
                return counted
    raise TextTooLong(f"{template!r} with a link of {len(link)} characters does not fit in one text.")


def seeker_text(kind: str, *, language: str, link: str, program: str, **values) -> Counted:
    """The text of ``kind`` for a seeker, in ``language``."""
    with translation.override(language):
        templates = {
            # Translators: a text message (at most 160 characters with its link); keep {program} and {link}.
            "referral_confirmation": gettext(
                "You were referred to {program}. They will answer {expected}. See it and answer: {link}"
            ),
            # Translators: a text message (at most 160 characters with its link); keep {program} and {link}.
            "self_referral_sent": gettext(
                "Your request to {program} was sent. They will answer {expected}. See it and answer: {link}"
            ),
            # Translators: a text message (at most 160 characters with its link); keep {program}, {status}, {link}.
            "status_changed": gettext("Your referral to {program}: {status}. See it and answer: {link}"),
            # Translators: a text message (at most 160 characters with its link); keep {program} and {link}.
            "follow_up": gettext("Did you get help from {program}? Reply 1 yes, 2 no, 3 no longer needed. Or: {link}"),
            # Translators: a text message when the usual one cannot fit; keep {link}.
            "news": gettext("News about your referral: {link}"),
        }
        try:
            return compose(templates[kind], link=link, shorten="program", program=program, **values)
        except TextTooLong:  # UCS-2 (a name in another script) leaves no room: the link says it all
            return compose(templates["news"], link=link)


def expected_response(hours: int, *, language: str) -> str:
    """ "within 2 days" in ``language`` (the words of the confirmation email, sharing its translations)."""
    with translation.override(language):
        if hours >= 48 and hours % 24 == 0:
            days = hours // 24
            return ngettext("within %(count)d day", "within %(count)d days", days) % {"count": days}
        return ngettext("within %(count)d hour", "within %(count)d hours", hours) % {"count": hours}


def seeker_status(status: str, *, language: str) -> str:
    """What the status means for the seeker, in ``language`` (as emails and the answer page say it)."""
    with translation.override(language):
        return str(statuses.seeker_label(status))


def reply_text(kind: str, *, language: str, program: str = "", answer: str = "") -> Counted:
    """Our text back to a seeker who replied (sms.inbound), in ``language``: one message, no link."""
    from referrals.answers import seeker_answer_labels

    with translation.override(language):
        how = gettext("Reply 1 if you got help, 2 if you could not, 3 if you no longer need it.")
        templates = {
            "help": how + " " + gettext("Reply STOP to stop texts."),
            "unclear": gettext("Sorry, we did not understand.") + " " + how,
            "resumed": gettext("You will get texts about your referrals again. Reply STOP to stop."),
            "nothing_awaiting": gettext("Thank you. None of your referrals is waiting for an answer now."),
            # Translators: a text message; keep {answer} and {program}.
            "answer_recorded": gettext('Thank you: we recorded "{answer}" for {program}.'),
            # Translators: a text message; keep {program}.
            "answer_refused": gettext(
                "That answer cannot be given for {program} now. Open the link in our last text to see it."
            ),
            "unknown_number": "This number has no referral with us. / Este número no tiene referencias con nosotros.",
        }
        label = str(seeker_answer_labels().get(answer, ""))
        return compose(
            templates[kind],
            link="",
            shorten="program" if "{program}" in templates[kind] else "",
            program=program,
            answer=label,
        )


def program_details_text(*, language: str, program: str, phone: str, address: str, link: str) -> Counted:
    """A program's details for a visitor of the public directory who asked for them by text, in ``language``:
    its name, phone and address when they fit, and always its page's link."""
    with translation.override(language):
        # Translators: a text message (at most 160 characters with its link); keep {program}, {phone}, {address}
        # and {link}.
        full = gettext("{program}. Phone {phone}. {address}. More: {link}")
        # Translators: a text message (at most 160 characters with its link); keep {program}, {phone}, {link}.
        phone_only = gettext("{program}. Phone {phone}. More: {link}")
        # Translators: a text message (at most 160 characters with its link); keep {program} and {link}.
        name_only = gettext("{program}. More: {link}")
    for template, needs in ((full, (phone, address)), (phone_only, (phone,)), (name_only, ())):
        if not all(needs):
            continue
        try:
            counted = compose(template, link=link, program=program, phone=phone, address=address)
        except TextTooLong:
            continue
        return counted
    return compose(name_only, link=link, shorten="program", program=program)


def code_text(kind: str, *, language: str, link: str, code: str, **values) -> Counted:
    """A one-time code and its link (the seeker's sign-in; confirming a request for help), in ``language``."""
    with translation.override(language):
        templates = {
            # Translators: a text message (at most 160 characters with its link); keep {code}, {minutes}, {link}.
            "seeker_sign_in": gettext(
                "Your code for My referrals: {code}. It works once, for {minutes} min. Or: {link}"
            ),
            # Translators: a text message (at most 160 characters with its link); keep {code}, {program}, {link}.
            "self_referral_confirm": gettext("Your code to send your request to {program}: {code}. Or: {link}"),
        }
        # Translators: a text message when the usual one cannot fit; keep {code} and {link}.
        short = gettext("Your code: {code}. Or: {link}")
    try:
        return compose(
            templates[kind], link=link, code=code, shorten="program" if "program" in values else "", **values
        )
    except TextTooLong:
        return compose(short, link=link, code=code)
