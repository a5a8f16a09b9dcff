rule train:
    input:
        train="results/{tf}/encoded/train.npz",
        val="results/{tf}/encoded/val.npz",
    output:
        ckpt="results/{tf}/models/{model}/model.ckpt",
        log="results/{tf}/models/{model}/training_log.csv",
        hparams="results/{tf}/models/{model}/hparams.yaml",
    log:
        "logs/{tf}/train/{model}.log",
    benchmark:
        "benchmarks/{tf}/train/{model}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        lr=config["train"]["lr"],
        weight_decay=config["train"]["weight_decay"],
        batch_size=config["train"]["batch_size"],
        max_epochs=config["train"]["max_epochs"],
        patience=config["train"]["patience"],
        min_delta=config["train"]["min_delta"],
        max_shift=config["train"]["max_shift"],
        reverse_complement=config["train"]["reverse_complement"],
        pos_weight=config["train"]["pos_weight"],
        model_params=lambda wildcards: json.dumps(
            config["architecture"].get(wildcards.model) or {}
        ),
        seed=config["seed"],
    shell:
        "python -m bindscope train --train {input.train} --val {input.val} --model {wildcards.model} "
        "--out-ckpt {output.ckpt} --out-log {output.log} --out-hparams {output.hparams} "
        "--lr {params.lr} --weight-decay {params.weight_decay} --batch-size {params.batch_size} "
        "--max-epochs {params.max_epochs} --patience {params.patience} --min-delta {params.min_delta} "
        "--max-shift {params.max_shift} "
        "--reverse-complement {params.reverse_complement} --pos-weight {params.pos_weight} "
        "--model-params '{params.model_params}' --threads {threads} --seed {params.seed} "
        "> {log} 2>&1"
