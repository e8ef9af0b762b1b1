"""Small but realistic hand-built reports for the graph tests (no loader needed).

Two forces share ViSOR (printed "ViSOR" in one, "Visor" in the other); both have a DPMU, one names its
child abuse unit in full; one person (printed "Detective Supt" and "Detective Superintendent") leads
practices in both reports.
"""

from __future__ import annotations

from loaders.model import (
    Contact,
    Entity,
    EntityKind,
    EntityMention,
    Fact,
    Finding,
    FindingKind,
    Force,
    ForceSummaryRow,
    GlossaryEntry,
    Grade,
    GradeDistribution,
    InspectionReport,
    Lead,
    Line,
    Mention,
    NationalSummaryRow,
    Practice,
    Reinspection,
    Section,
    SourceSpan,
    SourceText,
)

PERSON = "Jackie Alexander"


def _span(file: str, start: int, end: int | None = None, page: int | None = None) -> SourceSpan:
    return SourceSpan(file, start, end if end is not None else start, page)


def _source(name: str) -> SourceText:
    return SourceText(
        path=f"data/reports/{name}",
        name=name,
        sha256=("a" if name.startswith("n") else "b") * 64,
        format="text",
        pages=None,
        lines=(Line(1, "Introduction"),),
    )


def nottinghamshire() -> InspectionReport:
    """A report with ViSOR, a DPMU, a CAIU named in full, three findings, two practices and a glossary."""
    f = "nottinghamshire-2007.txt"
    visor_strength = Finding(
        FindingKind.STRENGTH,
        "The DPMU makes comprehensive use of ViSOR to manage registered sex offenders.",
        _span(f, 1650, 1652),
        (Mention("unit/dpmu", "DPMU", _span(f, 1650)), Mention("it-system/visor", "ViSOR", _span(f, 1650))),
    )
    wip = Finding(FindingKind.WORK_IN_PROGRESS, "A new referral form is being piloted.", _span(f, 1660, 1661))
    afi = Finding(
        FindingKind.AREA_FOR_IMPROVEMENT,
        "The child abuse investigation unit lacks supervisory capacity.",
        _span(f, 1670, 1671),
        (Mention("unit/caiu", "child abuse investigation unit", _span(f, 1670)),),
    )
    practice_one = Practice(
        inspection_area="Protecting vulnerable people – child abuse",
        title="Information-sharing protocol for under-age sexual activity",
        problem="Agencies were reluctant to share information.",
        solution="The force led on a protocol between agencies.",
        outcomes="Referrals are now made.",
        contact=Contact(
            PERSON, "Detective Supt", "Head of Public Protection", "07799 656588", _span(f, 1457, 1458)
        ),
        span=_span(f, 1420, 1458),
    )
    practice_two = Practice(
        inspection_area="Protecting vulnerable people – public protection",
        title="Risk management of registered sex offenders",
        problem="Visits were not risk-led.",
        solution="A risk matrix drives visits recorded on ViSOR.",
        outcomes="Fewer breaches.",
        contact=Contact(
            PERSON, "Detective Superintendent", "Head of Public Protection", None, _span(f, 2108)
        ),
        span=_span(f, 2080, 2108),
        mentions=(Mention("it-system/visor", "ViSOR", _span(f, 2090)),),
    )
    sections = (
        Section(
            "protecting-vulnerable-people",
            "Protecting Vulnerable People – Overview",
            None,
            None,
            (),
            (),
            _span(f, 1094, 1130),
        ),
        Section(
            "child-abuse",
            "Protecting Vulnerable People – Child Abuse",
            Grade.FAIR,
            GradeDistribution(1, 10, 25, 7),
            (afi,),
            (practice_one,),
            _span(f, 1400, 1458),
        ),
        Section(
            "public-protection",
            "Protecting Vulnerable People – Public Protection",
            Grade.GOOD,
            GradeDistribution(0, 14, 22, 7),
            (visor_strength, wip),
            (practice_two,),
            _span(f, 1560, 2108),
        ),
    )
    entities = (
        Entity(
            "it-system/visor",
            EntityKind.IT_SYSTEM,
            "ViSOR",
            "Violent and Sex Offenders Register",
            (EntityMention("ViSOR", 1650), EntityMention("ViSOR", 2090), EntityMention("ViSOR", 1700)),
        ),
        Entity(
            "unit/dpmu",
            EntityKind.UNIT,
            "DPMU",
            "dangerous persons management unit",
            (EntityMention("DPMU", 1650),),
        ),
        Entity(
            "unit/caiu",
            EntityKind.UNIT,
            "child abuse investigation unit",
            None,
            (EntityMention("child abuse investigation unit", 1670),),
        ),
        Entity(
            "role/head-of-public-protection",
            EntityKind.ROLE,
            "Head of Public Protection",
            None,
            (EntityMention("Head of Public Protection", 1457),),
        ),
        Entity(
            "role/acc-crime",
            EntityKind.ROLE,
            "assistant chief constable (crime)",
            None,
            (EntityMention("assistant chief constable (crime)", 1200),),
        ),
        Entity(
            "person/jackie-alexander",
            EntityKind.PERSON,
            PERSON,
            None,
            (EntityMention(PERSON, 1457),),
            rank="Detective Supt",
            roles=("role/head-of-public-protection",),
        ),
        Entity(
            "partner/lscb",
            EntityKind.PARTNER,
            "LSCB",
            "Local Safeguarding Children Board",
            (EntityMention("LSCB", 1430),),
        ),
    )
    leads = (
        Lead(
            "person/jackie-alexander",
            practice_one.title,
            "practice_contact",
            _span(f, 1457),
            "child-abuse",
            "FORCE CONTACT: Detective Supt Jackie Alexander",
        ),
        Lead(
            "role/acc-crime",
            "protecting-vulnerable-people",
            "responsibility",
            _span(f, 1200),
            "protecting-vulnerable-people",
            "The ACC (crime) leads on protecting vulnerable people.",
        ),
    )
    return InspectionReport(
        source=_source(f),
        force=Force("Nottinghamshire Police", "nottinghamshire", "E23000020"),
        year=2007,
        assessment_period="April 2006 to July 2007",
        national_summary=(
            NationalSummaryRow("child-abuse", "Child abuse", GradeDistribution(1, 10, 25, 7), _span(f, 300)),
        ),
        force_summary=(
            ForceSummaryRow("child-abuse", "Child abuse", Grade.FAIR, _span(f, 310)),
            ForceSummaryRow("public-protection", "Public protection", Grade.GOOD, _span(f, 311)),
        ),
        facts=(
            Fact("population", 1034739, _span(f, 225)),
            Fact("territorial_bcus", ("A division", "B division"), _span(f, 255, 256)),
        ),
        developments=(
            Reinspection(
                "Improving Forensic Performance",
                "3D",
                Grade.POOR,
                "Stable",
                Grade.FAIR,
                "Improved",
                _span(f, 380, 386),
            ),
        ),
        sections=sections,
        glossary=(
            GlossaryEntry("ACC", "assistant chief constable", _span(f, 2120)),
            GlossaryEntry("CAIU", "child abuse investigation unit", _span(f, 2122)),
            GlossaryEntry("ViSOR", "Violent and Sex Offenders Register", _span(f, 2130)),
        ),
        entities=entities,
        leads=leads,
    )


def northamptonshire() -> InspectionReport:
    """A second force using "Visor", with its own DPMU and CAIU and the same person leading a practice."""
    f = "northamptonshire-2007.txt"
    strength = Finding(
        FindingKind.STRENGTH,
        "Comprehensive use is made of Visor by the DPMU.",
        _span(f, 1657, 1658, page=40),
        (
            Mention("it-system/visor", "Visor", _span(f, 1657, page=40)),
            Mention("unit/dpmu", "DPMU", _span(f, 1657, page=40)),
        ),
    )
    afi = Finding(
        FindingKind.AREA_FOR_IMPROVEMENT,
        "CAIU staff lack access to the database.",
        _span(f, 1307, 1308),
        (Mention("unit/caiu", "CAIU", _span(f, 1307)),),
    )
    practice = Practice(
        inspection_area=None,
        title="Joint visits to registered sex offenders",
        problem="Visits were duplicated.",
        solution="Joint visits were arranged.",
        outcomes="Duplication ended.",
        contact=Contact(PERSON, "Det Supt", None, "08453 700700", _span(f, 1700)),
        span=_span(f, 1680, 1700),
    )
    sections = (
        Section(
            "child-abuse",
            "Child Abuse",
            Grade.GOOD,
            GradeDistribution(1, 10, 25, 7),
            (afi,),
            (),
            _span(f, 1200, 1310),
        ),
        Section(
            "public-protection",
            "Public Protection",
            Grade.EXCELLENT,
            GradeDistribution(0, 14, 22, 7),
            (strength,),
            (practice,),
            _span(f, 1560, 1700),
        ),
    )
    entities = (
        Entity("it-system/visor", EntityKind.IT_SYSTEM, "Visor", None, (EntityMention("Visor", 1657, 40),)),
        Entity("unit/dpmu", EntityKind.UNIT, "DPMU", None, (EntityMention("DPMU", 1657, 40),)),
        Entity("unit/caiu", EntityKind.UNIT, "CAIU", None, (EntityMention("CAIU", 1307),)),
    )
    return InspectionReport(
        source=_source(f),
        force=Force("Northamptonshire Police", "northamptonshire", "E23000024"),
        year=2007,
        assessment_period="April 2006 to July 2007",
        national_summary=(),
        force_summary=(),
        facts=(),
        developments=(),
        sections=sections,
        glossary=(GlossaryEntry("CAIU", "child abuse investigation unit", _span(f, 2050)),),
        entities=entities,
    )


def reports() -> tuple[InspectionReport, InspectionReport]:
    return nottinghamshire(), northamptonshire()
