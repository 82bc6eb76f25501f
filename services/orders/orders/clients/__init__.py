"""Orders' HTTP clients of other services (today only the catalog)."""
