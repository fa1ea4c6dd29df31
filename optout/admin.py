"""The Django admin, for operators (staff users). Everyday work happens in the application."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from optout.models import Label, LabelDomain, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "name", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name",)}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    list_filter = ("is_active", "is_staff")

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        # People are deactivated, never deleted: the custody ledger names them.
        return False


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    readonly_fields = ("user", "role", "created_at")
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LabelDomain
    extra = 0
    readonly_fields = ("domain", "created_at")
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Labels are created with `manage.py label create` and edited by their owners; the admin
    shows them and can deactivate one (every member loses access at once)."""

    list_display = ("name", "slug", "is_active", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "code", "created_at")
    fields = ("name", "slug", "code", "legal_name", "contact_email", "is_active", "created_at")
    inlines = (MembershipInline, DomainInline)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
