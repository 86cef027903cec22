"""Jobs: the work that owns its transactions. The scheduler, the feed runs, file loads,
derivation, and the feed -> derive -> evaluate pipeline; the demo.

Jobs take a session factory (or the service context) and commit; the domains' services they
call take a session and never do. The CLI, the scheduler and (later) the web app call jobs.
"""
