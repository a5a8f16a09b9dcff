rule interpret:
    input:
        ckpt="results/{tf}/models/{model}/model.ckpt",
        encoded=f"results/{{tf}}/encoded/{config['interpret']['split']}.npz",
    output:
        "results/{tf}/attributions/{model}/scores.npz",
    log:
        "logs/{tf}/interpret/{model}.log",
    benchmark:
        "benchmarks/{tf}/interpret/{model}.tsv"
    conda:
        "../../envs/interpret.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        n_references=config["interpret"]["n_references"],
        max_sequences=config["interpret"]["max_sequences"],
        seed=config["seed"],
    shell:
        "python -m bindscope interpret --ckpt {input.ckpt} --encoded {input.encoded} --out {output} "
        "--n-references {params.n_references} --max-sequences {params.max_sequences} "
        "--threads {threads} --seed {params.seed} > {log} 2>&1"
