from celery import shared_task

from .services import seekers_erase_inactive


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def erase_inactive_seekers() -> int:
    """Retention: erases seekers with no activity for SEEKER_RETENTION_DAYS (does nothing when it is 0)."""
    return seekers_erase_inactive()
