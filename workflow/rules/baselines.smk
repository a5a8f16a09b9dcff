# Baselines on the same test windows as the models: a PWM scan of the sheet's motif, and k-mer
# logistic regression. Each writes the evaluation files a model's evaluate rule writes.
rule pwm_scan:
    input:
        **encoded("val", "test"),
        controls=per_fold(CONTROLS),
        motif_db=motif_db_path,
        genome=genome_file,
    output:
        **fold_eval_files("pwm_scan"),
    log:
        per_fold("logs/{tf}/baselines/pwm_scan.log"),
    benchmark:
        per_fold("benchmarks/{tf}/baselines/pwm_scan.tsv")
    conda:
        "../../envs/baselines.yaml"
    threads: 1
    resources:
        mem_mb=memory("pwm_scan"),
    params:
        out=named_outputs,
        motif=lambda wildcards: samples.loc[wildcards.tf, "motif"],
        args=stage_args("pwm-scan", "pwm_scan", "evaluate"),
        fold=fold_arg,
    shell:
        "python -m bindscope pwm-scan --val {input.val:q} --test {input.test:q} "
        "--controls {input.controls:q} "
        "--motif-db {input.motif_db:q} --motif {params.motif:q} --genome {input.genome:q} "
        "--out {params.out:q} {params.args:q} {params.fold:q} --threads {threads} > {log:q} 2>&1"


rule kmer_lr:
    input:
        **encoded("train", "val", "test"),
        controls=per_fold(CONTROLS),
    output:
        **fold_eval_files("kmer_lr"),
    log:
        per_fold("logs/{tf}/baselines/kmer_lr.log"),
    benchmark:
        per_fold("benchmarks/{tf}/baselines/kmer_lr.tsv")
    conda:
        "../../envs/baselines.yaml"
    threads: 1
    resources:
        mem_mb=memory("kmer_lr"),
    params:
        out=named_outputs,
        args=stage_args("kmer-lr", "kmer_lr", "evaluate"),
        fold=fold_arg,
    shell:
        "python -m bindscope kmer-lr --train {input.train:q} --val {input.val:q} "
        "--test {input.test:q} --controls {input.controls:q} --out {params.out:q} "
        "{params.args:q} {params.fold:q} > {log:q} 2>&1"
