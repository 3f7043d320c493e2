"""Receivers: changes outside a referral's own history that Inbound Referrals shows (see
referrals.inbound_cache), and deliveries the channels report (the history's "email sent")."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from programs.models import Category, Program, ProgramClaimer
from programs.signals import categories_replacing
from seekers.models import Seeker

from . import inbound_cache, kept
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


# ------------------------------------------------------------------ the scorecard's kept counts (referrals.kept)
# A seeker's zip code and a program's categories are counted with each referral; they change outside the
# referral services (the profile form, the API, the admin, an erasure, a directory import), so the counts
# follow the rows themselves: the state before the write is read in pre_*, the difference added in post_*,
# in the writer's transaction.


@receiver(pre_save, sender=Seeker, dispatch_uid="scorecard_seeker_zip_before")
def seeker_zip_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Seeker.objects.unscoped("the zip code counted for the seeker").filter(pk=instance.pk)
    if stored.filter(zip_code=instance.zip_code).exists() or not stored.exists():
        return
    instance._scorecard_counted = kept.watch_seeker(instance.pk)


@receiver(post_save, sender=Seeker, dispatch_uid="scorecard_seeker_zip_after")
def seeker_zip_after(sender, instance, **kwargs):
    counted = instance.__dict__.pop("_scorecard_counted", None)
    if counted is not None:
        counted.done()


def _recategorized_programs(instance, reverse, model, pk_set, action) -> list[int]:
    if not reverse:
        return [instance.pk]
    if action == "pre_clear":  # a category losing every program: they are its current ones
        return list(
            Program.categories.through.objects.filter(category_id=instance.pk).values_list("program_id", flat=True)
        )
    return list(pk_set or ())


@receiver(m2m_changed, sender=Program.categories.through, dispatch_uid="scorecard_categories")
def program_categories_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in ("pre_add", "pre_remove", "pre_clear"):
        programs = _recategorized_programs(instance, reverse, model, pk_set, action)
        if programs:
            instance._scorecard_counted = kept.watch_programs(programs)
    elif action in ("post_add", "post_remove", "post_clear"):
        counted = instance.__dict__.pop("_scorecard_counted", None)
        if counted is not None:
            counted.done()


@receiver(pre_delete, sender=Category, dispatch_uid="scorecard_category_deleting")
def category_deleting(sender, instance, **kwargs):
    programs = list(
        Program.categories.through.objects.filter(category_id=instance.pk).values_list("program_id", flat=True)
    )
    if programs:
        instance._scorecard_counted = kept.watch_programs(programs)


@receiver(post_delete, sender=Category, dispatch_uid="scorecard_category_deleted")
def category_deleted(sender, instance, **kwargs):
    counted = instance.__dict__.pop("_scorecard_counted", None)
    if counted is not None:
        counted.done()


@receiver(categories_replacing, sender=Program, dispatch_uid="scorecard_categories_replacing")
def categories_replacing_received(sender, program_ids, **kwargs):
    """programs.services.program_update_many: the returned callable runs once the new categories are written."""
    return kept.watch_programs(program_ids).done if program_ids else None
