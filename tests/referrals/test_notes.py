import pytest

from referrals.errors import InvalidInput, NotAllowed
from referrals.models import Note
from referrals.services import note_add, note_delete


def test_deleting_a_note_leaves_an_event_not_the_text(network):
    referral = network.refer()
    note = note_add(actor=network.claimer, referral=referral, body="Her landlord's number is 312-555-0199")
    note_delete(actor=network.claimer, note=note)
    assert not Note.objects.for_organization(network.site).exists()
    deleted = referral.events.get(kind="note_deleted")
    assert deleted.actor_display == "Sam O."
    stored = " ".join(str(value) for e in referral.events.all() for value in e.detail.values())
    assert "312-555-0199" not in stored


def test_only_the_author_or_an_admin_deletes(network):
    referral = network.refer()
    note = note_add(actor=network.claimer, referral=referral, body="Called twice.")
    with pytest.raises(NotAllowed):
        note_delete(actor=network.referrer, note=note)
    with pytest.raises(NotAllowed):
        note_delete(actor=network.outsider, note=note)
    note_delete(actor=network.site_admin, note=note)
    assert referral.notes.count() == 0


def test_notes_cannot_be_edited_through_the_services():
    import referrals.services as services

    assert not [
        name
        for name in dir(services)
        if name.startswith("note_") and "edit" in name or "update" in name and name.startswith("note")
    ]


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "nul\x00byte"])
def test_bad_notes_are_refused_and_change_nothing(network, body):
    referral = network.refer()
    events = referral.events.count()
    with pytest.raises(InvalidInput):
        note_add(actor=network.claimer, referral=referral, body=body)
    assert referral.notes.count() == 0
    assert referral.events.count() == events
