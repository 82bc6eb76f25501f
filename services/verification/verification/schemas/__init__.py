"""Verification's marshmallow schemas, one module per part of the API, input
and output schemas apart:

- cases.py: the applicant's case and documents;
- review.py: the staff review, and the review rules it publishes;
- audit.py: the audit log;
- chat.py: the order chat;
- orders_events.py: what verification reads of orders' events;
- shared.py: what the others share.
"""
