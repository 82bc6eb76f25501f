"""Fulfillment: production, courier dispatch and tracking, pickup at an office."""
