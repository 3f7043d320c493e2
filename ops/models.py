from django.db import models


class SweepHeartbeat(models.Model):
    """When a periodic sweep last finished: written by the worker that ran it (ops.sweeps), read by
    ``/healthz?deep=1``. A beat that stopped or got stuck shows as a sweep growing old."""

    task = models.CharField(max_length=200, unique=True, help_text="The Celery task the beat schedules.")
    finished_at = models.DateTimeField()

    def __str__(self):
        return f"{self.task} at {self.finished_at:%Y-%m-%d %H:%M:%S}"
