# bindscope: TF binding from ChIP-seq peaks with deep learning, and the motifs it learned.
# A table of contents: configuration and helpers in common.smk, then one file per stage, named as
# the stage's module (workflow/bindscope/stages/) and its tests (tests/test_<stage>.py).
from snakemake.utils import min_version

min_version("8.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/motif_db.smk"
include: "workflow/rules/genome_copy.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/regions.smk"
include: "workflow/rules/encode.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/ensemble.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/baselines.smk"
include: "workflow/rules/pool_folds.smk"
include: "workflow/rules/interpret.smk"
include: "workflow/rules/compare_methods.smk"
include: "workflow/rules/motifs.smk"
include: "workflow/rules/saliency_maps.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/predict.smk"
include: "workflow/rules/variants.smk"
include: "workflow/rules/tracks.smk"


rule all:
    default_target: True
    input:
        final_outputs(),


onsuccess:
    print(report_locations())
