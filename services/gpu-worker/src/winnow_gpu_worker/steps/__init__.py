"""The pipeline's declared stages, one module each (see :data:`winnow_gpu_worker.pipeline.STAGES`).

Every stage is a pair of plain functions over the run context (:class:`~winnow_gpu_worker.stages.
work.RunWork`): ``compute`` does the work and returns its products in serialisable form, and
``restore`` puts such products into the context. A fresh attempt runs both; a resumed attempt
finds the products in the stage ledger and runs ``restore`` only, so both paths hand the later
stages exactly the same values.
"""
