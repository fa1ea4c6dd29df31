"""HTML views of the catalog."""

from __future__ import annotations
