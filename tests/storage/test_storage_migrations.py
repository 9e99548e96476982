"""The Alembic revisions build exactly the ORM's schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from storage_testkit import fresh_postgres_database, postgres_cluster

from storage.database import make_engine, open_database
from storage.errors import StorageError
from storage.migrations import alembic_config, current_revision, head_revision, upgrade_to_head
from storage.models import Base


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


def _schema_diff(engine: Engine) -> list[Any]:
    """What autogenerate would write for this database: empty when it matches the ORM."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_sqlite_migrations_match_the_orm(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    assert _schema_diff(db.engine) == []
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_postgresql_migrations_match_the_orm(pg_admin: str) -> None:
    db = open_database(fresh_postgres_database(pg_admin))
    assert db.engine.dialect.name == "postgresql"
    assert _schema_diff(db.engine) == []
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_a_diff_is_noticed(tmp_path: Path) -> None:
    """The check is not vacuous: a table the migrations lack shows up as a difference."""
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    Base.metadata.tables["policies"].create(engine)
    kinds = {change[0] for change in _schema_diff(engine) if isinstance(change, tuple)}
    assert "add_table" in kinds
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_downgrade_to_base_and_up_again(backend: str, tmp_path: Path, request: Any) -> None:
    url = (
        fresh_postgres_database(request.getfixturevalue("pg_admin"))
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'c.db'}"
    )
    engine = make_engine(url)
    upgrade_to_head(engine)
    upgrade_to_head(engine)  # a second upgrade is a no-op, not an error
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert _tables(engine) == {"alembic_version"}
    upgrade_to_head(engine)
    assert _schema_diff(engine) == []
    engine.dispose()


def test_open_database_creates_the_sqlite_folder(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'var' / 'deep' / 'huifang.db'}")
    assert (tmp_path / "var" / "deep" / "huifang.db").exists()
    assert {"policies", "calls", "item_answers", "answer_evidence", "problem_cases"} <= _tables(
        db.engine
    )
    db.close()


def test_a_schema_from_a_newer_huifang_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    open_database(url).close()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(StorageError, match=r"'0099'.*is a newer huifang using it"):
        open_database(url)
