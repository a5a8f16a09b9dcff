rule report:
    input:
        qc=first_fold(REGIONS["qc"]),
        validation=VALIDATION,
        motif_db=motif_db_path,
        metrics=per_model(EVALUATION["metrics"], scored_for),
        curves=per_model(EVALUATION["curves"], scored_for),
        predictions=per_model(EVALUATION["arrays"]),
        scores=per_model(ATTRIBUTIONS),
        methods=comparison_files(COMPARISON["methods"]),
        tomtom=per_model(MOTIFS["tomtom"]),
        tomtom_all=per_model(MOTIFS["tomtom_all"]),
        tomtom_gradient=comparison_files(MOTIFS_GRADIENT["tomtom"]),
        logos=per_model(MOTIFS["logos"]),
        maps=per_model(MAPS),
        variants=variant_files,
        consistency=consistency_files,
    output:
        html=report(
            REPORT["html"],
            caption="../report/tf_report.rst",
            category="{tf}",
            subcategory="Report",
        ),
        rows=report(
            REPORT["rows"],
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
        mem_mb=memory("report"),
    params:
        out=named_outputs,
        peaks=sample_file("peaks"),
        metrics=per_model_items(EVALUATION["metrics"], scored_for),
        curves=per_model_items(EVALUATION["curves"], scored_for),
        predictions=per_model_items(EVALUATION["arrays"]),
        scores=per_model_items(ATTRIBUTIONS),
        methods=comparison_args("methods", COMPARISON["methods"]),
        tomtom=per_model_items(MOTIFS["tomtom"]),
        tomtom_all=per_model_items(MOTIFS["tomtom_all"]),
        tomtom_gradient=comparison_args("tomtom-gradient", MOTIFS_GRADIENT["tomtom"]),
        logos=per_model_items(MOTIFS["logos"]),
        maps=per_model_items(MAPS),
        variants=variant_args,
        consistency=consistency_args,
        expected=optional_flag("motif", "expected-motif"),
        note=baseline_note,
    shell:
        "python -m bindscope report --tf {wildcards.tf:q} --peaks {params.peaks:q} "
        "--qc {input.qc:q} --validation {input.validation:q} --motif-db {input.motif_db:q} "
        "--metrics {params.metrics:q} --curves {params.curves:q} "
        "--predictions {params.predictions:q} --scores {params.scores:q} "
        "{params.methods:q} "
        "--tomtom {params.tomtom:q} --tomtom-all {params.tomtom_all:q} --logos {params.logos:q} "
        "{params.tomtom_gradient:q} --maps {params.maps:q} "
        "--out {params.out:q} {params.variants:q} {params.consistency:q} "
        "{params.expected:q} {params.note:q} > {log:q} 2>&1"
