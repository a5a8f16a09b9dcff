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
        args=stage_args("demo", "demo"),
    shell:
        "python -m bindscope demo --out-dir {params.out_dir:q} {params.args:q} > {log:q} 2>&1"


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
        args=stage_args("demo-weak", "demo_weak"),
    shell:
        "python -m bindscope demo-weak --out-dir {params.out_dir:q} {params.args:q} "
        "> {log:q} 2>&1"
