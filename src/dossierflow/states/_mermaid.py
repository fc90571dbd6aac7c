"""Mermaid flowcharts of procedures: steps grouped by agency, handoffs, parallel branches,
choices and each step's allotment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossierflow.states._graph import Choice, End, Next, Parallel, options

if TYPE_CHECKING:
    from dossierflow.states._definition import Procedure


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def to_mermaid(proc: Procedure) -> str:
    """A ``flowchart TD`` of ``proc``; paste it into any Mermaid renderer."""
    ids = {s.name: f"s{i}" for i, s in enumerate(proc.steps)}
    lines = ["flowchart TD", f"  received([{_label('received')}])",
             f"  resolved([{_label('resolved')}])"]
    for agency in proc.agencies:
        owned = [s for s in proc.steps if s.owner.agency == agency.id]
        if not owned:
            continue
        lines.append(f"  subgraph {_safe(agency.id)}[{_label(agency.name)}]")
        for s in owned:
            text = f"{s.name}<br/>{s.owner.role}"
            if s.allotment is not None:
                text += f"<br/>{s.allotment}"
            lines.append(f"    {ids[s.name]}[{_label(text)}]")
        lines.append("  end")
    lines.append(f"  received --> {ids[proc.first_step]}")
    counter = [0]

    def node(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def edge(src: str, nxt: Next, label: str = "") -> None:
        arrow = f" -->|{_label(label)}| " if label else " --> "
        if isinstance(nxt, End):
            lines.append(f"  {src}{arrow}resolved")
        elif isinstance(nxt, str):
            lines.append(f"  {src}{arrow}{ids[nxt]}")
        elif isinstance(nxt, Parallel):
            fork = node("fork")
            join = "all branches end" if nxt.join is None else f"join at {nxt.join}"
            lines.append(f"  {fork}{{{{{_label('parallel: ' + join)}}}}}")
            lines.append(f"  {src}{arrow}{fork}")
            for b in nxt.branches:
                lines.append(f"  {fork} --> {ids[b]}")
        else:
            assert isinstance(nxt, Choice)
            decision = node("choice")
            lines.append(f"  {decision}{{{_label('which?')}}}")
            lines.append(f"  {src}{arrow}{decision}")
            labels = [f"{o.field} = {o.equals!r}" for o in nxt.options] + ["otherwise"]
            for label, option in zip(labels, options(nxt), strict=True):
                edge(decision, option, label)

    for s in proc.steps:
        edge(ids[s.name], s.then)
    return "\n".join(lines) + "\n"


def _safe(agency_id: str) -> str:
    return "a_" + "".join(c if c.isalnum() else "_" for c in agency_id)
