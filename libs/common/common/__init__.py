"""Plumbing shared by every service of the licensing store: no business meaning lives here."""
