rule demo:
    output:
        DEMO_FILES,
    log:
        "logs/demo.log",
    benchmark:
        "benchmarks/demo.tsv"
    params:
        outdir=DEMO_DIR,
        n_peaks=config["demo"]["n_peaks"],
        seed=config["demo"]["seed"],
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../../envs/demo.yaml"
    shell:
        "python -m bindscope demo --outdir {params.outdir} --n-peaks {params.n_peaks} "
        "--seed {params.seed} > {log} 2>&1"
