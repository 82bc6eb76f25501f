"""The orders service: applications, their state machine, payment and timers."""
