rule motif_db:
    output:
        meme="resources/motif_db/{release}_{collection}_{groups}.meme",
        taxa="resources/motif_db/{release}_{collection}_{groups}.taxa.tsv",
    log:
        "logs/motif_db/{release}_{collection}_{groups}.log",
    benchmark:
        "benchmarks/motif_db/{release}_{collection}_{groups}.tsv"
    wildcard_constraints:
        release=r"JASPAR\d{4}",
        collection=r"[A-Z]+",
    conda:
        "../../envs/motif_db.yaml"
    threads: 1
    resources:
        mem_mb=memory("motif_db"),
    params:
        tax_groups=lambda wildcards: (
            [] if wildcards.groups == "all" else wildcards.groups.split("_")
        ),
    shell:
        "python -m bindscope motif-db --out {output.meme:q} --taxa {output.taxa:q} --release {wildcards.release:q} "
        "--collection {wildcards.collection:q} --tax-groups {params.tax_groups:q} > {log:q} 2>&1"
