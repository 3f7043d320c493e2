"""Celery tasks: they take ids, call a service, and are safe to run twice."""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError

from . import services

logger = logging.getLogger(__name__)


class WebhookTask(DjangoTask):
    """Publishing never fails the request whose change already committed: the sweep queues the row again."""

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except (OperationalError, ConnectionError, OSError) as error:
            logger.warning("Could not queue %s (%s); the webhook sweep will queue it again.", self.name, error)
            return None


@shared_task(bind=True, base=WebhookTask, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             ignore_result=True)
def deliver_webhook(self, delivery_id: int) -> str:
    result = services.webhook_deliver(delivery_id=delivery_id)
    # In-process (eager) mode a retry would run at once, again and again: there the sweep retries instead.
    if result.outcome == "retry" and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(base=WebhookTask, acks_late=True, ignore_result=True)
def sweep_webhooks() -> int:
    return services.webhook_requeue_due()
