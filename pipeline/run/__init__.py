"""Running the work: one build (render tasks, then publishing), batches of configs, and the
pools they run on (local threads, a Dask cluster)."""
