from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.items.append(Problem(file, line, column or "-", message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        order = {name: i for i, name in enumerate(FILE_ORDER)}
        return sorted(self.items, key=lambda p: (order.get(p.file, 99), p.file, p.line, p.column, p.message))


FILE_ORDER = ("admission_areas.geojson", "units.csv", "children.csv", "guardians.csv", "guardianships.csv")


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the extract")
        self.problems = problems
