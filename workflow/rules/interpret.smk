rule interpret:
    input:
        ckpt=MODEL["ckpt"],
        encoded=fill(ENCODED, split=config["interpret"]["split"]),
    output:
        **INTERPRETATION,
    log:
        "logs/{tf}/interpret/{model}.log",
    benchmark:
        "benchmarks/{tf}/interpret/{model}.tsv"
    conda:
        "../../envs/interpret.yaml"
    threads: 2
    resources:
        mem_mb=memory("interpret"),
    params:
        out=named_outputs,
        methods=config["interpret"]["methods"],
        ig_steps=config["interpret"]["ig_steps"],
        ig_references=config["interpret"]["ig_references"],
        ism_sequences=config["interpret"]["ism_sequences"],
        n_references=config["interpret"]["n_references"],
        max_sequences=config["interpret"]["max_sequences"],
        batch_size=config["interpret"]["batch_size"],
        accelerator=config["interpret"]["accelerator"],
        seed=config["seed"],
    shell:
        "python -m bindscope interpret --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--out {params.out:q} --methods {params.methods:q} "
        "--ig-steps {params.ig_steps:q} --ig-references {params.ig_references:q} "
        "--ism-sequences {params.ism_sequences:q} "
        "--n-references {params.n_references:q} "
        "--max-sequences {params.max_sequences:q} --batch-size {params.batch_size:q} "
        "--accelerator {params.accelerator:q} --threads {threads} --seed {params.seed:q} "
        "> {log:q} 2>&1"
