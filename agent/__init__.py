"""Tools for customer-service agents: suggestions, shop checks, hand-overs, figures.

Served under /agent/ by scripts/web_server.py. Pure modules (suggestions,
shop_check, stats, handoffs) compute; ``rasa_api`` and ``conversations`` talk to
Rasa; ``http`` maps requests to them.
"""
