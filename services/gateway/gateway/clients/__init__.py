"""HTTP clients of the services the gateway reads and drives."""
