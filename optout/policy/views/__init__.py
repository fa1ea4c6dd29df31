"""HTML views of the policy app: thin callers of the services."""
