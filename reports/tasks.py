"""Celery tasks of the reports: safe to run twice."""

from celery import shared_task
from django.utils import timezone

from core.tasks import sweep_clock

from . import ahead
from .selectors import PAGE_ROW_LIMIT, Period, network_figures_kept


@shared_task(ignore_result=True)
def keep_network_scorecard(now: str | None = None) -> str:
    """Counts the default period's scorecard figures ahead of the network admins' views (every 4 minutes,
    within the 5 they are kept), so that the page reads them from the cache. ``now`` (ISO 8601) picks the
    period's last day."""
    moment = sweep_clock(now)
    period = Period.default(today=timezone.localdate(moment) if moment else None)
    figures = network_figures_kept(period=period, row_limit=PAGE_ROW_LIMIT, refresh=True)
    return f"figures of {period.start} to {period.end} counted (as of {figures.now:%Y-%m-%d %H:%M})"


@shared_task(ignore_result=True)
def keep_organization_reports(now: str | None = None) -> str:
    """Every minute: the watched organizations' report figures (the page's default period) counted ahead where
    they no longer hold or would be dropped within the next two rounds (reports.ahead). ``now`` (ISO 8601): the clock."""
    watched, counted = ahead.keep_watched(now=sweep_clock(now))
    return f"{counted} of {watched} watched organization reports counted ahead"


@shared_task(ignore_result=True)
def count_organization_report_ahead(organization_id: int) -> str:
    """After a change to one of a watched organization's referrals (reports.ahead.referral_changed): its report's
    figures counted, unless the kept ones still hold."""
    return ahead.count_queued(organization_id)
