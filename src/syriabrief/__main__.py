"""``python -m syriabrief``."""

from syriabrief.entry import main

main()
