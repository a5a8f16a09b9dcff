rule evaluate:
    input:
        ckpt=per_fold(MODEL["ckpt"]),
        test=per_fold(fill(ENCODED, split="test")),
        controls=per_fold(CONTROLS),
    output:
        **fold_eval_files("{model}"),
    log:
        per_fold("logs/{tf}/evaluate/{model}.log"),
    benchmark:
        per_fold("benchmarks/{tf}/evaluate/{model}.tsv")
    conda:
        "../../envs/evaluate.yaml"
    threads: 1
    resources:
        mem_mb=memory("evaluate"),
    params:
        out=named_outputs,
        args=stage_args("evaluate", "evaluate"),
        fold=fold_arg,
    shell:
        "python -m bindscope evaluate --ckpt {input.ckpt:q} --encoded {input.test:q} "
        "--controls {input.controls:q} --out {params.out:q} {params.args:q} {params.fold:q} "
        "--threads {threads} > {log:q} 2>&1"
