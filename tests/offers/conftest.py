"""The offers tests share the citizen tests' sent round of the example city."""

from tests.citizen.conftest import sent_round  # noqa: F401 (a fixture)
