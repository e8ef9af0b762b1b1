"""Sections of the pages of named things: what each force says about an IT system, a unit type or an area
(findings and practices grouped by force, full text and source), and, for a person or a post, a contact
card (name, rank, post, force, telephone, e-mail) with the practices and leads they are the contact for.
Read from the snapshot alone (:mod:`api.pages.read`)."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rdflib import URIRef

from api.pages.common import Link, link_to, local_name
from api.pages.help import Item, Section
from api.pages.read import (
    cards,
    force_link,
    holders,
    item_statement,
    leads_of,
    mentioning,
    practices_by_iri,
    practices_led_by,
    source_of,
)
from api.pages.statements import Statement
from api.snapshot import ContactPoint

if TYPE_CHECKING:
    from api.pages.kinds import PageContext


def by_force(items: list[Statement]) -> list[tuple[Link, list[Statement]]]:
    """Statements grouped by force (forces in label order, statements in the order given)."""
    groups: OrderedDict[str, tuple[Link, list[Statement]]] = OrderedDict()
    for s in items:
        force = s.force or Link("No force named")
        groups.setdefault(force.label, (force, []))[1].append(s)
    return [groups[k] for k in sorted(groups)]


def says_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """ "What each force says": every finding and practice mentioning the node (or in the area)."""
    items = mentioning(ctx.snap, str(node), ctx.base)
    groups = by_force(items)
    forces = ", ".join(link.label for link, _ in groups)
    intro = "No finding or practice mentions it."
    if items:
        intro = (f"{len(items)} findings and practices of {len(groups)} force(s) ({forces}), grouped by "
                 "force, each in full with its source lines.")  # fmt: skip
    return [Section("What each force says", "says", intro, groups=groups)]


def _dial(phone: str) -> str:
    return "".join(c for c in phone.split(",")[0] if c.isdigit() or c == "+")


def _roles(ctx: PageContext, node: str) -> tuple[list[tuple[str, Statement, list[ContactPoint]]], list[str]]:
    """What ``node`` is the contact for or leads, in the order of ``person_roles.rq`` (force label, kind,
    line): ``(kind, statement, contact points)``, and the IRIs of the forces of those items."""
    snap, found = ctx.snap, []
    for iri in practices_led_by(snap, node):
        practice = practices_by_iri(snap).get(iri)
        if practice is not None:
            contacts = list(snap.pages.contacts[iri].contacts)
            item = item_statement(snap, practice, ctx.base)
            item.area = None  # a contact's list names the force, not the area (as before)
            found.append(("practice", item, contacts, practice.force))
    for lead in leads_of(snap, node):
        title, body = lead.subject_text or "", lead.text or ""
        force = force_link(snap, lead.force, ctx.base)
        link = link_to(URIRef(lead.iri), ctx.base, f"Leads {title}" if title else "Lead")
        item = Statement(link, "lead", body, source_of(snap, lead.iri), force)
        found.append(("lead", item, [], snap.force_ref(lead.force)))

    def key(entry: tuple) -> tuple:
        kind, item, _, force = entry
        source = item.source
        line = source.line_from if source else None
        label = force.label if force else ""
        return (force is not None, label, kind, line is not None, line or 0, item.link.href)

    found.sort(key=key)
    return [(k, s, c) for k, s, c, _ in found], [f.iri for *_, f in found if f is not None]


def contact_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """A person's or post's card, what they are the contact for, and what they lead (by force)."""
    iri, base = str(node), ctx.base
    roles, role_forces = _roles(ctx, iri)
    points = [cp for _, _, contacts in roles for cp in contacts]
    card: list[tuple[str, list[Link]]] = []
    ranks = sorted({c.value for c in cards(ctx.snap, iri, "rank")} | {r for cp in points for r in cp.rank})
    posts = [link_to(URIRef(c.value), base, c.label) for c in cards(ctx.snap, iri, "holdsRole")]
    posts += [Link(p) for p in sorted({r for cp in points for r in cp.role})]
    forces = [link_to(URIRef(c.value), base, c.label) for c in cards(ctx.snap, iri, "memberOf")]
    forces += [link for f in role_forces if (link := force_link(ctx.snap, f, base))]
    phones = sorted({p for cp in points for p in cp.telephone})
    emails = sorted({e for cp in points for e in cp.email})
    for words, values in (("Rank", [Link(r) for r in sorted(ranks)]), ("Post", _dedupe(posts)),
                          ("Force", _dedupe(forces)),
                          ("Telephone", [Link(p, f"tel:{_dial(p)}", "phone") for p in phones]),
                          ("E-mail", [Link(e, f"mailto:{e}", "email") for e in emails])):  # fmt: skip
        if values:
            card.append((words, values))
    practices = [s for kind, s, _ in roles if kind == "practice"]
    leads = [s for kind, s, _ in roles if kind == "lead"]
    sections = [Section("Contact", "contact", card=card or [("Contact details", [Link("none recorded")])])]
    if practices:
        sections.append(Section("Contact for these practices", "contact-for", groups=by_force(practices)))
    if leads:
        sections.append(Section("Leads", "leads", "As the reports say it, by force.", groups=by_force(leads)))
    return sections


def contact_card(values: dict[str, list[str]], person_href: str | None) -> list[tuple[str, list[Link]]]:
    """A contact point's values (``name``, ``rank``, ``role``, ``telephone``, ``email``) as card rows."""
    card: list[tuple[str, list[Link]]] = []
    if values.get("name"):
        card.append(("Name", [Link(values["name"][0], person_href)]))
    for key, words in (("rank", "Rank"), ("role", "Post")):
        if values.get(key):
            card.append((words, [Link(v) for v in values[key]]))
    if values.get("telephone"):
        card.append(("Telephone", [Link(v, f"tel:{_dial(v)}", "phone") for v in values["telephone"]]))
    if values.get("email"):
        card.append(("E-mail", [Link(v, f"mailto:{v}", "email") for v in values["email"]]))
    return card


def _dedupe(links: list[Link]) -> list[Link]:
    """One link per label (case aside), the first with a page kept."""
    seen: OrderedDict[str, Link] = OrderedDict()
    for link in sorted(links, key=lambda one: one.href is None):
        seen.setdefault(link.label.lower(), link)
    return list(seen.values())


def people_in_post(ctx: PageContext, node: URIRef) -> list[Section]:
    """For a post: the people named as holding it, by force."""
    items = [
        Item(link_to(URIRef(c.node), ctx.base, c.node_label or local_name(c.node)))
        for c in holders(ctx.snap, str(node))
    ]
    return [Section("People named in this post", "holders", items=items)] if items else []
