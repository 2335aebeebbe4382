"""Alerts (docs/alerts.md): rules per account, organisation or government that fire on crises
(spikes of comment volume or negative share), posts doing far better or worse than usual, comments
left unanswered, a token about to expire, and accounts gone dormant or missing; each event is stored
once and delivered by webhook and email."""
