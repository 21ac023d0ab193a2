"""`python -m crawler` is the `pantau` command."""

from crawler.cli import main

main()
