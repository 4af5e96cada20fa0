"""The agents' desk: suggestions, shop checks, hand-offs, figures.

Served under /agent/ by scripts/web_server.py. Pure modules (suggestions,
shop_check, handoffs) compute over ``core/``; ``rasa_api`` and ``conversations``
talk to Rasa; ``http`` maps requests to them. (Named ``desk``, not ``agent``:
Rasa has its own ``Agent``.)
"""
