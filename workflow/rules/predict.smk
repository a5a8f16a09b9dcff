# Using the trained models: regions scored (config predict.regions), variants scored (config
# variants.vcf), and genome-browser tracks of the test chromosomes or blocks (config tracks).


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


rule variants:
    input:
        ckpt=MODEL["ckpt"],
        genome=genome_file,
        vcf=lambda wildcards: config["variants"]["vcf"][wildcards.tf],
        tomtom=MOTIFS["tomtom"],
        motif_db=motif_db_path,
    output:
        table=VARIANTS["table"],
        null=VARIANTS["null"],
        logos=report(
            directory(VARIANTS["logos"]),
            patterns=["{rank}.png"],
            caption="../report/variants.rst",
            category="{tf}",
            subcategory="Variant effects",
            labels={"model": "{model}", "rank": "{rank}"},
        ),
    log:
        "logs/{tf}/variants/{model}.log",
    benchmark:
        "benchmarks/{tf}/variants/{model}.tsv"
    conda:
        "../../envs/predict.yaml"
    threads: 2
    resources:
        mem_mb=memory("variants"),
    params:
        out=named_outputs,
        args=stage_args(
            "variants",
            "variants",
            "predict",
            n_references=config["interpret"]["n_references"],
        ),
    shell:
        "python -m bindscope variants --ckpt {input.ckpt:q} --genome {input.genome:q} "
        "--vcf {input.vcf:q} --tomtom {input.tomtom:q} --motif-db {input.motif_db:q} "
        "--out {params.out:q} {params.args:q} --threads {threads} > {log:q} 2>&1"


rule tracks:
    input:
        scores=per_model(ATTRIBUTIONS),
        ckpts=per_model(MODEL["ckpt"], per_base_models),
        regions=REGIONS["regions"],
        qc=REGIONS["qc"],
        test=fill(ENCODED, split="test"),
        genome=genome_file,
        peaks=sample_file("peaks"),
    output:
        **TRACKS,
        **per_model_outputs(TRACKS_PER_MODEL, MODELS),
        **per_base_outputs(TRACKS_PER_BASE, MODELS),
    log:
        "logs/{tf}/tracks.log",
    benchmark:
        "benchmarks/{tf}/tracks.tsv"
    conda:
        "../../envs/predict.yaml"
    threads: 2
    resources:
        mem_mb=memory("tracks"),
    params:
        out=named_outputs,
        scores=per_model_items(ATTRIBUTIONS),
        ckpts=per_base_ckpt_args,
        args=stage_args("tracks", "predict"),
    shell:
        "python -m bindscope tracks --scores {params.scores:q} {params.ckpts:q} "
        "--regions {input.regions:q} --qc {input.qc:q} --test {input.test:q} "
        "--genome {input.genome:q} --peaks {input.peaks:q} --out {params.out:q} "
        "{params.args:q} --threads {threads} > {log:q} 2>&1"
