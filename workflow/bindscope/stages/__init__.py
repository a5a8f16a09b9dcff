"""The workflow's stages: one module per rule, each with a ``run()`` that reads the rule's input files
and writes its output files (``python -m bindscope STAGE``). A stage imports helpers (the modules of
the package above), never another stage.
"""
