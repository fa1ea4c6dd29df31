"""Prepare the upload benchmark's database: migrate, then a label, an A&R member with an API
token and N recordings. Prints JSON. Run by bench/masters_upload.py with its environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "optout.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from catalog.models import Recording
    from optout.models import User
    from optout.roles import Role
    from optout.services.labels import label_create, membership_add
    from optout.services.tokens import token_create

    count = int(sys.argv[1])
    owner = User.objects.create_user(email="owner@bench.test", password=None)
    uploader = User.objects.create_user(email="ar@bench.test", password=None)
    label = label_create(slug="bench", name="Bench Records", owner=owner, actor=owner)
    membership_add(label=label, user=uploader, role=Role.A_R, actor=owner)
    _token, key = token_create(user=uploader, name="bench")
    recordings = [
        Recording.objects.create(label=label, title=f"Bench take {i}", isrc=f"SEBEN26{i:05d}")
        for i in range(count)
    ]
    print(json.dumps({"slug": label.slug, "token": key, "isrcs": [r.isrc for r in recordings]}))


if __name__ == "__main__":
    main()
