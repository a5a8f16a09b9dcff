# Variants scored with each trained model (config variants.vcf).
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
