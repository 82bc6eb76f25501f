"""Messages to the applicant: in-app inbox, SMS and email."""
