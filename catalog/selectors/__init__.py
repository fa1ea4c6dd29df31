"""Reads of the catalog. Every function takes the label it reads for."""

from __future__ import annotations
