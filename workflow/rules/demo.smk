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
        mem_mb=memory("demo"),
    params:
        out_dir=lambda wildcards, output: os.path.dirname(output[0]),
        n_peaks=config["demo"]["n_peaks"],
        seed=config["demo"]["seed"],
    shell:
        "python -m bindscope demo --out-dir {params.out_dir:q} --n-peaks {params.n_peaks:q} "
        "--seed {params.seed:q} > {log:q} 2>&1"


rule demo_weak:
    output:
        WEAK_DEMO_FILES,
    log:
        "logs/demo_weak.log",
    benchmark:
        "benchmarks/demo_weak.tsv"
    conda:
        "../../envs/demo.yaml"
    threads: 1
    resources:
        mem_mb=memory("demo_weak"),
    params:
        out_dir=lambda wildcards, output: os.path.dirname(output[0]),
        n_peaks=config["demo"]["weak_n_peaks"],
        seed=config["demo"]["seed"],
    shell:
        "python -m bindscope demo-weak --out-dir {params.out_dir:q} --n-peaks {params.n_peaks:q} "
        "--seed {params.seed:q} > {log:q} 2>&1"
