"""Custom actions and the plain-Python domain modules behind them.

Modules without the ``rasa`` / ``rasa_sdk`` imports (``eligibility``, ``answers``,
``normalization``) hold the logic; the action modules are thin adapters.
"""
