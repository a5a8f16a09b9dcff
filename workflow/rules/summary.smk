rule summary:
    input:
        expand(REPORT["rows"], tf=TFS),
    output:
        tsv=report(SUMMARY["tsv"], caption="../report/summary.rst", category="Summary"),
        html=report(
            SUMMARY["html"], caption="../report/summary.rst", category="Summary"
        ),
    log:
        "logs/summary.log",
    benchmark:
        "benchmarks/summary.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=memory("summary"),
    params:
        out=named_outputs,
    shell:
        "python -m bindscope summary --rows {input:q} --out {params.out:q} > {log:q} 2>&1"
