"""The licensing store's gateway: the only thing a browser talks to."""
