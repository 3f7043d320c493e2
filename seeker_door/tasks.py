from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sign_ins() -> int:
    """Deletes sign-in links and codes a day after they expired (they stopped working then)."""
    return services.sign_ins_clear_expired()
