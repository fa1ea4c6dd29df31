"""Writes of the catalog: every change goes through these functions."""

from __future__ import annotations
