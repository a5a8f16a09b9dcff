rule demo:
    output:
        DEMO_FILES,
    log:
        "logs/demo.log",
    benchmark:
        "benchmarks/demo.tsv"
    conda:
        "../../envs/demo.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        outdir=lambda wildcards, output: os.path.dirname(output[0]),
        n_peaks=config["demo"]["n_peaks"],
        seed=config["demo"]["seed"],
    shell:
        "python -m bindscope demo --outdir {params.outdir} --n-peaks {params.n_peaks} "
        "--seed {params.seed} > {log} 2>&1"
