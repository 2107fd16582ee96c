"""``python -m syriabrief``."""

from .cli import main

main()
