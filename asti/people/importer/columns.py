"""The extract's required columns (city data contract, section 1); plain Python, shared with the demo generator."""

UNIT_COLUMNS = (
    "unit_id", "name_fi", "name_sv", "street_address", "postal_code", "lat", "lon", "provider", "language",
    "pre_primary", "pre_primary_capacity", "admission_area_id", "email", "phone",
)  # fmt: skip
CHILD_COLUMNS = (
    "child_id", "hetu", "first_name", "last_name", "birth_date", "language", "education_language",
    "street_address", "postal_code", "municipality_code", "lat", "lon", "admission_area_id", "non_disclosure",
    "current_unit_id", "round_the_clock",
)  # fmt: skip
GUARDIAN_COLUMNS = (
    "guardian_id", "hetu", "first_name", "last_name", "phone", "email", "language", "street_address",
    "postal_code", "non_disclosure",
)  # fmt: skip
CUSTODY_COLUMNS = ("child_id", "guardian_id")
