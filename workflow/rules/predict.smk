# Regions scored with the trained models (config predict.regions).
rule predict:
    input:
        ckpts=per_model(MODEL["ckpt"]),
        regions=lambda wildcards: config["predict"]["regions"][wildcards.tf],
        genome=genome_file,
    output:
        **PREDICTION,
        **per_base_outputs(PREDICTION_PER_BASE, MODELS),
    log:
        "logs/{tf}/predict.log",
    benchmark:
        "benchmarks/{tf}/predict.tsv"
    conda:
        "../../envs/predict.yaml"
    threads: 2
    resources:
        mem_mb=memory("predict"),
    params:
        out=named_outputs,
        ckpts=per_model_items(MODEL["ckpt"]),
        args=stage_args("predict", "predict", "evaluate"),
    shell:
        "python -m bindscope predict --ckpts {params.ckpts:q} --regions {input.regions:q} "
        "--genome {input.genome:q} --out {params.out:q} {params.args:q} "
        "--threads {threads} > {log:q} 2>&1"
