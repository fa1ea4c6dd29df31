"""Services of the policy app: typed, keyword-only functions, one module per concern."""
