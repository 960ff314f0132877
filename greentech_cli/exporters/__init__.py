"""Writers per export format, found by name through ``registry.FORMATS``.

Each format is a module here with a ``write(records, out, job) -> int`` function and one line in
the registry; the record shapes they all write are defined in ``models.exchange``. Nothing here
prints, touches the database or opens files: ``services.exports.sheets`` does that.
"""
