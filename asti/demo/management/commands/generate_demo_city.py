"""python manage.py generate_demo_city OUTDIR [--children N] [--seed S] [--year YEAR] [--municipality M]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.core import city, clock
from asti.demo.generator import SCALES, generate
from asti.demo.sources import ATTRIBUTION, default_data_dir, load_city, load_national


def city_sized(municipality: str, data_dir: Path | None) -> int:
    """Rows in children.csv for a city-sized extract: the municipality's estimated six-year-olds in the Paavo 2020
    municipality figures, rounded to hundreds (Helsinki 6,600: a cohort of about 5,600 plus their brothers and
    sisters; Tampere 2,300)."""
    data = data_dir or default_data_dir()
    (code,) = load_city(data, municipality).municipalities  # a name becomes its code
    return max(100, round(load_national(data).municipalities[code].est_age_6, -2))


class Command(BaseCommand):
    help = (
        "Writes a realistic demo city's registry extract (units.csv, children.csv, guardians.csv, "
        "guardianships.csv, admission_areas.geojson) in the city data contract's form, built on real "
        "postal-area statistics. --children N is the number of rows in children.csv: about 85 % of them are "
        "the round's cohort (born YEAR-6, at most about 208,000 because of the temporary identity codes "
        "of one birth year), the rest their younger and older brothers and sisters in the same families. "
        "The default makes the city of the city profile (ASTI_CITY), city-sized: for Helsinki about 5,600 cohort "
        "children, 1 % of them living in a neighbouring municipality. When the cohort is more than 1.5 times "
        "the city's own, the extract is national: "
        "every municipality of Finland with its real code. The same arguments give the same bytes. " + ATTRIBUTION + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path, help="folder to write the extract to (created if missing)")
        parser.add_argument(
            "--children",
            type=int,
            default=None,
            help="rows in children.csv (default: city-sized, the municipality's six-year-olds; Helsinki 6600)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="pre-primary year of the round; its cohort is born YEAR-6 (default: next calendar year)",
        )
        parser.add_argument(
            "--municipality",
            default=None,
            help="the city, by 3-digit code or Finnish name (default: the city profile's first code, e.g. 091)",
        )
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="auto",
            help="city, national, or auto: national when the cohort is over 1.5 times the city's (default)",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="folder of the Paavo CSV files (default: the copies in asti/demo/data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or clock.today_helsinki().year + 1
        municipality = options["municipality"] or city.active().municipality_codes[0]
        try:
            children = options["children"] or city_sized(municipality, options["data_dir"])
            summary = generate(
                options["outdir"],
                children=children,
                seed=options["seed"],
                year=year,
                municipality=municipality,
                scale=options["scale"],
                data_dir=options["data_dir"],
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Pre-primary round {year}: cohort born {year - 6}.")
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"cohort children: {summary.cohort}")
