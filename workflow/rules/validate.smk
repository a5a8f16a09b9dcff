rule validate:
    input:
        peaks=sample_file("peaks"),
        genome=sample_file("genome"),
        blacklist=blacklist_input,
        motif_db=motif_db_path,
    output:
        VALIDATION,
    log:
        "logs/{tf}/validate.log",
    benchmark:
        "benchmarks/{tf}/validate.tsv"
    # every TF's inputs are checked before any long job starts (and a failure stops the run)
    priority: 100
    conda:
        "../../envs/validate.yaml"
    threads: 1
    resources:
        mem_mb=memory("validate"),
    params:
        blacklist=optional_flag("blacklist", "blacklist"),
        motif=optional_flag("motif", "motif"),
        windows=positive_window_args,
    shell:
        "python -m bindscope validate --peaks {input.peaks:q} --genome {input.genome:q} "
        "--motif-db {input.motif_db:q} {params.blacklist:q} {params.motif:q} --out {output:q} "
        "{params.windows:q} > {log:q} 2>&1"
