rule train:
    input:
        **encoded("train", "val"),
    output:
        **per_fold(MODEL),
    log:
        per_fold("logs/{tf}/train/{model}.log"),
    benchmark:
        per_fold("benchmarks/{tf}/train/{model}.tsv")
    conda:
        "../../envs/train.yaml"
    threads: 2
    resources:
        mem_mb=memory("train"),
    params:
        out=named_outputs,
        args=stage_args(
            "train",
            "train",
            model_params=lambda wildcards: config["architecture"][wildcards.model],
        ),
    shell:
        "python -m bindscope train --train {input.train:q} --val {input.val:q} "
        "--model {wildcards.model:q} --out {params.out:q} {params.args:q} "
        "--threads {threads} > {log:q} 2>&1"
