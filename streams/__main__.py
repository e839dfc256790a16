"""`python -m streams …` is the `warta` command."""

from streams.cli import main

main()
