"""bindscope.configcheck: the configuration against its schema, one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bindscope.configcheck import MOVED_KEYS, check_config, check_config_files, typed_overrides
from bindscope.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def shipped() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


@pytest.mark.parametrize(
    "change, record, problem",
    [
        ({"windows": {"window": 0}}, "key windows.window", "0 is less than the minimum of 20"),
        ({"train": {"lr": 0}}, "key train.lr", "0 is less than or equal to the minimum of 0"),
        ({"models": ["cnn", "lstm"]}, "key models[1]", "'lstm' is not one of ['cnn', 'unet']"),
        ({"predict": {"tile_margin": 200}}, "key predict.tile_margin", "200 leaves no central part of the 400 bp window (at most 199)"),
    ],
)
def test_22_config_values_out_of_range(change, record, problem):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for key, value in change.items():
        config[key] = config[key] | value if isinstance(value, dict) else value
    with pytest.raises(InputError) as err:
        check_config(config, SCHEMA, ["config/config.yaml", "--config"])
    assert str(err.value) == f"config/config.yaml + --config {record}: {problem}"


def test_22_missing_motif_db_file_named_with_its_key(tmp_path):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["motif_db"] = config["motif_db"] | {"source": str(tmp_path / "absent.meme")}
    check_config(config, SCHEMA, ["my.yaml"])
    with pytest.raises(InputError) as err:
        check_config_files(config, ["my.yaml"])
    assert str(err.value).startswith(f"my.yaml key motif_db.source: no such MEME file '{tmp_path / 'absent.meme'}'")


def test_22_motif_db_path_with_a_wildcard_named_with_its_key():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["motif_db"] = config["motif_db"] | {"source": "/db/{tf}.meme"}
    with pytest.raises(InputError, match=r"my.yaml key motif_db.source: '/db/\{tf\}.meme' holds '\{tf\}', which Snakemake reads"):
        check_config_files(config, ["my.yaml"])


def test_22_shipped_config_is_valid():
    check_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()), SCHEMA, ["config/config.yaml"])


@pytest.mark.parametrize("old", sorted(MOVED_KEYS))
def test_a_key_of_an_earlier_release_is_refused_with_its_new_name(old):
    config = shipped()
    section, _, key = old.rpartition(".")
    (config.setdefault(section, {}) if section else config)[key] = 1
    with pytest.raises(InputError) as err:
        check_config(config, SCHEMA, ["my.yaml"])
    assert str(err.value) == f"my.yaml key {old}: this setting is now {MOVED_KEYS[old]} (each stage's settings have their own section)"


def test_a_per_model_value_must_name_every_model_that_runs():
    config = shipped()
    config["train"]["restarts"] = {"cnn": 3}
    with pytest.raises(InputError, match=r"key train.restarts: \{'cnn': 3\} gives no value for model\(s\) \['unet'\]"):
        check_config(config, SCHEMA, ["my.yaml"])
    config["models"] = ["cnn"]
    check_config(config, SCHEMA, ["my.yaml"])


def test_nested_command_line_values_get_the_types_the_schema_wants():
    """Snakemake reads --config 'windows={window: 100}' as text throughout; numbers and booleans are typed, names stay text."""
    schema = yaml.safe_load(SCHEMA.read_text())
    given = {"windows": {"window": "100", "merge_overlapping": "false", "test_chroms": ["1", "chrX"]}, "predict": {"tile_margin": "auto"}}
    given["train"] = {"max_shift": {"unet": "50"}, "lr": "0.01"}
    typed = typed_overrides(given, schema)
    assert typed["windows"] == {"window": 100, "merge_overlapping": False, "test_chroms": ["1", "chrX"]}
    assert typed["predict"] == {"tile_margin": "auto"} and typed["train"] == {"max_shift": {"unet": 50}, "lr": 0.01}


@pytest.mark.parametrize(
    ("changes", "key", "problem"),
    [
        ({"windows": {"folds": 2}}, "key windows.folds", "folds are 1 or at least 3"),
        ({"windows": {"folds": 3, "test_chroms": ["chr1"]}}, "key windows.folds", "leave windows.test_chroms and val_chroms empty"),
        ({"windows": {"folds": 3}, "interpret": {"split": "val"}}, "key interpret.split", "attributed out of fold"),
    ],
)
def test_folds_that_cannot_run_are_refused_with_the_key(changes, key, problem):
    config = shipped()
    for section, values in changes.items():
        config[section] = {**config[section], **values}
    with pytest.raises(InputError, match=problem) as err:
        check_config(config, SCHEMA, ["my.yaml"])
    assert key in str(err.value)
    config["windows"]["folds"] = 5
    config["windows"]["test_chroms"] = []
    config["interpret"]["split"], config["compare_methods"]["enabled"] = "test", True
    check_config(config, SCHEMA, ["my.yaml"])
