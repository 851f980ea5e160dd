"""pytest plugin of benchmarks/packages.py: hypothesis without its timing
checks, and the same examples in every run.

Hypothesis fails a test whose example takes longer than a deadline (attrs:
400 ms) and, when a rerun is fast, reports it flaky; with pyjit at threshold 0
the first example of a test pays for compiling every function it calls, so
deadlines measure compile time, not behaviour. The `too_slow` health check
does the same for generating examples. Examples are derandomized and the
example database is off, so no run replays another run's failures.
"""

import pytest
from hypothesis import HealthCheck, settings


@pytest.hookimpl(trylast=True)  # after the suite's conftest loaded its own profile
def pytest_configure(config):
    suite = settings.default
    settings.register_profile("untimed", settings(
        suite, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(suite.suppress_health_check) + [HealthCheck.too_slow]))
    settings.load_profile("untimed")
