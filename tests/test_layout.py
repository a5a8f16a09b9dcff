"""bindscope.layout: every file passed between stages, named once."""

from __future__ import annotations

import pytest

from bindscope import layout


def test_fill_replaces_the_named_wildcards_and_keeps_the_others():
    assert layout.fill(layout.ENCODED, split="test") == "results/{tf}/encoded/test.npz"
    assert layout.fill(layout.ENCODED, tf="CTCF", split="val") == "results/CTCF/encoded/val.npz"


def test_per_model_and_per_base_outputs_name_each_model():
    assert layout.per_model_outputs(layout.TRACKS_PER_MODEL, ["cnn", "unet"]) == {
        "contributions_cnn": "results/{tf}/tracks/cnn.contributions.bw",
        "contributions_unet": "results/{tf}/tracks/unet.contributions.bw",
    }
    per_base = layout.per_base_outputs(layout.TRACKS_PER_BASE, ["cnn", "unet"])
    assert per_base and all(name.endswith("_unet") and "{model}" not in path for name, path in per_base.items())


def test_the_gradient_search_writes_beside_the_default_one():
    for name, path in layout.MOTIFS_GRADIENT.items():
        assert path == layout.MOTIFS[name].replace("/motifs/{model}/", "/motifs/{model}/gradient/")


def test_a_stage_given_other_outputs_than_its_own_says_which():
    layout.check_outputs(dict.fromkeys(layout.MODEL, "x"), layout.MODEL)
    with pytest.raises(ValueError):
        layout.check_outputs({"ckpt": "x"}, layout.MODEL)


def test_every_path_is_under_results_or_resources_and_unique():
    paths = [v for name in dir(layout) if name.isupper() for v in _paths(getattr(layout, name))]
    assert all(p.startswith(("results/", "resources/")) or "/" not in p for p in paths)
    assert len(set(paths)) == len(paths)


def _paths(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []
