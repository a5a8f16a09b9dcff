rule evaluate:
    input:
        ckpt=MODEL["ckpt"],
        test=fill(ENCODED, split="test"),
        controls=CONTROLS,
    output:
        **eval_files("{model}"),
    log:
        "logs/{tf}/evaluate/{model}.log",
    benchmark:
        "benchmarks/{tf}/evaluate/{model}.tsv"
    conda:
        "../../envs/evaluate.yaml"
    threads: 1
    resources:
        mem_mb=memory("evaluate"),
    params:
        out=named_outputs,
        args=stage_args("evaluate", "evaluate"),
    shell:
        "python -m bindscope evaluate --ckpt {input.ckpt:q} --encoded {input.test:q} "
        "--controls {input.controls:q} --out {params.out:q} {params.args:q} "
        "--threads {threads} > {log:q} 2>&1"
