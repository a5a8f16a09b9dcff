rule saliency_maps:
    input:
        ckpt=fold_files(MODEL["ckpt"]),
        encoded=fold_files(fill(ENCODED, split=config["interpret"]["split"])),
        scores=ATTRIBUTIONS,
        modisco=MOTIFS["h5"],
        tomtom=MOTIFS["tomtom"],
        predictions=per_model(EVALUATION["arrays"]),
    output:
        report(
            directory(MAPS),
            patterns=["{name}.png"],
            caption="../report/saliency_maps.rst",
            category="{tf}",
            subcategory="Saliency maps",
            labels={"model": "{model}", "file": "{name}"},
        ),
    log:
        "logs/{tf}/saliency_maps/{model}.log",
    benchmark:
        "benchmarks/{tf}/saliency_maps/{model}.tsv"
    conda:
        "../../envs/saliency_maps.yaml"
    threads: 2
    resources:
        mem_mb=memory("saliency_maps"),
    params:
        predictions=per_model_items(EVALUATION["arrays"]),
        args=stage_args("saliency-maps", "saliency_maps", "interpret", "motifs"),
    shell:
        "python -m bindscope saliency-maps --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--scores {input.scores:q} --modisco {input.modisco:q} --tomtom {input.tomtom:q} "
        "--predictions {params.predictions:q} --out {output:q} --model {wildcards.model:q} "
        "{params.args:q} --threads {threads} > {log:q} 2>&1"
