"""Writes of the evidence app, one module per concern."""
