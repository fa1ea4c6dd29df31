"""API of the policy app (under /api/v1/labels/<slug>/)."""
