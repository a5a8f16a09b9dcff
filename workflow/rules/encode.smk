rule encode:
    input:
        regions=REGIONS["regions"],
        flanks=REGIONS["flanks"],
        genome=genome_file,
    output:
        **encoded("train", "val", "test"),
        controls=CONTROLS,
    log:
        "logs/{tf}/encode.log",
    benchmark:
        "benchmarks/{tf}/encode.tsv"
    conda:
        "../../envs/encode.yaml"
    threads: 1
    resources:
        mem_mb=memory("encode"),
    params:
        out=named_outputs,
        source=config["base_labels"]["source"],
        half_width=config["base_labels"]["summit_half_width"],
        max_width=config["base_labels"]["max_peak_width"],
        flank=training_flank(config["train"]["max_shift"], MODELS),
        seed=config["seed"],
    shell:
        "python -m bindscope encode --regions {input.regions:q} --flanks {input.flanks:q} "
        "--genome {input.genome:q} "
        "--out {params.out:q} --base-label-source {params.source:q} "
        "--summit-half-width {params.half_width:q} --max-peak-width {params.max_width:q} "
        "--train-flank {params.flank:q} "
        "--seed {params.seed:q} > {log:q} 2>&1"
