rule report:
    input:
        qc="results/{tf}/regions/qc.json",
        validation="results/{tf}/validation.json",
        metrics=expand("results/{{tf}}/eval/{model}/metrics.json", model=MODELS),
        curves=expand("results/{{tf}}/eval/{model}/curves.tsv", model=MODELS),
        predictions=expand("results/{{tf}}/eval/{model}/predictions.npz", model=MODELS),
        tomtom=expand("results/{{tf}}/motifs/{model}/tomtom.tsv", model=MODELS),
        logos=expand("results/{{tf}}/motifs/{model}/logos", model=MODELS),
        scores=expand("results/{{tf}}/attributions/{model}/scores.npz", model=MODELS),
        baselines=lambda wildcards: expand(
            "results/{tf}/eval/{baseline}/{file}",
            tf=wildcards.tf,
            baseline=baselines_for(wildcards.tf),
            file=["metrics.json", "curves.tsv", "predictions.npz"],
        ),
        motif_db=motif_db_path(),
    output:
        html=report(
            "results/{tf}/report.html",
            caption="../report/tf_report.rst",
            category="{tf}",
            subcategory="Report",
        ),
        rows=report(
            "results/{tf}/summary_rows.tsv",
            caption="../report/metrics.rst",
            category="{tf}",
            subcategory="Metrics",
        ),
    log:
        "logs/{tf}/report.log",
    benchmark:
        "benchmarks/{tf}/report.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        peaks=sample_file("peaks"),
        models=MODELS,
        evaldirs=lambda wildcards, input: [os.path.dirname(p) for p in input.metrics],
        motifdirs=lambda wildcards, input: [os.path.dirname(p) for p in input.tomtom],
        baselines=lambda wildcards: " ".join(baselines_for(wildcards.tf)),
        baseline_dirs=lambda wildcards: " ".join(
            f"results/{wildcards.tf}/eval/{b}" for b in baselines_for(wildcards.tf)
        ),
        note=baseline_note,
        expected=lambda wildcards: (
            f"--expected-motif {samples.loc[wildcards.tf, 'motif']}"
            if samples.loc[wildcards.tf, "motif"]
            else ""
        ),
    shell:
        "python -m bindscope report --tf {wildcards.tf} --peaks {params.peaks} --qc {input.qc} "
        "--models {params.models} --evaldirs {params.evaldirs} --motifdirs {params.motifdirs} "
        "--scores {input.scores} --motif-db {input.motif_db} --validation {input.validation} "
        "--out-html {output.html} "
        "--out-summary {output.rows} --baselines {params.baselines} "
        "--baseline-evaldirs {params.baseline_dirs} {params.note} {params.expected} > {log} 2>&1"


rule summary:
    input:
        expand("results/{tf}/summary_rows.tsv", tf=TFS),
    output:
        tsv=report(
            "results/summary.tsv", caption="../report/summary.rst", category="Summary"
        ),
        html=report(
            "results/summary.html", caption="../report/summary.rst", category="Summary"
        ),
    log:
        "logs/summary.log",
    benchmark:
        "benchmarks/summary.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    shell:
        "python -m bindscope summary --rows {input} --out-tsv {output.tsv} --out-html {output.html} "
        "> {log} 2>&1"
