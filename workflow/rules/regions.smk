rule regions:
    input:
        peaks=sample_file("peaks"),
        genome=genome_file,
        blacklist=blacklist_input,
        validation=VALIDATION,
        validated=ancient(VALIDATED),
    output:
        **per_fold(REGIONS),
    log:
        per_fold("logs/{tf}/regions.log"),
    benchmark:
        per_fold("benchmarks/{tf}/regions.tsv")
    conda:
        "../../envs/regions.yaml"
    threads: 1
    resources:
        mem_mb=memory("regions"),
    params:
        out=named_outputs,
        blacklist=optional_flag("blacklist", "blacklist"),
        fold=fold_arg,
        args=stage_args("regions", "windows", "regions"),
    shell:
        "python -m bindscope regions --peaks {input.peaks:q} --genome {input.genome:q} "
        "{params.blacklist:q} {params.fold:q} --out {params.out:q} {params.args:q} > {log:q} 2>&1"
