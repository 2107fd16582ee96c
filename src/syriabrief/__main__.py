"""``python -m syriabrief``."""

from .entry import main

main()
