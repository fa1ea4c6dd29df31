"""Model-free helpers: nothing here imports Django models or any app."""
