"""An example Brigade plugin: one job, declared in pyproject.toml's entry points."""
