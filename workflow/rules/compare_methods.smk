# Optional (compare_methods.enabled): the attribution methods against each other and ISM, on
# interpret's positives and beside its scores; the report shows the table when it ran.
rule compare_methods:
    input:
        ckpt=fold_files(MODEL["ckpt"]),
        encoded=fold_files(fill(ENCODED, split=config["interpret"]["split"])),
        scores=ATTRIBUTIONS,
    output:
        **COMPARISON,
    log:
        "logs/{tf}/compare_methods/{model}.log",
    benchmark:
        "benchmarks/{tf}/compare_methods/{model}.tsv"
    conda:
        "../../envs/interpret.yaml"
    threads: 2
    resources:
        mem_mb=memory("compare_methods"),
    params:
        out=named_outputs,
        args=stage_args("compare-methods", "compare_methods", "interpret"),
    shell:
        "python -m bindscope compare-methods --ckpt {input.ckpt:q} --encoded {input.encoded:q} "
        "--scores {input.scores:q} --out {params.out:q} {params.args:q} "
        "--threads {threads} > {log:q} 2>&1"
