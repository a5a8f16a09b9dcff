rule saliency_maps:
    input:
        ckpt=MODEL["ckpt"],
        encoded=fill(ENCODED, split=config["interpret"]["split"]),
        scores=ATTRIBUTIONS,
        modisco=MOTIFS["h5"],
        tomtom=MOTIFS["tomtom"],
        predictions=per_model(EVALUATION["arrays"]),
    output:
        report(
            directory(MAPS),
            patterns=["{name}.png"],
            caption="../report/maps.rst",
            category="{tf}",
            subcategory="Saliency maps",
            labels={"model": "{model}", "file": "{name}"},
        ),
    log:
        "logs/{tf}/saliency_maps/{model}.log",
    benchmark:
        "benchmarks/{tf}/saliency_maps/{model}.tsv"
    conda:
        "../../envs/maps.yaml"
    threads: 2
    resources:
        mem_mb=memory("saliency_maps"),
    params:
        predictions=per_model_items(EVALUATION["arrays"]),
        methods=map_methods(),
        n_maps=config["interpret"]["n_maps"],
        n_references=config["interpret"]["n_references"],
        ig_steps=config["interpret"]["ig_steps"],
        ig_references=config["interpret"]["ig_references"],
        trim_threshold=config["motifs"]["trim_threshold"],
        batch_size=config["interpret"]["batch_size"],
        accelerator=config["interpret"]["accelerator"],
        seed=config["seed"],
    shell:
        "python -m bindscope saliency-maps --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--scores {input.scores:q} --modisco {input.modisco:q} --tomtom {input.tomtom:q} "
        "--predictions {params.predictions:q} --out {output:q} --model {wildcards.model:q} "
        "--methods {params.methods:q} --n-maps {params.n_maps:q} "
        "--n-references {params.n_references:q} --ig-steps {params.ig_steps:q} "
        "--ig-references {params.ig_references:q} --trim-threshold {params.trim_threshold:q} "
        "--batch-size {params.batch_size:q} --accelerator {params.accelerator:q} "
        "--threads {threads} --seed {params.seed:q} > {log:q} 2>&1"
