# Models arrive with the plan, indicator and reporting issues.
