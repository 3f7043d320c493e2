"""Organization reports (organization admins) and the network scorecard (network admins).

The page and its CSV downloads call the same selector functions (reports.selectors), so the CSV's
figures are the page's.
"""

import csv
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.policies import is_member_of_public_id
from core.csv_cells import safe_text
from core.forms import error_messages

from . import ahead, charts, policies
from .forms import PeriodForm
from .selectors import (
    NETWORK_SECTIONS,
    ORGANIZATION_SECTIONS,
    PAGE_ROW_LIMIT,
    Table,
    cell_text,
    network_figures_kept,
    network_report,
    organization_report,
    scorecard_kept_seconds,
)

# slug -> (orientation, label column, series columns): which tables get a chart beside them.
ORGANIZATION_CHARTS = {
    "weekly": ("vertical", 0, [1, 2]),
    "response-times": ("horizontal", 0, [1, 2]),
    "outcomes": ("horizontal", 0, [1, 2]),
    "answers-by-channel": ("horizontal", 0, [1, 2]),
}
NETWORK_CHARTS = {
    "by-category": ("horizontal", 0, [1, 3, 4]),
    "unmet-needs": ("horizontal", None, [2, 3]),
    "never-answer": ("horizontal", 0, [2]),
    "answers-by-channel": ("horizontal", 0, [1]),
}
CHART_ROW_LIMIT = 20


class Forbidden(Exception):
    pass


def _chosen_organization(request, organizations):
    """The organization named in the query string, among the viewer's own. 404 for any other tenant's."""
    requested = request.GET.get("organization")
    if not requested:
        return organizations[0]
    try:
        public_id = uuid.UUID(requested)
    except ValueError:
        raise Http404("No such organization.") from None
    for organization in organizations:
        if organization.public_id == public_id:
            return organization
    if is_member_of_public_id(request.user, public_id):
        raise Forbidden  # their own organization, but they are not its admin
    raise Http404("No such organization.")


def _forbidden(request, message):
    return render(request, "reports/forbidden.html", {"message": message}, status=403)


def _render_tables(
    request, template: str, context: dict, tables: list[Table], period, charts: dict, *, csv_view: str, query: str
):
    """A report page: its tables with their charts and CSV links, and the period form filled in."""
    _attach_charts(tables, charts)
    for table in tables:
        table.csv_url = f"{reverse(csv_view, args=[table.slug])}?{query}"
    context.update(tables=tables, period=period, form=PeriodForm(period.query_string()))
    return render(request, template, context)


def _attach_charts(tables: list[Table], specs: dict) -> None:
    for table in tables:
        spec = specs.get(table.slug)
        if not spec or not table.rows:
            continue
        orientation, label_column, series_columns = spec
        rows = table.rows[:CHART_ROW_LIMIT]
        if label_column is None:  # label made of the leading text columns
            labels = [" · ".join(cell_text(cell) for cell in row[: series_columns[0]]) for row in rows]
        else:
            labels = [cell_text(row[label_column]) for row in rows]
        series = {table.columns[column]: [row[column] for row in rows] for column in series_columns}
        # A series with nothing in it (a site receives no referrals) only adds noise to the picture.
        series = {name: values for name, values in series.items() if any(values)} or series
        shown = "" if len(table.rows) <= CHART_ROW_LIMIT else f" (the first {CHART_ROW_LIMIT} rows)"
        table.chart = charts.bar_chart(
            title=table.title,
            description=(
                f"Bar chart of {', '.join(series).lower()} by {table.columns[label_column or 0].lower()}"
                f"{shown}. The table beside it gives the same figures."
            ),
            labels=labels,
            series=series,
            orientation=orientation,
        )


def _csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        # Names come from users: defused like every CSV the site offers. Figures, dates and links are ours.
        writer.writerow([safe_text(cell) if isinstance(cell, str) else cell_text(cell) for cell in row])
    return response


def _bad_request_csv(form) -> HttpResponse:
    messages = error_messages(form.errors)
    return HttpResponse("\n".join(messages) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _organization_context(request):
    organizations = policies.reported_organizations(request.user)
    if not organizations:
        raise Forbidden
    return organizations, _chosen_organization(request, organizations)


@login_required
def organization(request):
    try:
        organizations, chosen = _organization_context(request)
    except Forbidden:
        return _forbidden(request, "Reports are for organization admins.")
    form = PeriodForm(request.GET)
    context = {
        "organizations": organizations,
        "chosen": chosen,
        "form": form,
        "tables": [],
        "generated_at": timezone.now(),
    }
    if not form.is_valid():
        return render(request, "reports/organization.html", context, status=400)
    period = form.cleaned_data["period"]
    tables = organization_report(
        organization=chosen, period=period, now=context["generated_at"], row_limit=PAGE_ROW_LIMIT
    )
    ahead.watch(chosen, period)  # its default period is counted ahead of its admins from now on
    query = urlencode({"organization": str(chosen.public_id), **period.query_string()})
    return _render_tables(
        request,
        "reports/organization.html",
        context,
        tables,
        period,
        ORGANIZATION_CHARTS,
        csv_view="reports:organization_csv",
        query=query,
    )


@login_required
def organization_csv(request, section):
    if section not in ORGANIZATION_SECTIONS:
        raise Http404("No such report.")
    try:
        _, chosen = _organization_context(request)
    except Forbidden:
        return _forbidden(request, "Reports are for organization admins.")
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _bad_request_csv(form)
    period = form.cleaned_data["period"]
    [table] = organization_report(organization=chosen, period=period, sections=[section])
    return _csv_response(table, f"{chosen.slug}-{section}-{period.start}-{period.end}.csv")


@login_required
def network(request):
    if not policies.can(request.user, "see_network_scorecard"):
        return _forbidden(request, "The network scorecard is for network admins.")
    form = PeriodForm(request.GET)
    context = {"form": form, "tables": [], "generated_at": timezone.now()}
    if not form.is_valid():
        return render(request, "reports/network.html", context, status=400)
    period = form.cleaned_data["period"]
    figures = network_figures_kept(period=period, row_limit=PAGE_ROW_LIMIT)
    context.update(generated_at=figures.now, kept_minutes=scorecard_kept_seconds() // 60)
    tables = network_report(figures=figures)
    return _render_tables(
        request,
        "reports/network.html",
        context,
        tables,
        period,
        NETWORK_CHARTS,
        csv_view="reports:network_csv",
        query=urlencode(period.query_string()),
    )


@login_required
def network_csv(request, section):
    if not policies.can(request.user, "see_network_scorecard"):
        return _forbidden(request, "The network scorecard is for network admins.")
    if section not in NETWORK_SECTIONS:
        raise Http404("No such report.")
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _bad_request_csv(form)
    period = form.cleaned_data["period"]
    [table] = network_report(period=period, sections=[section])
    return _csv_response(table, f"network-{section}-{period.start}-{period.end}.csv")
