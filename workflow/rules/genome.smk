# A plain-gzip genome (as UCSC and ENCODE deliver them) has no random access: one bgzip copy with its
# .fai and .gzi, in this workflow's resources/, read by every stage. Nothing is written beside the
# user's file; TFs sharing a genome share the copy, and a changed source remakes it.
rule genome:
    input:
        lambda wildcards: GENOME_COPIES[wildcards.genome_id],
    output:
        fasta=GENOME_COPY,
        fai=f"{GENOME_COPY}.fai",
        gzi=f"{GENOME_COPY}.gzi",
    log:
        "logs/genome/{genome_id}.log",
    benchmark:
        "benchmarks/genome/{genome_id}.tsv"
    wildcard_constraints:
        genome_id="|".join(re.escape(g) for g in GENOME_COPIES) or "(?!)",
    conda:
        "../../envs/genome.yaml"
    threads: 1
    resources:
        mem_mb=memory("genome"),
    shell:
        "python -m bindscope genome --genome {input:q} --out {output.fasta:q} > {log:q} 2>&1"
