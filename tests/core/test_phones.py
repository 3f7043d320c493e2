"""Phone numbers are real numbers (issue 14 item 1): core.phones reads them into E.164 or says why not."""

import pytest

from core.phones import PhoneNumberRefused, is_textable, parse_phone, phone_display


@pytest.mark.parametrize(
    "typed", ["312-555-0142", "(312) 555 0142", "312.555.0142", "+1 312 555 0142", "1-312-555-0142", " 3125550142 "]
)
def test_every_way_of_writing_a_us_number_is_one_number(typed):
    assert parse_phone(typed) == "+13125550142"


def test_a_number_with_its_country_code_keeps_it():
    assert parse_phone("+44 20 7946 0958") == "+442079460958"


def test_blank_stays_blank():
    assert parse_phone("  ") == ""


@pytest.mark.parametrize(
    "typed,message",
    [
        ("111-111-1111", "not a phone number anyone can have"),
        ("000 000 0000", "not a phone number anyone can have"),
        ("call me", "only digits"),
        ("312-CALL-NOW", "only digits"),
        ("555-0142", "ten-digit phone number"),
        ("12", "ten-digit phone number"),
        ("+", "only digits"),
        ("+44 20 7946 0958 12", "too many digits"),
        ("3" * 40, "too many digits"),
        ("٣١٢٥٥٥٠١٤٢", "only digits"),  # digits of another script are not read as numbers
    ],
)
def test_what_is_not_a_number_is_refused_with_the_reason(typed, message):
    with pytest.raises(PhoneNumberRefused) as refused:
        parse_phone(typed)
    assert message in str(refused.value)


def test_the_default_region_reads_numbers_written_without_a_country_code(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert parse_phone("020 7946 0958") == "+442079460958"
    assert phone_display("+442079460958") == "020 7946 0958"
    assert phone_display("+13125550142") == "+1 312-555-0142"


def test_pages_show_a_local_number_the_local_way_and_others_in_full():
    assert phone_display("+13125550142") == "312-555-0142"
    assert phone_display("+442079460958") == "+44 20 7946 0958"
    assert phone_display("call the front desk") == "call the front desk"


def test_only_valid_stored_numbers_that_may_be_mobiles_are_texted():
    assert is_textable("+13125550142")  # North America does not tell mobiles from landlines: tried
    assert is_textable("+447911123456")  # a UK mobile
    assert not is_textable("+442079460958")  # a London landline
    assert not is_textable("+18005550142")  # toll free
    assert not is_textable("3125550142")  # not stored as E.164: kept from before, waiting for a check
    assert not is_textable("111-111-1111")
    assert not is_textable("")
