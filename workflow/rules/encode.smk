rule encode:
    input:
        regions="results/{tf}/regions/regions.tsv.gz",
        genome=sample_file("genome"),
    output:
        expand("results/{{tf}}/encoded/{split}.npz", split=["train", "val", "test"]),
    log:
        "logs/{tf}/encode.log",
    benchmark:
        "benchmarks/{tf}/encode.tsv"
    conda:
        "../../envs/encode.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        outdir=subpath(output[0], parent=True),
    shell:
        "python -m bindscope encode --regions {input.regions} --genome {input.genome} "
        "--outdir {params.outdir} > {log} 2>&1"
