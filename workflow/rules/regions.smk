rule regions:
    input:
        peaks=sample_file("peaks"),
        genome=sample_file("genome"),
        blacklist=blacklist_input,
        validation="results/{tf}/validation.json",
    output:
        regions="results/{tf}/regions/regions.tsv.gz",
        qc="results/{tf}/regions/qc.json",
    log:
        "logs/{tf}/regions.log",
    benchmark:
        "benchmarks/{tf}/regions.tsv"
    conda:
        "../../envs/regions.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        blacklist=optional_flag("blacklist", "blacklist"),
        window=config["window"],
        negative_ratio=config["negative_ratio"],
        peak_padding=config["peak_padding"],
        max_n_fraction=config["max_n_fraction"],
        test_chroms=" ".join(config["test_chroms"]),
        val_chroms=" ".join(config["val_chroms"]),
        min_positives=config["min_positives"],
        merge=config["merge_overlapping_peaks"],
        merge_distance=config["merge_distance"],
        seed=config["seed"],
    shell:
        "python -m bindscope regions --peaks {input.peaks} --genome {input.genome} {params.blacklist} "
        "--out-regions {output.regions} --out-qc {output.qc} --window {params.window} "
        "--negative-ratio {params.negative_ratio} --peak-padding {params.peak_padding} "
        "--max-n-fraction {params.max_n_fraction} --test-chroms {params.test_chroms} "
        "--val-chroms {params.val_chroms} --min-positives {params.min_positives} "
        "--merge-overlapping {params.merge} --merge-distance {params.merge_distance} "
        "--seed {params.seed} > {log} 2>&1"
