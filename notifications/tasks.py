"""Celery tasks: they take ids, call a service, and are safe to run twice.

``deliver_message`` is queued with ``delay_on_commit`` by the services that write outbox rows. When the
broker cannot be reached at that moment the change has already committed and its outbox row is pending:
publishing errors are logged rather than raised (a web request must not fail after its change was saved),
and the outbox sweep queues the row again once the broker is back.
"""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError

from . import services

logger = logging.getLogger(__name__)


class OutboxTask(DjangoTask):
    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except (OperationalError, ConnectionError, OSError) as error:
            logger.warning("Could not queue %s (%s); the outbox sweep will queue it again.", self.name, error)
            return None


@shared_task(bind=True, base=OutboxTask, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             ignore_result=True)
def deliver_message(self, outbox_id: int) -> str:
    delivery = services.outbox_deliver(outbox_id=outbox_id)
    if delivery.outcome == services.DeliveryOutcome.RETRY:
        # The row is pending again with its next_attempt_at; if this retry is lost, the sweep finds it.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(base=OutboxTask, acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    return services.outbox_requeue_stale()
