"""Job kinds of the policy app."""

from __future__ import annotations

from optout.jobs import register_job_kind
from optout.policy.services.audits import AUDIT_KIND, audit_job

# A network hiccup is worth retrying; a refused or unreachable site fails at once.
register_job_kind(AUDIT_KIND, audit_job, max_attempts=3)
