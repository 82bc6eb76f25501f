"""Problems with input, keyed by field path (`{"address.phone": [...]}`), so a
caller can refuse with one 422 that names every field at once."""

Problems = dict[str, list[str]]
