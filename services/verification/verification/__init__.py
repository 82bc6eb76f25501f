"""verification: applicants' documents, their automatic checks and encrypted storage, and the review case."""
