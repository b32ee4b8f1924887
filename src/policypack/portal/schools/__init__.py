"""Trusts, schools, who belongs to which, and the audit log: the portal's tenancy."""
