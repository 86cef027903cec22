"""Review: the warning lifecycle. Evaluations propose changes as review items; analysts (or
the policy they set) approve, adjust, reject or snooze them; approvals make, update or
resolve the material's warning. Every move is audited (:mod:`warning.audit`).

- :mod:`~warning.review.lifecycle`: the table of allowed moves;
- :mod:`~warning.review.proposals`: an evaluation run into items;
- :mod:`~warning.review.decisions`: approve, adjust, reject, snooze, approval by policy;
- :mod:`~warning.review.sweep`: snoozes that ran out, deadlines that passed;
- :mod:`~warning.review.silences`, :mod:`~warning.review.policy`, :mod:`~warning.review.queries`.

Services take the caller's session and never commit.
"""
