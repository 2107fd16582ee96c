"""Output to people and scripts: exact JSON on stdout, and Rich tables for terminals.

``jsonout`` writes JSON without loading Rich; ``terminal`` is the only module
that imports Rich.
"""
