"""The report's charts: every dimension and every wait drawn, in colour by how it went, with
labels escaped."""

from __future__ import annotations

from roleplay.report_charts import FAIR, GOOD, POOR, dimension_chart, wait_chart


def _row(name: str, score, against: str = "") -> dict:
    return {"name": name, "label": name, "score": score, "against": against}


def test_each_dimension_is_a_bar_coloured_by_its_score():
    svg = str(
        dimension_chart([_row("response", 100.0), _row("typing", None), _row("compliance", 55.0)])
    )
    assert svg.count('class="dimension"') == 3
    assert f'fill="{GOOD}"' in svg and f'fill="{POOR}"' in svg
    assert "无数据" in svg  # an excluded dimension says so instead of showing 0


def test_labels_are_escaped():
    svg = str(dimension_chart([_row("<script>", 50.0, against="<b>x</b>")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg


def _wait(band: str, waited, target=6.0, limit=10.0) -> dict:
    data = {"band": band, "target_s": target, "limit_s": limit, "score": 0}
    if waited is not None:
        data["wait_s"] = waited
    return data


def test_each_wait_is_shown_against_its_bands():
    svg = str(
        wait_chart(
            [
                _wait("first", 4.0),
                _wait("later", 30.0, 15.0, 60.0),
                _wait("later", 70.0, 15.0, 60.0),
                _wait("later", None, 15.0, 60.0),
            ]
        )
    )
    assert svg.count('class="wait"') == 4
    rows = svg.split('class="wait"')[1:]
    assert f'fill="{GOOD}"' in rows[0]  # within the target
    assert f'fill="{FAIR}"' in rows[1]  # within the limit
    assert f'fill="{POOR}"' in rows[2] and f'fill="{POOR}"' in rows[3]
    assert "未回复" in rows[3]


def test_no_waits_no_chart():
    assert str(wait_chart([])) == ""


def test_a_trend_leaves_a_gap_where_a_dimension_had_no_data_and_escapes_its_labels():
    from roleplay.report_charts import score_trend

    svg = str(
        score_trend(
            [("12-01 <b>A</b>", 40.0), ("12-02 B", None), ("12-03 C", 90.0)],
            title="打字速度",
            name="typing",
        )
    )
    assert svg.count('class="point"') == 2  # the chat without data is no zero
    assert "&lt;b&gt;A&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'data-testid="trend-typing"' in svg and ">90<" in svg  # the latest score, written
    empty = str(score_trend([("12-01", None)], title="打字速度", name="typing"))
    assert 'class="point"' not in empty and "polyline" not in empty
