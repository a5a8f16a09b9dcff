rule validate:
    input:
        peaks=sample_file("peaks"),
        genome=sample_file("genome"),
        blacklist=blacklist_input,
        motif_db=motif_db_path(),
    output:
        "results/{tf}/validation.json",
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
        mem_mb=2000,
    params:
        blacklist=optional_flag("blacklist", "blacklist"),
        motif=optional_flag("motif", "motif"),
        window=config["window"],
        peak_padding=config["peak_padding"],
        max_n_fraction=config["max_n_fraction"],
        test_chroms=" ".join(config["test_chroms"]),
        val_chroms=" ".join(config["val_chroms"]),
        min_positives=config["min_positives"],
        merge=config["merge_overlapping_peaks"],
        merge_distance=config["merge_distance"],
    shell:
        "python -m bindscope validate --peaks {input.peaks} --genome {input.genome} "
        "--motif-db {input.motif_db} {params.blacklist} {params.motif} --out {output} "
        "--window {params.window} --peak-padding {params.peak_padding} "
        "--max-n-fraction {params.max_n_fraction} --test-chroms {params.test_chroms} "
        "--val-chroms {params.val_chroms} --min-positives {params.min_positives} "
        "--merge-overlapping {params.merge} --merge-distance {params.merge_distance} > {log} 2>&1"
