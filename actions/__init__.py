"""Rasa SDK custom actions: thin adapters over the plain modules of ``core/``."""
