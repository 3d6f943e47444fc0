"""For researchers: train and evaluate models on labelled articles, and write what they measured.

:mod:`nlp.research.train` reads labelled files (with :mod:`nlp.research.sentence_labels` for
sentence-level marks), fits a registered backend and saves a model folder;
:mod:`nlp.research.metrics` holds the metrics and bootstrap intervals;
:mod:`nlp.research.eval_report` scores labelled files through the pipeline and reports per label,
language and model; :mod:`nlp.research.model_card` writes ``MODEL_CARD.md``. Scoring never
imports this package.
"""
