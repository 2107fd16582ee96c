"""The domain: records, dates, filters, derived positions, names and validation.

Pure and standard-library only (``dates`` alone loads dateutil, lazily, to read
what people type). Nothing here reads or writes files: storage does that and
hands these objects in; reports and output read them.
"""
