"""Counting a text into one message (issue 14 item 2): GSM-7 160, UCS-2 70, the link whole and last."""

import pytest

from sms import texts

LINK = "https://referrals.example.org/t/AbCdEfGhIj/"


def test_gsm7_counts_extension_characters_twice():
    assert texts.count("Price: 5€ [x]").length == len("Price: 5€ [x]") + 3
    assert texts.count("Hola, ¿cómo está?").encoding == "gsm7"  # ó becomes o; ¿ and á -> a


def test_spanish_keeps_160_characters_with_its_accented_vowels_made_plain():
    counted = texts.count("¿Recibió ayuda? Aquí: " + LINK)
    assert counted.encoding == "gsm7"
    assert counted.text.startswith("¿Recibio ayuda? Aqui: ")
    assert "ñ" in texts.count("Mañana").text  # ñ is GSM-7: kept


def test_another_script_needs_ucs2_and_70_units():
    counted = texts.count("Программа " + LINK)
    assert (counted.encoding, counted.limit) == ("ucs2", 70)
    assert texts.count("🙂").length == 2  # outside the BMP: two UTF-16 units


@pytest.mark.parametrize(
    "program",
    [
        "Community Food Pantry",
        "A" * 300,
        "Продовольственный банк " * 5,
        "Despensa de alimentos de la comunidad del barrio norte y sur " * 3,
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["referral_confirmation", "status_changed", "follow_up"])
def test_every_text_is_one_message_and_ends_with_its_whole_link(kind, language, program):
    counted = texts.seeker_text(
        kind,
        language=language,
        link=LINK,
        program=program,
        expected="within 2 days",
        status="The program is working with you",
    )
    assert counted.fits, counted
    assert counted.text.endswith(LINK)
    assert counted.length <= (160 if counted.encoding == "gsm7" else 70)


def test_a_long_program_name_is_shortened_with_an_ellipsis_not_the_link():
    counted = texts.seeker_text("follow_up", language="en", link=LINK, program="Very Long Program Name " * 10)
    assert "..." in counted.text and counted.text.endswith(LINK)


def test_a_link_is_never_cut_when_nothing_can_fit():
    with pytest.raises(texts.TextTooLong):
        texts.compose("{program}: {link}", link="https://example.org/" + "x" * 200, shorten="program", program="P")


def test_texts_are_in_the_seekers_language():
    english = texts.seeker_text("follow_up", language="en", link=LINK, program="Pantry").text
    spanish = texts.seeker_text("follow_up", language="es", link=LINK, program="Pantry").text
    assert english.startswith("Did you get help")
    assert spanish.startswith("¿Recibio ayuda") and spanish != english
