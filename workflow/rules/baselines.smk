# Baselines on the same test windows as the models: a PWM scan of the sheet's motif, and k-mer
# logistic regression. Each writes the evaluation folder a model's evaluate rule writes.


rule pwm_scan:
    input:
        val="results/{tf}/encoded/val.npz",
        test="results/{tf}/encoded/test.npz",
        motif_db=motif_db_path(),
        genome=sample_file("genome"),
    output:
        **eval_files("pwm_scan"),
    log:
        "logs/{tf}/baselines/pwm_scan.log",
    benchmark:
        "benchmarks/{tf}/baselines/pwm_scan.tsv"
    conda:
        "../../envs/baselines.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        outdir=subpath(output.metrics, parent=True),
        motif=lambda wildcards: samples.loc[wildcards.tf, "motif"],
        threshold=config["threshold"],
        pseudocount=config["pwm_scan"]["pseudocount"],
    shell:
        "python -m bindscope pwm-scan --val {input.val} --test {input.test} --motif-db {input.motif_db} "
        "--motif {params.motif} --genome {input.genome} --outdir {params.outdir} "
        "--threshold {params.threshold} --pseudocount {params.pseudocount} --threads {threads} "
        "> {log} 2>&1"


rule kmer_lr:
    input:
        train="results/{tf}/encoded/train.npz",
        val="results/{tf}/encoded/val.npz",
        test="results/{tf}/encoded/test.npz",
    output:
        **eval_files("kmer_lr"),
    log:
        "logs/{tf}/baselines/kmer_lr.log",
    benchmark:
        "benchmarks/{tf}/baselines/kmer_lr.tsv"
    conda:
        "../../envs/baselines.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        outdir=subpath(output.metrics, parent=True),
        k=config["kmer_lr"]["k"],
        cs=config["kmer_lr"]["C"],
        threshold=config["threshold"],
        seed=config["seed"],
    shell:
        "python -m bindscope kmer-lr --train {input.train} --val {input.val} --test {input.test} "
        "--outdir {params.outdir} --k {params.k} --cs {params.cs} --threshold {params.threshold} "
        "--seed {params.seed} > {log} 2>&1"
