"""Sections of the pages of named things: what each force says about an IT system, a unit type or an area
(findings and practices grouped by force, full text and source), and, for a person or a post, a contact
card (name, rank, post, force, telephone, e-mail) with the practices and leads they are the contact for."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.namespace import ORG

from api.lookup import select
from api.pages.common import Link, link_to, local_name, text
from api.pages.help import Item, Section
from api.pages.statements import Statement, statement, unique
from graph.iris import HMIC

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
    items = [statement(r, ctx.base) for r in unique(select(ctx.store, "mentioning", entity=node))]
    groups = by_force(items)
    forces = ", ".join(link.label for link, _ in groups)
    intro = "No finding or practice mentions it."
    if items:
        intro = (f"{len(items)} findings and practices of {len(groups)} force(s) ({forces}), grouped by "
                 "force, each in full with its source lines.")  # fmt: skip
    return [Section("What each force says", "says", intro, groups=groups)]


def _dial(phone: str) -> str:
    return "".join(c for c in phone.split(",")[0] if c.isdigit() or c == "+")


def contact_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """A person's or post's card, what they are the contact for, and what they lead (by force)."""
    rows = select(ctx.store, "person_roles", person=node)
    out = {r["p"]: [] for r in select(ctx.store, "node_out", node=node)}
    for r in select(ctx.store, "node_out", node=node):
        out[r["p"]].append((r["o"], r["label"]))
    card: list[tuple[str, list[Link]]] = []
    ranks = sorted(
        {text(o) for o, _ in out.get(HMIC.rank, [])} | {text(r["rank"]) for r in rows if r["rank"]}
    )
    posts = [link_to(o, ctx.base, lbl) for o, lbl in out.get(HMIC.holdsRole, [])]
    posts += [Link(p) for p in sorted({text(r["role"]) for r in rows if r["role"]})]
    forces = [link_to(o, ctx.base, lbl) for o, lbl in out.get(ORG.memberOf, [])]
    forces += [link_to(r["force"], ctx.base, r["forceLabel"]) for r in rows if r["force"] is not None]
    phones = sorted({text(r["phone"]) for r in rows if r["phone"]})
    emails = sorted({text(r["email"]) for r in rows if r["email"]})
    for words, values in (("Rank", [Link(r) for r in sorted(ranks)]), ("Post", _dedupe(posts)),
                          ("Force", _dedupe(forces)),
                          ("Telephone", [Link(p, f"tel:{_dial(p)}", "phone") for p in phones]),
                          ("E-mail", [Link(e, f"mailto:{e}", "email") for e in emails])):  # fmt: skip
        if values:
            card.append((words, values))
    practices = [statement(r, ctx.base) for r in unique([r for r in rows if text(r["kind"]) == "practice"])]
    leads = [_lead(r, ctx.base) for r in unique([r for r in rows if text(r["kind"]) == "lead"])]
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


def _lead(row: dict, base: str) -> Statement:
    found = statement(row, base)
    subject = text(row.get("title"))
    found.link = Link(f"Leads {subject}" if subject else "Lead", found.link.href)
    found.text = text(row.get("text"))
    return found


def _dedupe(links: list[Link]) -> list[Link]:
    """One link per label (case aside), the first with a page kept."""
    seen: OrderedDict[str, Link] = OrderedDict()
    for link in sorted(links, key=lambda one: one.href is None):
        seen.setdefault(link.label.lower(), link)
    return list(seen.values())


def people_in_post(ctx: PageContext, node: URIRef) -> list[Section]:
    """For a post: the people named as holding it, by force."""
    holders = [r for r in select(ctx.store, "node_in", node=node) if r["p"] == HMIC.holdsRole]
    items = [Item(link_to(r["s"], ctx.base, r["label"] or local_name(text(r["s"])))) for r in holders]
    return [Section("People named in this post", "holders", items=items)] if items else []
