"""bindscope.render: table cells and self-contained HTML pages from the Jinja2 templates."""

from __future__ import annotations

import base64

import pytest

from bindscope.render import fmt, image_uri, summary_page
from bindscope.verdict import SUMMARY_COLUMNS


@pytest.mark.parametrize(
    "value, cell",
    [(0.97132, "0.9713"), (12.5, "12.5"), (3.2e-5, "3.20e-05"), (0.0, "0"), (float("nan"), ""), ("<b>", "&lt;b&gt;"), (7, "7")],
)
def test_a_cell_keeps_four_significant_digits_and_escapes_text(value, cell):
    assert fmt(value) == cell


def test_an_image_becomes_a_data_uri_of_its_bytes(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG fake")
    uri = image_uri(tmp_path / "a.png")
    assert uri.startswith("data:image/png;base64,") and base64.b64decode(uri.split(",", 1)[1]) == b"\x89PNG fake"


def test_the_summary_page_has_a_row_per_tf_and_model_and_escapes_names():
    empty = dict.fromkeys(SUMMARY_COLUMNS, "")
    rows = [empty | {"tf": "A<1>", "model": "cnn", "auroc": 0.91234, "auprc": float("nan")}, empty | {"tf": "B", "model": "unet"}]
    page = summary_page(rows, ["A<1>", "B"])
    assert "A&lt;1&gt;" in page and "A<1>" not in page
    assert "0.9123" in page and page.count("<tr") >= 3
