"""Writes and side effects of the core app, one module per concern.

Functions are keyword-only and named ``<entity>_<action>``; views, API views, tasks and
commands call them and hold no logic of their own.
"""
