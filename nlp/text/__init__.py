"""Stage 1, text: reading articles, dates, normalisation with an offset map, script, sentences.

Everything downstream sees an article through these modules: :mod:`nlp.text.reader` turns files
into :class:`~nlp.records.Article` records (or :class:`~nlp.records.RecordError`),
:mod:`nlp.text.normalize` gives the analysis text and the :class:`~nlp.text.offsets.OffsetMap`
back to the original, and :mod:`nlp.text.segment` splits it into sentences. Nothing here imports
a later stage.
"""
