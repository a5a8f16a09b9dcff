# Genome-browser tracks of the test chromosomes or blocks (config tracks.enabled).
rule tracks:
    input:
        scores=per_model(ATTRIBUTIONS),
        ckpts=per_model(MODEL["ckpt"], per_base_models),
        regions=first_fold(REGIONS["regions"]),
        qc=first_fold(REGIONS["qc"]),
        test=first_fold(fill(ENCODED, split="test")),
        genome=genome_file,
        peaks=sample_file("peaks"),
    output:
        **TRACKS,
        **per_model_outputs(TRACKS_PER_MODEL, MODELS),
        **per_base_outputs(TRACKS_PER_BASE, MODELS),
    log:
        "logs/{tf}/tracks.log",
    benchmark:
        "benchmarks/{tf}/tracks.tsv"
    conda:
        "../../envs/predict.yaml"
    threads: 2
    resources:
        mem_mb=memory("tracks"),
    params:
        out=named_outputs,
        scores=per_model_items(ATTRIBUTIONS),
        ckpts=per_base_ckpt_args,
        args=stage_args("tracks", "predict"),
    shell:
        "python -m bindscope tracks --scores {params.scores:q} {params.ckpts:q} "
        "--regions {input.regions:q} --qc {input.qc:q} --test {input.test:q} "
        "--genome {input.genome:q} --peaks {input.peaks:q} --out {params.out:q} "
        "{params.args:q} --threads {threads} > {log:q} 2>&1"
