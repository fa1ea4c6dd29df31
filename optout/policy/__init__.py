"""Reservation policy, terms, territories and the machine-readable signals compiled from them.

Layer 1 of DESIGN.md: this app imports only the core (``optout``); the catalog and the apps
above it call into it. ``optout.policy.compilers`` is a pure package (no Django, no I/O).
"""
