rule validate:
    input:
        peaks=sample_file("peaks"),
        genome=genome_file,
        blacklist=blacklist_input,
        motif_db=motif_db_path,
    output:
        VALIDATION,
    log:
        "logs/{tf}/validate.log",
    benchmark:
        "benchmarks/{tf}/validate.tsv"
    # every TF's validate runs as soon as its inputs exist; the long jobs wait for all of them (rule validated)
    priority: 100
    conda:
        "../../envs/validate.yaml"
    threads: 1
    resources:
        mem_mb=memory("validate"),
    params:
        blacklist=optional_flag("blacklist", "blacklist"),
        motif=optional_flag("motif", "motif"),
        args=stage_args("validate", "windows"),
    shell:
        "python -m bindscope validate --peaks {input.peaks:q} --genome {input.genome:q} "
        "--motif-db {input.motif_db:q} {params.blacklist:q} {params.motif:q} --out {output:q} "
        "{params.args:q} > {log:q} 2>&1"


# The gate of every long job (regions, motif_kernels): it lists the TFs whose inputs passed. The
# long jobs take it as ancient(), so a gate rewritten for a new TF selection reruns nothing of theirs.
rule validated:
    input:
        expand(VALIDATION, tf=TFS),
    output:
        VALIDATED,
    log:
        "logs/validated.log",
    benchmark:
        "benchmarks/validated.tsv"
    localrule: True
    conda:
        "../../envs/validate.yaml"
    threads: 1
    resources:
        mem_mb=memory("validated"),
    shell:
        "printf '%s\\n' {input:q} > {output:q} 2> {log:q}"
