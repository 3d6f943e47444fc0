"""Stage 4, the index: syndication, the daily narrative index, market prices and the HTML report.

Scored records (SPEC section 2) come in; :mod:`nlp.index.dedup` clusters syndicated copies,
:mod:`nlp.index.builder` streams the records through :mod:`nlp.index.accumulator` into the tables
of :mod:`nlp.index.tables`, :mod:`nlp.index.market` aligns them to trading sessions and returns,
and :mod:`nlp.index.market_report` renders the statistics of :mod:`nlp.index.stats` as HTML.
pandas and friends load only here (the ``index`` extra).
"""
