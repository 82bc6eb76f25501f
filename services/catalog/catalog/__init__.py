"""The catalog service: what the store sells, at which approved price."""
