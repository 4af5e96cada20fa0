"""Rasa store classes the project configures in endpoints.yml."""
