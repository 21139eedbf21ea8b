"""Steps for the pipelines data teams already run (datatrove, Spark): the same tagging and the
same output directory as ``xfilter run``. Each needs its extra and imports it lazily."""
