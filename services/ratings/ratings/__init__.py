"""Ratings, complaints and the public statistics of the licensing service store."""
