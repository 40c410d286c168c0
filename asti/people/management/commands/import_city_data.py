from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.people.importer.problems import ImportFailed
from asti.people.services import city_data_import


class Command(BaseCommand):
    help = (
        "Imports a city's registry extract (units, children, guardians, guardianships, optional admission "
        "areas) all or nothing. Every bad row is listed as file:line: column: message."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder with the extract's CSV files")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        actor = f"command:import_city_data ({getpass.getuser()})"
        try:
            report = city_data_import(directory=directory.resolve(), actor=actor)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"import failed: {len(failure.problems)} problem(s) in the extract; nothing was changed"
            ) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for entity, counts in report.counts.items():
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(f"{entity}: {summary}")
        self.stdout.write(self.style.SUCCESS(f"imported {directory} ({report.rows} rows)"))
