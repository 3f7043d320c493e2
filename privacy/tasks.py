from celery import shared_task

from core.tasks import sweep_clock

from .services import seekers_erase_inactive


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def erase_inactive_seekers(now: str | None = None) -> dict:
    """Retention: erases seekers with no activity for SEEKER_RETENTION_DAYS (does nothing when it is 0)."""
    return {"seekers erased": seekers_erase_inactive(now=sweep_clock(now))}
