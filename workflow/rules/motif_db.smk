rule motif_db:
    output:
        "resources/motif_db/{release}_{collection}_{groups}.meme",
    wildcard_constraints:
        release=r"JASPAR\d{4}",
        collection=r"[A-Z]+",
    log:
        "logs/motif_db/{release}_{collection}_{groups}.log",
    benchmark:
        "benchmarks/motif_db/{release}_{collection}_{groups}.tsv"
    params:
        tax_groups=lambda wildcards: (
            "" if wildcards.groups == "all" else wildcards.groups.replace("_", " ")
        ),
    threads: 1
    resources:
        mem_mb=1000,
    conda:
        "../../envs/motif_db.yaml"
    shell:
        "python -m bindscope motif-db --out {output} --release {wildcards.release} "
        "--collection {wildcards.collection} --tax-groups {params.tax_groups} > {log} 2>&1"
