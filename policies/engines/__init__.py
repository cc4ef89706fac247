"""Policy engines behind policies.base.PolicyEngine: embedded regopy, remote OPA."""
