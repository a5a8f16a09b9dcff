"""bindscope: learn transcription-factor binding from ChIP-seq peaks and explain it.

Each stage of the Snakemake workflow is one module with an array-in/array-out core and a
``run()`` function (paths in, paths out) that ``python -m bindscope <stage>`` calls.
"""

__version__ = "0.1.0"
