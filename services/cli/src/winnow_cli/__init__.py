"""``winnow-worker``: the worker pipeline without any server, like the Lightly docker CLI.

    winnow-worker input_dir=DIR output_dir=DIR remove_exact_duplicates=True \\
        stopping_condition.n_samples=0.3 lightly.loader.batch_size=32

Overrides are omegaconf/hydra-style ``key=value`` dotlists in snake_case (camelCase works
too): top-level keys are the worker config (the ``docker`` section, a ``docker.`` prefix is
optional), ``lightly.*`` the lightly config and ``selection.*`` the selection config. Values
are YAML, so ``selection.strategies`` takes a YAML/JSON list:

    winnow-worker input_dir=DIR output_dir=DIR selection.n_samples=50 \\
        selection.strategies='[{input: {type: RANDOM, randomSeed: 1}, strategy: {type: WEIGHTS}}]'

The Celery task and this command call the same pipeline; the report (report.pdf, report.json,
plots/) is rendered in-process by the reporter library. Exit codes: 0 done, 1 the run failed,
2 bad command line.
"""
