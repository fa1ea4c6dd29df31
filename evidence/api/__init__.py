"""The evidence app's API under /api/v1/labels/<slug>/."""
