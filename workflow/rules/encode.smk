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
        source=config["base_labels"]["source"],
        half_width=config["base_labels"]["summit_half_width"],
        max_width=config["base_labels"]["max_peak_width"],
    shell:
        "python -m bindscope encode --regions {input.regions} --genome {input.genome} "
        "--outdir {params.outdir} --base-label-source {params.source} "
        "--summit-half-width {params.half_width} --max-peak-width {params.max_width} > {log} 2>&1"
