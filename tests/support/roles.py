"""Who a route admits, read from the route itself: the role checks among its dependencies.

The API and the pages declare a role with a dependency made by ``role_at_least(role)``
(:mod:`warning.api.deps`, :mod:`warning.web.auth`); a route that needs only a signed-in user
depends on ``current_user`` or ``visitor``. Enterprise reporting admits a set of roles that is
not a rank (a reporter and the desk, not a viewer): ``role_among(*roles)``. The walks in
``tests/api/test_route_roles.py`` and ``tests/web/test_web_route_roles.py`` combine what a
route declares with the floor the docs set for its path (docs/review.md, docs/web.md), so both
a dropped check and a weaker one fail.
"""

from __future__ import annotations

import inspect
from typing import Any

from warning.accounts import ROLE_RANK, Role

SIGNED_IN = {"current_user", "visitor", "page_visitor"}  # dependencies that need a user


def declared_roles(route: Any) -> set[Role]:
    """The roles named by the role checks among ``route``'s dependencies (viewer when it only
    needs a signed-in user; the lowest of a ``role_among`` set; empty when it needs nobody)."""
    found: set[Role] = set()

    def walk(dependant: Any) -> None:
        call = dependant.call
        name = getattr(call, "__qualname__", "")
        if name.startswith("role_at_least."):
            found.add(Role(inspect.getclosurevars(call).nonlocals["role"]))
        elif name.startswith("role_among."):
            found.add(min(_among(call), key=rank))
            return  # its own check on a signed-in user admits no viewer
        elif name in SIGNED_IN:
            found.add(Role.VIEWER)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return found


def declared_sets(route: Any) -> list[frozenset[Role]]:
    """The role sets of the ``role_among`` checks among ``route``'s dependencies."""
    found: list[frozenset[Role]] = []

    def walk(dependant: Any) -> None:
        if getattr(dependant.call, "__qualname__", "").startswith("role_among."):
            found.append(_among(dependant.call))
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return found


def _among(call: Any) -> frozenset[Role]:
    return frozenset(Role(role) for role in inspect.getclosurevars(call).nonlocals["admitted"])


def highest(*roles: Role) -> Role:
    return max(roles, key=lambda role: ROLE_RANK[role])


def rank(role: Role) -> int:
    return ROLE_RANK[role]
