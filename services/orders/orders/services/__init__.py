"""The orders service's use cases, one module per purpose.

Each use case runs in one unit of work: it locks the order it changes, asks
the domain whether the change is allowed, records the change, its timeline
entry and its events (outbox), and commits once. A refusal raises a
common.errors DomainError before anything is committed, so nothing is
half-written and nothing is published. Calls to the outside (the catalog,
the payment provider) happen after every check that could refuse and before
anything is written (on SQLite no write lock is held while the provider
answers): a provider call that fails leaves the order as it was.

    context        the Context every use case is given (built by orders.wiring)
    base           finding an order, guarded moves on its timeline, events, timers
    snapshot       the catalog item as the order keeps it
    views          the read models: an order and its payment as answered
    reads          an order, a list of orders, a timeline, a payment
    drafts         starting a draft, its answers, its delivery
    submitting     locking the price and opening the payment
    paying         paying by card
    money          void, capture and refund at the provider
    webhooks       the provider's webhooks
    cancelling     the applicant's cancel
    review         following the review in verification (the handlers' work)
    staff_actions  a supervisor's retried capture and cancel

The worker's timers are in orders.timers.
"""
