rule evaluate:
    input:
        ckpt="results/{tf}/models/{model}/model.ckpt",
        test="results/{tf}/encoded/test.npz",
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
        mem_mb=2000,
    params:
        outdir=subpath(output.metrics, parent=True),
        threshold=config["threshold"],
        min_segment=config["min_segment"],
    shell:
        "python -m bindscope evaluate --ckpt {input.ckpt} --encoded {input.test} --outdir {params.outdir} "
        "--threshold {params.threshold} --min-segment {params.min_segment} --threads {threads} > {log} 2>&1"
