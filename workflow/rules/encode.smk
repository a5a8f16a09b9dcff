rule encode:
    input:
        regions=per_fold(REGIONS["regions"]),
        flanks=per_fold(REGIONS["flanks"]),
        genome=genome_file,
    output:
        **encoded("train", "val", "test"),
        controls=per_fold(CONTROLS),
    log:
        per_fold("logs/{tf}/encode.log"),
    benchmark:
        per_fold("benchmarks/{tf}/encode.tsv")
    conda:
        "../../envs/encode.yaml"
    threads: 1
    resources:
        mem_mb=memory("encode"),
    params:
        out=named_outputs,
        args=stage_args(
            "encode",
            "encode",
            train_flank=training_flank(config["train"]["max_shift"], MODELS),
        ),
    shell:
        "python -m bindscope encode --regions {input.regions:q} --flanks {input.flanks:q} "
        "--genome {input.genome:q} --out {params.out:q} {params.args:q} > {log:q} 2>&1"
