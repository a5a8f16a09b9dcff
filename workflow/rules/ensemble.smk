# With windows.folds > 1: each model's fold checkpoints joined into one ensemble checkpoint, at the
# path a one-fold run's train writes; predict, variants and tracks apply it.
if FOLDS > 1:

    rule ensemble:
        input:
            ckpts=fold_files(MODEL["ckpt"]),
        output:
            MODEL["ckpt"],
        log:
            "logs/{tf}/ensemble/{model}.log",
        benchmark:
            "benchmarks/{tf}/ensemble/{model}.tsv"
        conda:
            "../../envs/train.yaml"
        threads: 1
        resources:
            mem_mb=memory("evaluate"),
        shell:
            "python -m bindscope ensemble --ckpts {input.ckpts:q} --out {output:q} > {log:q} 2>&1"
