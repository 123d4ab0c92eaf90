"""The overview report's charts: Vega-Lite specifications built with altair and rendered to static
SVG by vl-convert, which runs Vega in-process from its own wheel (docs/DECISIONS.md L11). The page
gets the SVG inline: no script, no style sheet, no font and no data is fetched when it opens, and
it prints as it shows. Numbers and dates are Danish (d3's da-DK locales).

The data are lists of dicts (amounts as floats: a chart draws them; the tables under it carry the
exact figures)."""

from __future__ import annotations

import threading

import altair as alt
import vl_convert

BREDDE = 900  # px of the plot area: a chart with its legend fits A4 landscape
HOEJDE = 220
FACET_KOLONNER, FACET_BREDDE = 4, 190  # small multiples, four to a row
VL_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]  # the Vega-Lite altair writes, e.g. "6.1"
# on a UTC scale (the weeks are dates, no time of day) the format is applied in UTC too; a tick a month
UGE_AKSE = alt.Axis(format="%b %Y", labelAngle=0, title=None, tickCount="month")
KRONER = "kroner"  # the y title of amounts; any other y is a count, labelled in whole numbers only


def _y_akse(titel: str) -> alt.Axis:
    if titel == KRONER:
        return alt.Axis(format=",.0f")
    # a count of 1 gets ticks at 0, 0.5 and 1: no label for the half (this Vega ignores tickMinStep)
    return alt.Axis(labelExpr="datum.value % 1 ? '' : format(datum.value, ',.0f')")


def svg(chart: alt.TopLevelMixin, values: list[dict]) -> str:
    """The chart drawn from `values` as an SVG element for inlining. The values go into the
    specification as they are: altair would check each of them against the Vega-Lite schema, and
    took three times as long as the drawing. vl-convert may fetch nothing (no base URL is allowed).
    No values, no chart: "" (the page shows the table alone)."""
    if not values:
        return ""
    spec = chart.to_dict(validate=False)
    spec["data"] = {"values": values}  # in place of the named placeholder of `_base`
    drawn = vl_convert.vegalite_to_svg(
        spec,
        vl_version=VL_VERSION,
        allowed_base_urls=[],
        format_locale="da-DK",
        time_format_locale="da-DK",
    )
    return drawn.replace("<svg ", '<svg role="img" ', 1)


def warm_up() -> threading.Thread:
    """Start vl-convert's Vega in the background: its first chart takes about a second more than the
    next. Started while dbt works in its own process, it is ready by the time the report draws."""
    thread = threading.Thread(target=svg, args=(_base("").mark_bar().encode(x="n:Q"), [{"n": 1}]), daemon=True,
                              name="vega-start")  # fmt: skip
    thread.start()
    return thread


def _base(titel: str) -> alt.Chart:
    """A chart whose data `svg` fills in."""
    return alt.Chart(alt.Data(name="tal"), title=alt.TitleParams(titel, anchor="start", fontSize=13))


def _farve(felt: str, titel: str, orden: list[str] | None = None) -> alt.Color:
    scale = alt.Scale(domain=orden, scheme="tableau10") if orden else alt.Scale(scheme="tableau20")
    return alt.Color(f"{felt}:N", title=titel, scale=scale, sort=orden,
                     legend=alt.Legend(orient="right", labelLimit=220))  # fmt: skip


def ugelinjer(values: list[dict], y: str, serie: str, titel: str, y_titel: str) -> str:
    """A line per series over weeks (`uge` an ISO date, its Monday)."""
    chart = (
        _base(titel)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=alt.X("uge:T", axis=UGE_AKSE, scale=alt.Scale(type="utc")),
            y=alt.Y(f"{y}:Q", title=y_titel, axis=_y_akse(y_titel)),
            color=_farve(serie, ""),
        )
        .properties(width=BREDDE, height=HOEJDE)
    )
    return svg(chart, values)


def stablede_soejler(values: list[dict], x: str, y: str, serie: str, titel: str, y_titel: str,
                     orden: list[str] | None = None, uger: bool = False, facet: str | None = None) -> str:  # fmt: skip
    """Bars stacked by series, over weeks (`uger`: `x` an ISO date) or ordered categories such as
    months; with `facet`, one small chart per value of that field, four to a row."""
    if uger:
        x_enc = alt.X(f"{x}:T", axis=UGE_AKSE, scale=alt.Scale(type="utc"))
    else:
        x_enc = alt.X(f"{x}:O", sort=None, axis=alt.Axis(labelAngle=0, title=None))
    width, height = (BREDDE, HOEJDE) if facet is None else (FACET_BREDDE, 110)
    # bars over weeks as wide as three quarters of a week (Vega-Lite draws them 5 px on a time axis)
    weeks = len({v[x] for v in values})
    bar = {"size": max(1.0, 0.75 * width / max(weeks, 1))} if uger else {}
    chart = (
        _base(titel)
        .mark_bar(**bar)
        .encode(
            x=x_enc,
            y=alt.Y(f"sum({y}):Q", title=y_titel, axis=_y_akse(y_titel)),
            color=_farve(serie, "", orden),  # stacked in the legend's order
        )
        .properties(width=width, height=height)
    )
    if facet is not None:
        header = alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelAnchor="start", labelFontSize=11)
        chart = chart.facet(facet=alt.Facet(f"{facet}:N", title=None, header=header), columns=FACET_KOLONNER)
        chart = chart.resolve_scale(y="independent")
    return svg(chart, values)
