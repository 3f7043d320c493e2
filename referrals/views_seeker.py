"""The seeker's own page, /my/referrals/: their referrals, what each program says happens next, and the
choices the seeker party may make. Staff notes and history are never shown here. Rendered in the seeker's
preferred language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.i18n import render_in_language
from core.numbers import parse_int
from seekers.models import Seeker

from . import services
from .actors import Actor
from .errors import IllegalTransition, NotAllowed, ReferralError, StaleReferral
from .models import Referral, ReferralEvent
from .policies import seeker_choices
from .statuses import seeker_label


def seeker_profile_of(user) -> Seeker | None:
    """The seeker profile of a signed-in seeker account, if it has one."""
    return Seeker.objects.unscoped("a signed-in seeker's own profile").filter(user_id=user.pk).order_by("pk").first()


def _my_referrals(user, seeker):
    return (
        Referral.objects.restrict(user, "view")
        .filter(seeker=seeker)
        .select_related("program", "program__organization")
        .order_by("-sent_at", "-id")
    )


@login_required
@require_GET
def my_referrals(request):
    seeker = seeker_profile_of(request.user)
    if seeker is None:
        raise Http404("No seeker profile.")
    language = seeker.preferred_language or "en"
    with translation.override(language):
        rows = [
            {"referral": referral, "choices": seeker_choices(referral)}
            for referral in _my_referrals(request.user, seeker)
        ]
    return render_in_language(
        request, "referrals/my_referrals.html", {"seeker": seeker, "rows": rows, "seeker_view": True}, language
    )


@login_required
@require_POST
def my_referral_status(request, public_id):
    seeker = seeker_profile_of(request.user)
    if seeker is None:
        raise Http404("No seeker profile.")
    referral = _my_referrals(request.user, seeker).filter(public_id=public_id).first()
    if referral is None:
        raise Http404("No such referral.")
    to_status = request.POST.get("to_status", "")
    version = parse_int(request.POST.get("version"))
    with translation.override(seeker.preferred_language or "en"):
        try:
            services.referral_change_status(
                actor=Actor.for_seeker(seeker, via=ReferralEvent.Via.WEB),
                referral=referral,
                to_status=to_status,
                reason=request.POST.get("reason", ""),
                expected_version=version,
            )
        except StaleReferral:
            messages.error(request, _("This referral changed since you opened the page, so nothing was saved."))
        except IllegalTransition as error:
            # The services' refusals are written for staff, in English: the seeker reads them in their words.
            if error.context.get("already"):
                messages.error(request, _("That is already what your referral says."))
            else:
                messages.error(
                    request,
                    _("That answer cannot be given now: the referral is closed or the program already answered."),
                )
        except (NotAllowed, ReferralError):
            messages.error(request, _("That is not one of the choices."))
        else:
            messages.success(
                request,
                _("Thank you: your referral to %(program)s is now “%(status)s”.")
                % {"program": referral.program.name, "status": seeker_label(to_status)},
            )
    return redirect("referrals:my_referrals")
