"""SQL for moving data between databases: the logical dump (every data table sorted by its
primary key as canonical JSON, with checksums) and the bulk copy of rows. `engine` holds all
that is particular to one storage engine; `dump` and `rows` are engine-neutral."""
