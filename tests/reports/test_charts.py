"""The SVG charts themselves: row labels must be readable, not cut off at the left edge."""

from xml.etree import ElementTree

from reports.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"
# A generous width for a character at the labels' 12 px (DejaVu Sans, a common system-ui fallback, averages ~7).
CHARACTER_WIDTH = 7.2


def row_labels(svg: str) -> dict[str, list[tuple[float, float, str]]]:
    """Each row label's full text (its <title>) and its visible lines as (x, y, text)."""
    root = ElementTree.fromstring(str(svg))
    labels = {}
    for text in root.iter(f"{SVG}text"):
        title = text.find(f"{SVG}title")
        if title is None:
            continue
        labels[title.text] = [
            (float(span.get("x")), float(span.get("y")), span.text) for span in text.iter(f"{SVG}tspan")
        ]
    return labels


LONG = "Not completed: Couldn't contact the seeker"
TOO_LONG = "Withdrawn: Referred elsewhere to another program in the network, far away"


def chart(labels):
    return bar_chart(
        title="Outcomes", description="Referrals by outcome.", labels=labels, series={"Sent": [3] * len(labels)}
    )


def test_a_long_label_is_shown_whole_on_two_lines_that_fit_the_margin():
    labels = row_labels(chart(["Got help", LONG]))
    lines = labels[LONG]
    assert " ".join(text for _, _, text in lines) == LONG
    assert len(lines) == 2
    for x, _, text in lines:
        assert x - len(text) * CHARACTER_WIDTH >= 0, f"{text!r} runs off the left edge"
    assert [text for _, _, text in labels["Got help"]] == ["Got help"]


def test_a_label_too_long_for_two_lines_ends_in_an_ellipsis_and_keeps_its_full_text_as_title():
    lines = row_labels(chart([TOO_LONG]))[TOO_LONG]
    assert len(lines) == 2
    assert lines[-1][2].endswith("…")
    for x, _, text in lines:
        assert x - len(text) * CHARACTER_WIDTH >= 0


def test_two_line_labels_of_neighbouring_rows_do_not_overlap():
    labels = row_labels(chart([LONG, TOO_LONG, "Declined: Out of service area"]))
    rows = sorted(labels.values(), key=lambda lines: lines[0][1])
    for upper, lower in zip(rows, rows[1:]):
        assert lower[0][1] - upper[-1][1] >= 14


def test_every_text_is_at_least_12_units_and_the_chart_is_drawn_at_its_own_size():
    """A chart is never scaled down to fit (it scrolls in its box), so 12 units are 12 pixels on screen."""
    for orientation in ("horizontal", "vertical"):
        svg = ElementTree.fromstring(
            str(
                bar_chart(
                    title="Weekly",
                    description="Referrals per week.",
                    labels=["2026-11-02", "2026-11-09"],
                    series={"Sent": [3, 9], "Received": [1, 0]},
                    orientation=orientation,
                )
            )
        )
        view_box = svg.get("viewBox").split()
        assert (svg.get("width"), svg.get("height")) == (view_box[2], view_box[3])
        sizes = [float(text.get("font-size")) for text in svg.iter(f"{SVG}text")]
        assert sizes and min(sizes) >= 12, orientation
