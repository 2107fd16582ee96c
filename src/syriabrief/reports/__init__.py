"""Reports: a dataset in, the answer to one command out (with its narrative).

Pure: no I/O and no presentation. Each report's ``--json`` form is its contract
(docs/json.md); the terminal and Markdown renderings are built from it.
"""
