# A plain-gzip genome (as UCSC and ENCODE deliver them) has no random access: one bgzip copy with its
# .fai and .gzi, in this workflow's resources/, read by every stage. Nothing is written beside the
# user's file; TFs sharing a genome share the copy, and a changed source remakes it.
rule genome_copy:
    input:
        lambda wildcards: GENOME_COPIES[wildcards.genome_id],
    output:
        fasta=GENOME_COPY,
        fai=f"{GENOME_COPY}.fai",
        gzi=f"{GENOME_COPY}.gzi",
    log:
        "logs/genome_copy/{genome_id}.log",
    benchmark:
        "benchmarks/genome_copy/{genome_id}.tsv"
    wildcard_constraints:
        genome_id="|".join(re.escape(g) for g in GENOME_COPIES) or "(?!)",
    conda:
        "../../envs/genome_copy.yaml"
    threads: 1
    resources:
        mem_mb=memory("genome_copy"),
    shell:
        "python -m bindscope genome-copy --genome {input:q} --out {output.fasta:q} > {log:q} 2>&1"
