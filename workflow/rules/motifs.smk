rule motifs:
    input:
        scores="results/{tf}/attributions/{model}/scores.npz",
        motif_db=motif_db_path(),
    output:
        h5="results/{tf}/motifs/{model}/modisco.h5",
        meme="results/{tf}/motifs/{model}/patterns.meme",
        tomtom=report(
            "results/{tf}/motifs/{model}/tomtom.tsv",
            caption="../report/tomtom.rst",
            category="{tf}",
            subcategory="Motifs",
            labels={"model": "{model}", "file": "Tomtom matches"},
        ),
        logos=report(
            directory("results/{tf}/motifs/{model}/logos"),
            patterns=["{pattern}.png"],
            caption="../report/logo.rst",
            category="{tf}",
            subcategory="Motifs",
            labels={"model": "{model}", "file": "{pattern}"},
        ),
    log:
        "logs/{tf}/motifs/{model}.log",
    benchmark:
        "benchmarks/{tf}/motifs/{model}.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        outdir=subpath(output.h5, parent=True),
        max_seqlets=config["motifs"]["max_seqlets"],
        trim_threshold=config["motifs"]["trim_threshold"],
        top_matches=config["motifs"]["top_matches"],
        n_leiden_runs=config["motifs"]["n_leiden_runs"],
        seed=config["seed"],
    shell:
        "python -m bindscope motifs --scores {input.scores} --motif-db {input.motif_db} "
        "--outdir {params.outdir} --max-seqlets {params.max_seqlets} "
        "--trim-threshold {params.trim_threshold} --top-matches {params.top_matches} "
        "--n-leiden-runs {params.n_leiden_runs} --seed {params.seed} > {log} 2>&1"
