"""Accounts: users with roles (viewer, operator, admin) and their API tokens."""

from warning.accounts.models import ROLE_RANK, ApiToken, Role, User, is_desk
from warning.accounts.service import AccountError

__all__ = ["ROLE_RANK", "AccountError", "ApiToken", "Role", "User", "is_desk"]
