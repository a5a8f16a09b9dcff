rule motif_kernels:
    input:
        ancient(VALIDATED),
    output:
        MOTIF_KERNELS,
    log:
        "logs/motif_kernels.log",
    benchmark:
        "benchmarks/motif_kernels.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=memory("motif_kernels"),
    params:
        args=stage_args("motif-kernels"),
    shell:
        "python -m bindscope motif-kernels --out {output:q} {params.args:q} > {log:q} 2>&1"


rule motifs:
    input:
        scores=ATTRIBUTIONS,
        motif_db=motif_db_path,
        taxa=motif_taxa_path,
        kernels=MOTIF_KERNELS,
    output:
        h5=MOTIFS["h5"],
        meme=MOTIFS["meme"],
        tomtom=report(
            MOTIFS["tomtom"],
            caption="../report/tomtom.rst",
            category="{tf}",
            subcategory="Motifs",
            labels={"model": "{model}", "file": "Tomtom matches"},
        ),
        tomtom_all=report(
            MOTIFS["tomtom_all"],
            caption="../report/tomtom.rst",
            category="{tf}",
            subcategory="Motifs",
            labels={"model": "{model}", "file": "Tomtom matches, all taxa"},
        ),
        logos=report(
            directory(MOTIFS["logos"]),
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
        mem_mb=memory("motifs"),
    params:
        out=named_outputs,
        args=stage_args("motifs", "motifs", taxon=motif_taxon),
        expected=optional_flag("motif", "expected-motif"),
        taxa=taxa_args,
    shell:
        "python -m bindscope motifs --scores {input.scores:q} --motif-db {input.motif_db:q} "
        "--out {params.out:q} {params.args:q} {params.expected:q} {params.taxa:q} "
        "> {log:q} 2>&1"


# With the method comparison (compare_methods.enabled), the same search on the scores of the gradient
# method closest to ISM, so that the report can say which methods' scores lead TF-MoDISco to the expected motif.
use rule motifs as motifs_gradient with:
    input:
        scores=COMPARISON["gradient"],
        motif_db=motif_db_path,
        taxa=motif_taxa_path,
        kernels=MOTIF_KERNELS,
    output:
        h5=MOTIFS_GRADIENT["h5"],
        meme=MOTIFS_GRADIENT["meme"],
        tomtom=MOTIFS_GRADIENT["tomtom"],
        tomtom_all=MOTIFS_GRADIENT["tomtom_all"],
        logos=directory(MOTIFS_GRADIENT["logos"]),
    log:
        "logs/{tf}/motifs_gradient/{model}.log",
    benchmark:
        "benchmarks/{tf}/motifs_gradient/{model}.tsv"
