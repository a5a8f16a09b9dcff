rule interpret:
    input:
        ckpt=fold_files(MODEL["ckpt"]),
        encoded=fold_files(fill(ENCODED, split=config["interpret"]["split"])),
    output:
        ATTRIBUTIONS,
    log:
        "logs/{tf}/interpret/{model}.log",
    benchmark:
        "benchmarks/{tf}/interpret/{model}.tsv"
    conda:
        "../../envs/interpret.yaml"
    threads: 2
    resources:
        mem_mb=memory("interpret"),
    params:
        args=stage_args("interpret", "interpret"),
    shell:
        "python -m bindscope interpret --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--out {output:q} {params.args:q} --threads {threads} > {log:q} 2>&1"
