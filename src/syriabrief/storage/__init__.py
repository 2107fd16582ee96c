"""Every byte on disk: store files, the write path, migrations and the query index.

The only layer that imports TinyDB and sqlite3. It returns domain objects,
never TinyDB documents or SQLite rows.
"""
