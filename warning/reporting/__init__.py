"""Enterprise reporting (调度): the whitelist enterprises report their operating figures.

- :mod:`~warning.reporting.forms`: the forms per sector (configuration), periods, due days;
- :mod:`~warning.reporting.models`: the tables (reporter, report, report_value);
- :mod:`~warning.reporting.reporters`: users of the reporter role tied to one enterprise;
- :mod:`~warning.reporting.checks`: row checks (units, ranges, totals, jumps);
- :mod:`~warning.reporting.service`: submitting (revisions, confirmations) and reading;
- :mod:`~warning.reporting.overdue`: who has not reported, per form and period;
- :mod:`~warning.reporting.aggregation`: the sums per material with their coverage.
"""
