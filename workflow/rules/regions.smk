rule regions:
    input:
        peaks=sample_file("peaks"),
        genome=sample_file("genome"),
        blacklist=blacklist_input,
        validation="results/{tf}/validation.json",
    output:
        regions="results/{tf}/regions/regions.tsv.gz",
        qc="results/{tf}/regions/qc.json",
    log:
        "logs/{tf}/regions.log",
    benchmark:
        "benchmarks/{tf}/regions.tsv"
    conda:
        "../../envs/regions.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        blacklist=optional_flag("blacklist", "blacklist"),
        windows=positive_window_flags(),
        negative_ratio=config["negative_ratio"],
        seed=config["seed"],
    shell:
        "python -m bindscope regions --peaks {input.peaks} --genome {input.genome} {params.blacklist} "
        "--out-regions {output.regions} --out-qc {output.qc} {params.windows} "
        "--negative-ratio {params.negative_ratio} --seed {params.seed} > {log} 2>&1"
