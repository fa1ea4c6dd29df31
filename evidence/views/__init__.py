"""Pages of the evidence app: thin callers of evidence.services and evidence.selectors."""
