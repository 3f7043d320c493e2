"""Receivers: changes outside a referral's own history that Inbound Referrals shows (see
referrals.inbound_cache), and deliveries the channels report (the history's "email sent")."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from programs.models import Program, ProgramClaimer
from seekers.models import Seeker

from . import inbound_cache
from .models import Referral


def delivery_recorded(sender, report, **kwargs):
    """core.outbox.delivered: a channel delivered a message; a message about a referral goes in its history."""
    from .services import referral_record_delivery

    if isinstance(report.about, Referral):
        referral_record_delivery(channel=report.channel, referral=report.about, detail=report.detail)


def member_removed(sender, user, organization, **kwargs):
    """accounts.signals.member_removed: the referrer's grant is the person's, not a group's; without this,
    someone who left would keep those seekers' names, contact details and notes. The referrals stay."""
    from .models import ReferralUserObjectPermission

    ReferralUserObjectPermission.objects.filter(user=user, content_object__organization=organization).delete()


def seeker_erasing(sender, *, referral_ids, user_id, short_name, **kwargs):
    """privacy.signals.seeker_erasing: notes are free text about the person, so every body of the person's
    referrals becomes "(erased)" (the rows stay: who wrote one, when). The history is append-only and is not
    rewritten, with narrow exceptions under ``pgtrigger.ignore``: goal titles copied into "goal changed"
    events, the person's name as the actor of events they made (from their account, or by name outside an
    email link), and the address and browser of their email-link visits."""
    import pgtrigger

    from privacy.services import ERASED_NAME, ERASED_TEXT

    from .models import Note, ReferralEvent

    Note.objects.unscoped("the erased seeker's notes").filter(referral_id__in=referral_ids).update(body=ERASED_TEXT)
    with pgtrigger.ignore("referrals.ReferralEvent:protect_history"):
        events = ReferralEvent.objects.unscoped("the erased seeker's history").filter(referral_id__in=referral_ids)
        events.filter(kind=ReferralEvent.Kind.GOAL_CHANGED).update(detail={"from": ERASED_TEXT, "to": ERASED_TEXT})
        if user_id is not None:
            events.filter(actor_id=user_id).update(actor_display=ERASED_NAME)
        if short_name:
            events.filter(actor__isnull=True, actor_display=short_name).exclude(
                via=ReferralEvent.Via.EMAIL_LINK
            ).update(actor_display=ERASED_NAME)
        for event in events.filter(kind=ReferralEvent.Kind.EMAIL_LINK_USED, actor__isnull=True):
            event.detail = {
                key: value for key, value in event.detail.items() if key not in ("ip_address", "user_agent")
            }
            event.save(update_fields=["detail"])


@receiver(post_save, sender=Seeker, dispatch_uid="inbound_cache_seeker")
def seeker_saved(sender, instance, **kwargs):
    """A seeker's name shows on the inbound lists of every program they were referred to."""
    inbound_cache.programs_changed(
        Referral.objects.unscoped("the programs whose cached lists show this seeker")
        .filter(seeker_id=instance.pk)
        .order_by()
        .values_list("program_id", flat=True)
        .distinct()
    )


@receiver(post_save, sender=Program, dispatch_uid="inbound_cache_program")
def program_saved(sender, instance, **kwargs):
    """Its name, expected response time (the overdue marks) and assignment settings."""
    inbound_cache.programs_changed([instance.pk])


@receiver(post_save, sender=ProgramClaimer, dispatch_uid="inbound_cache_claimer_saved")
@receiver(post_delete, sender=ProgramClaimer, dispatch_uid="inbound_cache_claimer_deleted")
def claimers_changed(sender, instance, **kwargs):
    """The claimers a referral can be assigned to."""
    inbound_cache.programs_changed([instance.program_id])


def erase_admin_log(person) -> None:
    """core.erasure: the admin's log names the person's referrals ("Name → Program") and notes."""
    from privacy.services import erase_admin_log_for

    from .models import Note, Referral

    note_ids = (
        Note.objects.unscoped("the erased person's notes")
        .filter(referral_id__in=person.referral_ids)
        .values_list("pk", flat=True)
    )
    erase_admin_log_for({Referral: list(person.referral_ids), Note: list(note_ids)})
