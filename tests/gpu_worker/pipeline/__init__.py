"""The whole worker pipeline on CPU over local stores: every config feature end to end.

Images are real (crops of scikit-image's sample photos); the stores are ``LocalStore``s
over tmp dirs, so these tests need no server. The flow tests repeat a few of them on the real
servers through the API. ``helpers.py`` runs the pipeline; one module per group of features.
"""
