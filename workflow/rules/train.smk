rule train:
    input:
        **encoded("train", "val"),
    output:
        **MODEL,
    log:
        "logs/{tf}/train/{model}.log",
    benchmark:
        "benchmarks/{tf}/train/{model}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 2
    resources:
        mem_mb=memory("train"),
    params:
        out=named_outputs,
        lr=config["train"]["lr"],
        weight_decay=config["train"]["weight_decay"],
        batch_size=config["train"]["batch_size"],
        max_epochs=config["train"]["max_epochs"],
        min_epochs=config["train"]["min_epochs"],
        lr_schedule=config["train"]["lr_schedule"],
        base_loss_weight=config["train"]["base_loss_weight"],
        patience=config["train"]["patience"],
        min_delta=config["train"]["min_delta"],
        max_shift=lambda wildcards: max_shift(
            config["train"]["max_shift"], wildcards.model
        ),
        reverse_complement=config["train"]["reverse_complement"],
        restarts=lambda wildcards: config["train"]["restarts"].get(wildcards.model, 1),
        restart_validations=config["train"]["restart_validations"],
        pos_weight=config["train"]["pos_weight"],
        val_every_steps=config["train"]["val_every_steps"],
        accelerator=config["train"]["accelerator"],
        precision=config["train"]["precision"],
        model_params=lambda wildcards: json.dumps(
            config["architecture"].get(wildcards.model) or {}
        ),
        seed=config["seed"],
    shell:
        "python -m bindscope train --train {input.train:q} --val {input.val:q} "
        "--model {wildcards.model:q} --out {params.out:q} "
        "--lr {params.lr:q} --weight-decay {params.weight_decay:q} "
        "--batch-size {params.batch_size:q} --max-epochs {params.max_epochs:q} "
        "--min-epochs {params.min_epochs:q} --lr-schedule {params.lr_schedule:q} "
        "--base-loss-weight {params.base_loss_weight:q} "
        "--patience {params.patience:q} --min-delta {params.min_delta:q} "
        "--max-shift {params.max_shift:q} --reverse-complement {params.reverse_complement:q} "
        "--restarts {params.restarts:q} --restart-validations {params.restart_validations:q} "
        "--val-every-steps {params.val_every_steps:q} "
        "--accelerator {params.accelerator:q} --precision {params.precision:q} "
        "--pos-weight {params.pos_weight:q} --model-params {params.model_params:q} "
        "--threads {threads} --seed {params.seed:q} > {log:q} 2>&1"
