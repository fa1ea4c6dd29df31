"""Pages for matters: overview, list, create, detail, edit, hold, notes, items."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.forms import (
    AddItemForm,
    AddToMatterForm,
    HoldForm,
    MatterForm,
    NoteForm,
    ReasonForm,
    member_choices,
)
from evidence.matter_items import matter_item_source, matter_item_sources
from evidence.matter_page import matter_sections, matter_timeline
from evidence.models import Matter, MatterItem, MatterStatus
from evidence.selectors import (
    evidence_summary,
    label_evidence_items,
    label_matters,
    matter_items,
    matter_notes,
    matter_packets,
    matters_open_for_adding,
    open_alerts,
)
from evidence.services.links import catalog_codes_from_text
from evidence.services.matters import (
    matter_create,
    matter_item_add,
    matter_item_request,
    matter_item_withdraw,
    matter_note_add,
    matter_set_hold,
    matter_update,
)
from evidence.territories import territory_name
from optout.forms import apply_errors
from optout.models import User
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view

MATTER_FIELDS = (
    "title",
    "status",
    "summary",
    "target_platform",
    "target_company",
    "target_url",
    "territory",
)


@label_view()
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    return render(
        request,
        "evidence/index.html",
        {
            "summary": evidence_summary(label=access.label),
            "matters": label_matters(label=access.label, status="open")[:10],
            "items": label_evidence_items(label=access.label, status="active")[:10],
            "alerts": open_alerts(label=access.label)[:20],
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


@label_view()
def matter_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = request.GET.get("status") or "open"
    matters = label_matters(label=access.label, status=None if status == "all" else status)
    page = Paginator(matters, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/matters.html",
        {
            "page": page,
            "status": status,
            "statuses": [("open", _("Open")), *MatterStatus.choices, ("all", _("All"))],
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


def _owner(access: LabelAccess, code: str) -> User | None:
    if not code:
        return None
    return User.objects.filter(code=code, memberships__label=access.label).first()


def _matter_values(access: LabelAccess, form: MatterForm) -> dict[str, Any]:
    recordings, works = catalog_codes_from_text(
        label=access.label,
        recordings=form.cleaned_data.get("recordings", ""),
        works=form.cleaned_data.get("works", ""),
    )
    return {
        **{name: form.cleaned_data[name] for name in MATTER_FIELDS},
        "owner": _owner(access, form.cleaned_data.get("owner") or ""),
        "recordings": recordings,
        "works": works,
    }


@label_view(write=Capability.RIGHTS)
def matter_new(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    access.require(Capability.RIGHTS)
    members = member_choices(access.label)
    if request.method != "POST":
        form = MatterForm(members=members, initial={"owner": str(access.user.code)})
        return render(request, "evidence/matter_form.html", {"form": form, "matter": None})
    form = MatterForm(request.POST, members=members)
    if form.is_valid():
        try:
            matter = matter_create(
                label=access.label, actor=access.user, **_matter_values(access, form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Matter opened."))
            return redirect("evidence:matter", slug=access.label.slug, code=matter.code)
    return render(request, "evidence/matter_form.html", {"form": form, "matter": None}, status=400)


def _matter(access: LabelAccess, code: str) -> Matter:
    matter: Matter = get_owned_or_404(
        Matter.objects.for_label(access.label).select_related("owner", "legal_hold_by"),
        access=access,
        code=code,
    )
    return matter


def _matter_page(
    request: HttpRequest,
    access: LabelAccess,
    matter: Matter,
    *,
    add_form: AddItemForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    items = list(matter_items(matter=matter))
    in_matter = {i.source_code for i in items if not i.is_withdrawn and i.source_key == "evidence"}
    candidates = [
        (str(e.code), e.title)
        for e in label_evidence_items(label=access.label, status="active")[:300]
        if e.code not in in_matter
    ]
    sources = [(s.key, str(s.verbose_name)) for s in matter_item_sources()]
    return render(
        request,
        "evidence/matter.html",
        {
            "matter": matter,
            "territory": territory_name(matter.territory) if matter.territory else "",
            "items": items,
            "notes": matter_notes(matter=matter),
            "packets": matter_packets(matter=matter)[:20],
            "recordings": matter.recordings.all()[:50],
            "works": matter.works.all()[:50],
            "can_edit": access.can(Capability.RIGHTS),
            "can_pack": access.can(Capability.PACKETS),
            "add_form": add_form or AddItemForm(items=candidates, sources=sources),
            "note_form": note_form or NoteForm(),
            "hold_form": HoldForm(initial={"hold": not matter.legal_hold}),
            "withdraw_form": ReasonForm(),
            "sections": [
                (section.template, section.context(request, access, matter))
                for section in matter_sections()
            ],
            "timeline": matter_timeline(matter=matter)[:200],
        },
        status=status,
    )


@label_view()
def matter_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    return _matter_page(request, access, _matter(access, code))


@label_view(write=Capability.RIGHTS)
def matter_edit(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    access.require(Capability.RIGHTS)
    matter = _matter(access, code)
    members = member_choices(access.label)
    if request.method != "POST":
        initial: dict[str, Any] = {name: getattr(matter, name) for name in MATTER_FIELDS}
        initial["owner"] = str(matter.owner.code) if matter.owner else ""
        initial["recordings"] = "\n".join(r.isrc or str(r.code) for r in matter.recordings.all())
        initial["works"] = "\n".join(w.iswc or str(w.code) for w in matter.works.all())
        form = MatterForm(members=members, initial=initial)
        return render(request, "evidence/matter_form.html", {"form": form, "matter": matter})
    form = MatterForm(request.POST, members=members)
    if form.is_valid():
        try:
            matter_update(matter=matter, actor=access.user, **_matter_values(access, form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Matter saved."))
            return redirect("evidence:matter", slug=access.label.slug, code=matter.code)
    return render(
        request, "evidence/matter_form.html", {"form": form, "matter": matter}, status=400
    )


def _back(access: LabelAccess, matter: Matter) -> HttpResponse:
    return redirect("evidence:matter", slug=access.label.slug, code=matter.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def matter_hold(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    matter = _matter(access, code)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason; it is kept in the custody ledger."))
        return _back(access, matter)
    try:
        matter = matter_set_hold(
            matter=matter,
            actor=access.user,
            hold=form.cleaned_data["hold"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The matter is on legal hold.") if matter.legal_hold else _("The hold was lifted."),
        )
    return _back(access, matter)


@require_POST
@label_view(write=Capability.RIGHTS)
def matter_note(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    matter = _matter(access, code)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            matter_note_add(matter=matter, actor=access.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _back(access, matter)
    return _matter_page(request, access, matter, note_form=form, status=400)


@require_POST
@label_view(write=Capability.RIGHTS)
def matter_item_new(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    matter = _matter(access, code)
    sources = [(s.key, str(s.verbose_name)) for s in matter_item_sources()]
    evidence = [(str(e.code), e.title) for e in label_evidence_items(label=access.label)[:300]]
    form = AddItemForm(request.POST, items=evidence, sources=sources)
    if form.is_valid():
        try:
            key, source_code = matter_item_request(form.cleaned_data["request"])
            matter_item_add(
                matter=matter, actor=access.user, source_key=key, source_code=source_code
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Added to the matter."))
            return _back(access, matter)
    return _matter_page(request, access, matter, add_form=form, status=400)


@require_POST
@label_view(write=Capability.RIGHTS)
def matter_item_remove(
    request: HttpRequest, access: LabelAccess, code: str, item: str
) -> HttpResponse:
    matter = _matter(access, code)
    row: MatterItem = get_owned_or_404(
        MatterItem.objects.for_label(access.label).filter(matter=matter), access=access, code=item
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the item is withdrawn."))
        return _back(access, matter)
    try:
        matter_item_withdraw(item=row, actor=access.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The item was withdrawn from the matter. It stays on record."))
    return _back(access, matter)


@label_view(write=Capability.RIGHTS)
def add_to_matter(
    request: HttpRequest, access: LabelAccess, source: str, code: str
) -> HttpResponse:
    """Where other apps send people to add one of their objects to a matter."""
    access.require(Capability.RIGHTS)
    kind = matter_item_source(source)
    obj = kind.lookup(label=access.label, code=code) if kind is not None else None
    if kind is None or obj is None:
        raise Http404
    matters = [(str(m.code), m.title) for m in matters_open_for_adding(label=access.label)]
    form = AddToMatterForm(request.POST or None, matters=matters)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            matter = _matter(access, form.cleaned_data["matter"])
            try:
                matter_item_add(
                    matter=matter, actor=access.user, source_key=kind.key, source_code=code
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Added to the matter."))
                return _back(access, matter)
    return render(
        request,
        "evidence/add_to_matter.html",
        {"form": form, "kind": kind, "object": obj, "has_matters": bool(matters)},
        status=status,
    )
