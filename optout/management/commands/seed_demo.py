from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from optout.demo import demo_seeders
from optout.models import Label
from optout.services.labels import label_create, label_domain_add, user_get_or_create

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.optout.test"
DEMO_PASSWORD = "demo-owner-2026"  # noqa: S105  (published on purpose: demo data only)


class Command(BaseCommand):
    help = "Create (once) a demo label with sample data and print the demo owner's login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Allow seeding when DJANGO_DEBUG is false."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo owner has a published password; refusing to seed a production "
                "deployment. Use --force if this really is a demo."
            )
        owner, created = user_get_or_create(email=DEMO_EMAIL)
        if created:
            # Only a new demo owner gets the published password: a restart must not undo a
            # password its user has since changed.
            owner.name = owner.name or "Demo Owner"
            owner.set_password(DEMO_PASSWORD)
            owner.save()
        if Label.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo label exists already.")
        else:
            with transaction.atomic():
                label = label_create(
                    slug=DEMO_SLUG,
                    name="Northern Lights Records",
                    owner=owner,
                    actor=owner,
                    legal_name="Northern Lights Records AB",
                    address="Sveavägen 1\n111 57 Stockholm\nSweden",
                    contact_email="rights@northernlights.example",
                    terms_url="https://northernlights.example/ai-terms",
                    # A newcomer tries everything without setting up an authenticator first.
                    require_mfa=False,
                )
                label_domain_add(label=label, actor=owner, domain="northernlights.example")
                for name, seed in demo_seeders():
                    self.stdout.write(f"Seeding {name}…")
                    seed(label, owner)
            self.stdout.write(self.style.SUCCESS("Created the demo label."))
        self.stdout.write("")
        self.stdout.write(f"  Sign in at {settings.OPTOUT_BASE_URL}/accounts/login/")
        self.stdout.write(f"  e-mail:   {DEMO_EMAIL}")
        if created:
            self.stdout.write(f"  password: {DEMO_PASSWORD}")
        else:
            self.stdout.write(f"  password: {DEMO_PASSWORD} (unless you have changed it since)")
