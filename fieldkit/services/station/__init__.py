"""The station chief's desk: follow-ups of key persons, escalation of events, task packages,
check-ins (打点), the village safety index and the dashboard's figures.

Each module here is a set of use cases over a `Workspace` (no Qt); everything that changes a
record goes through `services.records.save`, so form rules, history, audit and the sync outbox
see it exactly as if an officer had edited the form. See docs/station.md.
"""
