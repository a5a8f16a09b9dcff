"""Shared fixtures: the compute device, the shipped configuration, a tiny genome."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from bindscope.shifts import max_shift, training_flank

REPO = Path(__file__).resolve().parents[1]
#: The shipped configuration: the one place defaults are said; tests take theirs from it.
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def train_options(model: str) -> dict:
    """train.run's keywords from config/config.yaml for ``model``, one start (the rule picks restarts and shift per model)."""
    return CONFIG["train"] | {"restarts": 1, "max_shift": max_shift(CONFIG["train"]["max_shift"], model)}


def jaspar_motifs(tax_groups: list[str]) -> list:
    """The JASPAR2024 CORE matrices of ``tax_groups`` as rule motif_db exports them (Motif objects)."""
    from bindscope.motif_database.jaspar import from_jaspar, jaspar_records

    return [from_jaspar(r) for r in jaspar_records("JASPAR2024", "CORE", tax_groups)]


#: The workflow tests' scenario (fewer epochs and references), applied over the shipped configuration.
TEST_CONFIG = REPO / "tests" / "config" / "config.yaml"
#: Over TEST_CONFIG: the shipped attribution, without the method comparison the scenario turns on.
DEFAULT_ATTRIBUTION = REPO / "tests" / "config" / "default_attribution.yaml"


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def device(request) -> str:
    """Run a test on the CPU, and again on CUDA when a GPU is present."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    return request.param


@pytest.fixture
def tiny_genome(tmp_path):
    """A 4-chromosome FASTA (60-90 kb each, varying GC, an N gap, soft-masked stretch) and 80 peaks per chromosome."""
    import numpy as np

    from bindscope.stages.demo import gc_landscape, random_sequence

    rng = np.random.default_rng(0)
    fasta, peaks = [], []
    for i, length in enumerate((90_000, 80_000, 70_000, 60_000), start=1):
        seq = random_sequence(gc_landscape(length, rng, mean_segment=10_000), rng)
        seq[30_000:31_000] = ord("N")
        seq[40_000:41_000] |= 0x20  # lower case
        fasta.append(f">chr{i}\n" + "\n".join(seq[j : j + 70].tobytes().decode() for j in range(0, length, 70)))
        for s in np.sort(rng.choice(np.arange(1_000, length - 1_000, 500), 80, replace=False)):
            if not 29_500 < s < 31_500:
                peaks.append(f"chr{i}\t{s - 50}\t{s + 70}\tp\t0\t.\t-1\t-1\t-1\t50")
    (tmp_path / "genome.fa").write_text("\n".join(fasta) + "\n")
    (tmp_path / "peaks.narrowPeak").write_text("\n".join(peaks) + "\n")
    (tmp_path / "blacklist.bed").write_text("chr1\t50000\t60000\n")
    return tmp_path


#: validate's and regions' shared options as the rules pass them: the shipped configuration's windows section.
WINDOW_OPTIONS = dict(CONFIG["windows"])
#: regions' own options from the shipped configuration.
REGIONS_OPTIONS = {**CONFIG["regions"], "seed": CONFIG["seed"]}


def windows(**changes):
    """validate's and regions' WindowSettings: the shipped configuration's, with ``changes``."""
    from bindscope.inputs import WindowSettings

    return WindowSettings(**(WINDOW_OPTIONS | changes))


#: encode's options from the shipped configuration.
ENCODE_OPTIONS = {
    **CONFIG["encode"],
    "train_flank": training_flank(CONFIG["train"]["max_shift"], CONFIG["models"]),
    "seed": CONFIG["seed"],
}


def files_in(folder, patterns: dict[str, str]) -> dict[str, str]:
    """A stage's files (a layout dict such as layout.EVALUATION) by name, placed inside ``folder``."""
    return {name: str(Path(folder) / Path(pattern).name) for name, pattern in patterns.items()}


#: Threads per job in the workflow tests. They run workflows side by side on 2 cores (the SLURM run's
#: jobs beside the local reference run), where torch's intra-op threads beyond the free cores stall
#: each other: one thread per job, and as many jobs as cores, keeps every core busy.
JOB_THREADS = 1


def snakemake_command(
    workdir: Path, *args: str, configfiles=(TEST_CONFIG,), config: tuple[str, ...] = (), cores: int | None = 2
) -> list[str]:
    """``snakemake`` on ``workdir`` with the shipped configuration plus ``configfiles``; ``config``: --config items.

    Every job runs on :data:`JOB_THREADS` threads (``--max-threads``, which Snakemake also passes to cluster jobs).
    """
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), *args]
    cmd += ["--cores", str(cores)] if cores else []
    cmd += ["--max-threads", str(JOB_THREADS)]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), *map(str, configfiles)]
    return cmd + (["--config", *config] if config else [])


def run_snakemake(workdir: Path, *args: str, timeout: float = 1500, **options) -> subprocess.CompletedProcess:
    return subprocess.run(snakemake_command(workdir, *args, **options), capture_output=True, text=True, timeout=timeout)


def demo_workdir(path: Path) -> Path:
    """A run folder holding the shipped sample sheet (the demo TFs, data made by rule demo)."""
    (path / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "samples.tsv", path / "config" / "samples.tsv")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The whole workflow on the demo data (both TFs, models and baselines) in the test scenario, run once per session.

    The end-to-end, kill-and-resume and SLURM tests all read or compare against this one run.
    """
    workdir = demo_workdir(tmp_path_factory.mktemp("demo"))
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stderr[-5000:]
    assert "bindscope reports:" in result.stdout + result.stderr
    return workdir


#: Real data beside the repository (../shared/data): yeast sacCer3 with Reb1 ChIP-exo peaks.
REB1_DATA = REPO.parent / "shared" / "data" / "sacCer3"


def reb1_data_available() -> bool:
    return (REB1_DATA / "Reb1_ChIPexo_Rhee2011_sacCer3.narrowPeak").exists()


@pytest.fixture(scope="session")
def reb1_run(tmp_path_factory) -> Path:
    """The workflow on Reb1 with the benchmark's configuration (bench/reb1) in the test scenario with the shipped
    attribution (no method comparison), run once per session."""
    import importlib.util

    if not reb1_data_available():
        pytest.skip(f"the Reb1 data are not at {REB1_DATA} (../shared/data beside the repository)")
    spec = importlib.util.spec_from_file_location("reb1_bench", REPO / "bench" / "reb1" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    workdir = tmp_path_factory.mktemp("reb1")
    config = bench.prepare(workdir)
    result = run_snakemake(workdir, configfiles=(config, TEST_CONFIG, DEFAULT_ATTRIBUTION), timeout=1800)
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir


#: A small CNN for 60 bp windows (stage tests that need a checkpoint).
SMALL_CNN = {"input_length": 60, "n_filters": 6, "kernel_size": 7, "n_filters2": 6, "kernel_size2": 3, "pool": 4, "dropout": 0.0}


def write_checkpoint(path: Path, name: str = "cnn", params: dict | None = None, seed: int = 0, window: int = 60) -> Path:
    """An untrained model saved as a Lightning checkpoint holds it (hyper-parameters, ``window`` among them, and ``model.`` weights)."""
    from bindscope import models

    params = SMALL_CNN if params is None else params
    torch.manual_seed(seed)
    model = models.build(name, **params)
    weights = {f"model.{k}": v for k, v in model.state_dict().items()}
    torch.save({"hyper_parameters": {"model_name": name, "model_params": params, "window": window}, "state_dict": weights}, path)
    return path


def write_encoded_split(path: Path, n: int = 20, length: int = 60, seed: int = 0) -> Path:
    """An encoded split of random sequences, 7 positives in every 10 windows, with no labelled bases."""
    import numpy as np

    from bindscope.io import save_encoded
    from bindscope.sequence import one_hot_codes

    rng = np.random.default_rng(seed)
    save_encoded(
        path,
        x=one_hot_codes(rng.integers(0, 4, (n, length)).astype(np.uint8)),
        y=(np.arange(n) % 10 < 7).astype(np.uint8),
        y_base=np.zeros((n, length), dtype=np.uint8),
        chrom=np.array(["chr1"] * n),
        start=np.arange(n) * 100,
    )
    return path


def chromium():
    """Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium."""
    import shutil

    missing = [p for p in ("chromium", "chromedriver") if shutil.which(p) is None]
    if missing:
        why = f"{missing} not installed (apt-get install chromium chromium-driver)"
        pytest.fail(why) if os.environ.get("CI") else pytest.skip(why)
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def page_images(driver) -> list[tuple[str, bool]]:
    """(alt text, loaded) of every image of the page a Selenium driver shows (loaded: complete, with pixels)."""
    return driver.execute_script("return [...document.images].map(i => [i.alt, i.complete && i.naturalWidth > 0])")
