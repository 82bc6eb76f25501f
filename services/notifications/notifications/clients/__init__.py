"""HTTP clients of other services (common.service_client)."""
