"""Storage (存储): policies, calls, per-item answers with evidence and problem cases (问题件).

A top-level package, beside asr/, ivr/ and scripts_zh/, rather than huifang/storage/: the
dialler, the web console and the benchmarks all read and write the same tables, and none of
them should have to import the composition root (settings, CLI) to reach them. huifang/ only
wires it up: `huifang db upgrade`, `huifang policies import|show`.

SQLite file by default, PostgreSQL when the URL says so; the schema is owned by the Alembic
migrations in storage/alembic/, and every command that opens the database upgrades it first
(see storage.database.open_database).
"""
