"""Shared by the benchmark scripts (run as `python bench/<script>.py`, so this module is importable by name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def fresh_postgres_database(url: str) -> None:
    """Drops and creates the database named at the end of a postgres:// URL and its audit trail's database
    (`<name>_audit`, settings `DATABASES["audit"]`), benchmarks only."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        for db in (name, f"{name}_audit"):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')


def timed_step(label: str, work: Callable[[], Any]) -> Any:
    """Runs one preparation step and prints how long it took."""
    import time

    started = time.monotonic()
    result = work()
    print(f"  {label:<40} {time.monotonic() - started:6.1f} s", flush=True)
    return result


def django_setup(env: dict[str, str]) -> None:
    """Sets Django up in this process with `env` (a benchmark's child process, which then uses the ORM itself)."""
    import os
    import sys
    from pathlib import Path

    os.environ.update(env)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
