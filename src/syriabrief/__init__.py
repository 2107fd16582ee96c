"""syriabrief: a sourced event store and briefings on foreign forces and actors in Syria.

Importing the package loads nothing heavy; the command line lives in ``syriabrief.cli``.
"""

__version__ = "0.1.0"
