rule regions:
    input:
        peaks=sample_file("peaks"),
        genome=genome_file,
        blacklist=blacklist_input,
        validation=VALIDATION,
        validated=ancient(VALIDATED),
    output:
        **REGIONS,
    log:
        "logs/{tf}/regions.log",
    benchmark:
        "benchmarks/{tf}/regions.tsv"
    conda:
        "../../envs/regions.yaml"
    threads: 1
    resources:
        mem_mb=memory("regions"),
    params:
        out=named_outputs,
        blacklist=optional_flag("blacklist", "blacklist"),
        windows=positive_window_args,
        negative_ratio=config["negative_ratio"],
        gc_bins=config["gc_bins"],
        seed=config["seed"],
    shell:
        "python -m bindscope regions --peaks {input.peaks:q} --genome {input.genome:q} "
        "{params.blacklist:q} --out {params.out:q} {params.windows:q} "
        "--negative-ratio {params.negative_ratio:q} --gc-bins {params.gc_bins:q} "
        "--seed {params.seed:q} > {log:q} 2>&1"
