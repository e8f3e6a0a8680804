"""The kernel every app stands on: validators, Latvian text, optimistic locking, HTTP helpers,
the PDF renderer, the monitoring calendar and sign-in helpers. It imports no app of the
portal (``docs/architecture.md``; the import-linter contracts in ``pyproject.toml``)."""
