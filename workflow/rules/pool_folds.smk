# With windows.folds > 1: each model's and baseline's fold evaluations pooled into its out-of-fold
# evaluation, at the paths a one-fold run's evaluate writes.
if FOLDS > 1:

    rule pool_folds:
        input:
            arrays=fold_files(fill(EVALUATION["arrays"], model="{scored}")),
            metrics=fold_files(fill(EVALUATION["metrics"], model="{scored}")),
        output:
            **eval_files("{scored}"),
        log:
            "logs/{tf}/pool_folds/{scored}.log",
        benchmark:
            "benchmarks/{tf}/pool_folds/{scored}.tsv"
        conda:
            "../../envs/evaluate.yaml"
        threads: 1
        resources:
            mem_mb=memory("evaluate"),
        params:
            out=named_outputs,
            args=stage_args("pool-folds", "evaluate"),
        shell:
            "python -m bindscope pool-folds --arrays {input.arrays:q} "
            "--metrics {input.metrics:q} --out {params.out:q} {params.args:q} > {log:q} 2>&1"
