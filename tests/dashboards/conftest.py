from tests.diagnostics.conftest import make_cycle, respond  # noqa: F401 - shared fixtures
