"""``python -m nlp`` runs the CLI."""

from nlp.cli import main

main()
