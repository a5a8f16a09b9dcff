rule interpret:
    input:
        ckpt=MODEL["ckpt"],
        encoded=fill(ENCODED, split=config["interpret"]["split"]),
    output:
        ATTRIBUTIONS,
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
        method=config["interpret"]["method"],
        ig_steps=config["interpret"]["ig_steps"],
        ig_references=config["interpret"]["ig_references"],
        n_references=config["interpret"]["n_references"],
        max_sequences=config["interpret"]["max_sequences"],
        batch_size=config["interpret"]["batch_size"],
        accelerator=config["interpret"]["accelerator"],
        seed=config["seed"],
    shell:
        "python -m bindscope interpret --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--out {output:q} --method {params.method:q} "
        "--ig-steps {params.ig_steps:q} --ig-references {params.ig_references:q} "
        "--n-references {params.n_references:q} "
        "--max-sequences {params.max_sequences:q} --batch-size {params.batch_size:q} "
        "--accelerator {params.accelerator:q} --threads {threads} --seed {params.seed:q} "
        "> {log:q} 2>&1"


# Optional (interpret.compare_methods): the attribution methods against each other and ISM, on
# interpret's positives and beside its scores; the report shows the table when it ran.
rule compare_methods:
    input:
        ckpt=MODEL["ckpt"],
        encoded=fill(ENCODED, split=config["interpret"]["split"]),
        scores=ATTRIBUTIONS,
    output:
        **COMPARISON,
    log:
        "logs/{tf}/compare_methods/{model}.log",
    benchmark:
        "benchmarks/{tf}/compare_methods/{model}.tsv"
    conda:
        "../../envs/interpret.yaml"
    threads: 2
    resources:
        mem_mb=memory("compare_methods"),
    params:
        out=named_outputs,
        methods=config["interpret"]["comparison_methods"],
        ig_steps=config["interpret"]["ig_steps"],
        ig_references=config["interpret"]["ig_references"],
        ism_sequences=config["interpret"]["ism_sequences"],
        n_references=config["interpret"]["n_references"],
        max_sequences=config["interpret"]["max_sequences"],
        batch_size=config["interpret"]["batch_size"],
        accelerator=config["interpret"]["accelerator"],
        seed=config["seed"],
    shell:
        "python -m bindscope compare-methods --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--scores {input.scores:q} --out {params.out:q} --methods {params.methods:q} "
        "--ig-steps {params.ig_steps:q} --ig-references {params.ig_references:q} "
        "--ism-sequences {params.ism_sequences:q} "
        "--n-references {params.n_references:q} "
        "--max-sequences {params.max_sequences:q} --batch-size {params.batch_size:q} "
        "--accelerator {params.accelerator:q} --threads {threads} --seed {params.seed:q} "
        "> {log:q} 2>&1"
