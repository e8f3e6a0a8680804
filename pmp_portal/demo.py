"""The demo data `make demo` loads: three seed municipalities, each with its plan, people,
semester reports, indicator values and plan versions.

It lives at the top of the house because it puts every app together; each app keeps its own
part in its ``demo`` module.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from indicators.demo import load_demo_values
from institutions.demo import (
    DemoLogin,
    demo_config,
    demo_coordinator,
    demo_municipality,
    demo_people,
    demo_seed,
)
from plans.demo import load_demo_versions
from plans.importer import plan_import
from reports.demo import link_collective_executors, load_demo_reports


@transaction.atomic
def load_demo_data() -> list[DemoLogin]:
    """Create (or bring back to its starting state) the demo; the logins to print."""
    config = demo_config()
    logins: list[DemoLogin] = []
    municipalities = []
    for entry in config["municipalities"]:
        seed = demo_seed(entry["seed"])
        municipality = demo_municipality(entry, seed)
        municipalities.append(municipality)
        # The seed files come in as from the command line: no person imported them.
        plan_import(actor=None, municipality=municipality, data=seed, replace=True)
        link_collective_executors(municipality, entry.get("groups", []))
        logins += demo_people(municipality, entry, config)
    coordinator, coordinator_login = demo_coordinator(municipalities, config)
    today = timezone.localdate()
    for municipality in municipalities:
        load_demo_reports(municipality, today)
        load_demo_values(municipality, today)
        load_demo_versions(municipality, today, coordinator)
    return [*logins, coordinator_login]
