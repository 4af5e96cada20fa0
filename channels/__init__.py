"""Rasa input channels of this project (loaded by module path from credentials.yml)."""
