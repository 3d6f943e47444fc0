"""The ``narratives`` command line: the group, and the command modules attached to it.

Each command parses its arguments, calls a library function and formats the result; nothing
else. One module per command group: :mod:`nlp.cli.score` (score), :mod:`nlp.cli.backfill`
(backfill), :mod:`nlp.cli.research` (train, evaluate), :mod:`nlp.cli.index` (dedup, index, join,
report) and :mod:`nlp.cli.store` (ingest, runs, serve). They import only click at module level, so
``narratives --help`` stays fast.
"""

from __future__ import annotations

import logging

import click

from nlp.about import __version__
from nlp.cli import backfill, index, research, score, store
from nlp.errors import NlpError


class _Group(click.Group):
    """Turns library errors into clean CLI errors (one place, like datasette's handler)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except NlpError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="narratives")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Track AI market narratives in English and Chinese financial news."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for _module in (score, backfill, research, index, store):
    for _cmd in _module.COMMANDS:
        main.add_command(_cmd)
