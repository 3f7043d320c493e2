from celery import shared_task

from core.tasks import sweep_clock

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sign_ins(now: str | None = None) -> dict:
    """Deletes sign-in links and codes a day after they expired (they stopped working then), and the requests for
    help nobody confirmed within their hours (never shown to any program); a sweep of the beat, run with the
    sweeps' clock (``now``) by ``manage.py run_sweeps`` too."""
    now = sweep_clock(now)
    return {
        "expired sign-ins deleted": services.sign_ins_clear_expired(now=now),
        "unconfirmed requests for help deleted": services.self_referrals_clear_expired(now=now),
    }
