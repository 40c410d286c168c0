"""Import of a city's registry extract (../shared/spec/city-data-contract.md, sections 1 and 2)."""
