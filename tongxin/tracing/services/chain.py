"""The transmission chain as a graph (case → 密接 → 次密接), and the public trajectory notice.

The graph names cases by number and contacts by their management number: it is for
investigators and the command post, and carries no name or ID number even so. Clusters are
the connected groups of cases (a source case and everyone it infected, directly or through a
contact who turned positive)."""

from typing import Any

from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.tracing.models import Case, Contact, ContactStatus, Level, Stay


def _clusters(cases: list[Case], edges: list[tuple[int, int]]) -> dict[int, int]:
    parent = {c.pk: c.pk for c in cases}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    roots: dict[int, int] = {}
    return {c.pk: roots.setdefault(find(c.pk), len(roots) + 1) for c in cases}


def chain(incident: Incident) -> dict[str, Any]:
    """ECharts graph data: nodes (cases, 密接, 次密接), links and categories, plus clusters."""
    cases = list(Case.objects.filter(incident=incident).order_by("number"))
    links = list(
        Contact.objects.filter(incident=incident, status=ContactStatus.CONFIRMED).select_related(
            "management"
        )
    )
    # A case linked to another case: its source, or a contact of that case who turned positive.
    case_edges = [(c.source_case_id, c.pk) for c in cases if c.source_case_id]
    for link in links:
        became = link.management.became_case_id
        if became and link.source_case_id:
            case_edges.append((link.source_case_id, became))
    cluster = _clusters(cases, case_edges)
    nodes: list[dict[str, Any]] = [
        {
            "id": f"c{c.pk}",
            "name": c.label,
            "category": 0,
            "symbolSize": 28,
            "value": cluster[c.pk],
            "cluster": cluster[c.pk],
        }
        for c in cases
    ]
    seen: set[str] = set()
    edges: list[dict[str, Any]] = [
        {"source": f"c{a}", "target": f"c{b}", "kind": "case"} for a, b in case_edges if a
    ]
    for link in links:
        m = link.management
        if m.became_case_id:
            target = f"c{m.became_case_id}"
        else:
            target = f"m{m.pk}"
            if target not in seen:
                seen.add(target)
                level = m.level or link.level
                nodes.append(
                    {
                        "id": target,
                        "name": f"{Level(level).label}#{m.pk}",
                        "category": 1 if level == Level.CLOSE else 2,
                        "symbolSize": 14 if level == Level.CLOSE else 9,
                        "value": m.pk,
                    }
                )
        if link.source_case_id:
            source = f"c{link.source_case_id}"
        elif link.source_management_id:
            source = f"m{link.source_management_id}"
        else:
            continue
        edges.append({"source": source, "target": target, "kind": link.exposure_type})
    names = {n["id"]: n["name"] for n in nodes}
    edges = [
        {**e, "source_name": names[e["source"]], "target_name": names[e["target"]]}
        for e in edges
        if e["source"] in names and e["target"] in names
    ]
    return {
        "nodes": nodes,
        "links": edges,
        "categories": [{"name": "病例"}, {"name": "密接"}, {"name": "次密接"}],
        "clusters": max(cluster.values(), default=0),
    }


def notice(case: Case) -> list[dict[str, Any]]:
    """The trajectory notice (活动轨迹公告) ready to publish: 病例N, then each public stay's
    date, times, venue and address — nothing that identifies the person (no home, no name)."""
    lines = []
    stays = (
        Stay.objects.filter(case=case, public=True).select_related("venue").order_by("started_at")
    )
    for s in stays:
        if s.venue is None and (not s.address or s.place_id):
            continue  # a stay at home (a place in the tree) is never published
        start, end = timezone.localtime(s.started_at), timezone.localtime(s.ended_at)
        lines.append(
            {
                "date": start.date(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M")
                if end.date() == start.date()
                else end.strftime("%m-%d %H:%M"),
                "venue": s.venue.name if s.venue else "",
                "address": (s.venue.address if s.venue else s.address) or "",
            }
        )
    return lines
