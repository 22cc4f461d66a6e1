"""Protocol state diagrams as SVG, laid out here so the site needs no script and no network.

The layout is deterministic by construction:
- the states stand in one row, the initial one first (marked with a dot and an arrow, as in
  UML), the others in order of first appearance;
- an edge to the next state is a straight arrow when nothing runs back; other forward edges
  arc above the row and backward edges below it; edges between the same two states in the same
  direction share one arrow, their labels joined;
- a self-loop sits on the side with fewer arcs over its state, its box widened to hold its label;
- arcs are cubic curves that leave and enter their boxes almost vertically; they are placed
  shortest first, each raised just enough to clear every loop and label already placed beneath
  it, so an arc never runs through a label.
Text widths are estimated for a monospace font.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..spec import ast as A

LABEL_SIZE, STATE_SIZE = 13, 14  # font sizes (px)
CHAR_W = 0.61 * LABEL_SIZE  # a monospace character's width, a little generous
STATE_CHAR_W = 0.61 * STATE_SIZE
BOX_H = 40
MIN_BOX_W = 110
MIN_GAP = 120
MARGIN = 16
INITIAL_W = 46  # room for the initial dot and its arrow
CORNER_INSET = 14  # where an arc meets a box, from its corner
INSET_STEP = 10  # further in for each longer arc at the same corner
LEAN = 0.1  # an arc's control points stand this fraction of its span in from its ends
BASE_RISE = 32  # apex height of the lowest arc, and height of a loop
LABEL_H = 18
CLEARANCE = 6
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK = "#2b3440"
BOX_FILL = "#f3f6fb"
BOX_STROKE = "#3d5a80"


@dataclass
class _Edge:
    source: int
    target: int
    label: str
    side: str = "straight"  # straight, above or below
    loop: bool = False
    rise: float = 0.0  # apex height above (or below) the row of states
    x1: float = 0.0  # where it leaves its source and enters its target
    x2: float = 0.0

    @property
    def span(self) -> int:
        return abs(self.target - self.source)

    @property
    def label_w(self) -> float:
        return len(self.label) * CHAR_W


def protocol_states(protocol: A.ProtocolDecl) -> list[str]:
    """Every state, the initial one first, the others in order of first appearance."""
    states: list[str] = []
    if protocol.initial is not None:
        states.append(protocol.initial.text)
    for t in protocol.transitions:
        for name in (t.source.text, t.target.text):
            if name not in states:
                states.append(name)
    return states


def initial_state(protocol: A.ProtocolDecl) -> str | None:
    """The declared initial state, else the source of the first transition (the first state)."""
    if protocol.initial is not None:
        return protocol.initial.text
    return protocol.transitions[0].source.text if protocol.transitions else None


def state_diagram(protocol: A.ProtocolDecl, ident: str) -> str:
    """The diagram as an `<svg>` element; `ident` keeps its ids unique on a page."""
    states = protocol_states(protocol)
    initial = initial_state(protocol)
    edges = _edges(protocol, states)
    corners = _corners(edges)
    widths = [_box_width(i, s, edges, corners) for i, s in enumerate(states)]
    xs = _columns(widths, edges)
    _attach(edges, corners, xs, widths)
    for side in ("above", "below"):
        _raise([e for e in edges if e.side == side])
    above = max([e.rise + LABEL_H for e in edges if e.side == "above"], default=0)
    below = max([e.rise + LABEL_H for e in edges if e.side == "below"], default=0)
    top = MARGIN + above
    bottom = top + BOX_H
    cy = top + BOX_H / 2
    right = xs[-1] + widths[-1] if states else MARGIN + INITIAL_W
    for e in edges:  # a label may stick out past the last state
        right = max(right, _label_x(e, xs, widths) + e.label_w / 2)
    width, height = round(right + MARGIN), round(bottom + below + MARGIN)

    arrow = f"{ident}-arrow"
    title = (f"Protocol {protocol.name.text}: states {', '.join(states)}"
             + (f"; initial state {initial}" if initial else ""))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title" font-family="{FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{INK}"/></marker></defs>',
    ]
    if initial is not None:  # always the first state, by protocol_states
        dot = MARGIN + 7
        out.append(f'<g class="initial-marker"><circle cx="{dot}" cy="{_n(cy)}" r="7" '
                   f'fill="{INK}"/><path d="M{dot + 7},{_n(cy)} L{xs[0]},{_n(cy)}" '
                   f'stroke="{INK}" stroke-width="1.3" marker-end="url(#{arrow})"/></g>')
    for name, x, w in zip(states, xs, widths):
        css, stroke = ("state initial", 2.5) if name == initial else ("state", 1.5)
        out.append(
            f'<g class="{css}"><rect x="{x}" y="{_n(top)}" width="{w}" height="{BOX_H}" '
            f'rx="9" ry="9" fill="{BOX_FILL}" stroke="{BOX_STROKE}" stroke-width="{stroke}"/>'
            f'<text x="{_n(x + w / 2)}" y="{_n(cy + 5)}" text-anchor="middle" '
            f'font-size="{STATE_SIZE}" fill="{INK}">{escape(name)}</text></g>')
    for e in edges:
        out.append(f'<path class="transition" d="{_path(e, xs, widths, top)}" fill="none" '
                   f'stroke="{INK}" stroke-width="1.3" marker-end="url(#{arrow})"/>')
    for e in edges:  # after every line, so a label is never drawn over
        if e.side == "straight":
            label_y = cy - 7
        elif e.side == "above":
            label_y = top - e.rise - 5
        else:
            label_y = bottom + e.rise + 14
        out.append(
            f'<text class="transition" x="{_n(_label_x(e, xs, widths))}" y="{_n(label_y)}" '
            f'text-anchor="middle" font-size="{LABEL_SIZE}" fill="{INK}" stroke="#ffffff" '
            f'stroke-width="4" paint-order="stroke">{escape(e.label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _edges(protocol: A.ProtocolDecl, states: list[str]) -> list[_Edge]:
    """One edge per (source, target) with its labels joined, in order of first appearance,
    each on its side of the row."""
    labels: dict[tuple[int, int], list[str]] = {}
    for t in protocol.transitions:
        key = (states.index(t.source.text), states.index(t.target.text))
        names = labels.setdefault(key, [])
        if t.label.text not in names:
            names.append(t.label.text)
    edges = [_Edge(s, t, ", ".join(names)) for (s, t), names in labels.items()]
    for e in edges:
        if e.source == e.target:
            e.loop = True
        elif e.span == 1 and (e.target, e.source) not in labels:
            e.side = "straight"
        else:
            e.side = "above" if e.target > e.source else "below"
    for e in edges:  # a loop goes where fewer arcs pass over its state
        if e.loop:
            over = {side: sum(1 for a in edges if a.side == side and not a.loop
                              and min(a.source, a.target) <= e.source <= max(a.source, a.target))
                    for side in ("above", "below")}
            e.side = "above" if over["above"] <= over["below"] else "below"
    return edges


Corners = dict[tuple[int, str, str], list[_Edge]]  # (box, side, L or R) -> arcs, shortest first


def _corners(edges: list[_Edge]) -> Corners:
    """The arcs meeting each corner of each box; an arc's rank there sets how far in it meets
    it (longer arcs further in, so arcs sharing a corner nest instead of crossing)."""
    corners: Corners = {}
    for e in sorted((e for e in edges if e.side != "straight" and not e.loop),
                    key=lambda e: (e.span, e.source, e.target)):
        forward = e.target > e.source
        corners.setdefault((e.source, e.side, "R" if forward else "L"), []).append(e)
        corners.setdefault((e.target, e.side, "L" if forward else "R"), []).append(e)
    return corners


def _inset(rank: int) -> float:
    return CORNER_INSET + INSET_STEP * rank


def _loop_half(loop: _Edge) -> float:
    """Half the room a loop takes on top of (or under) its box, its label included."""
    return max(34.0, loop.label_w / 2 + 6)


def _box_width(i: int, name: str, edges: list[_Edge], corners: Corners) -> int:
    """Wide enough for the name; with a loop, wide enough that the arcs meeting the box on the
    loop's side do so beside the loop and its label, not under them."""
    width = max(MIN_BOX_W, len(name) * STATE_CHAR_W + 32)
    for loop in (e for e in edges if e.loop and e.source == i):
        ranks = max(len(corners.get((i, loop.side, c), [])) for c in "LR")
        if ranks:
            width = max(width, 2 * (_loop_half(loop) + _inset(ranks - 1) + 4))
    return round(width)


def _overhang(i: int, widths: list[int], edges: list[_Edge]) -> float:
    """How far a loop's label sticks out on each side of its box."""
    return max([e.label_w / 2 - widths[i] / 2 for e in edges if e.loop and e.source == i]
               + [0.0])


def _columns(widths: list[int], edges: list[_Edge]) -> list[int]:
    """Left x of each state; a gap is wide enough for the straight edges' labels in it, and
    for the loop labels overhanging it."""
    xs, x = [], MARGIN + INITIAL_W
    for i, w in enumerate(widths):
        xs.append(x)
        labels = [e.label_w + 28 for e in edges
                  if e.side == "straight" and min(e.source, e.target) == i]
        if i + 1 < len(widths):
            labels.append(_overhang(i, widths, edges) + _overhang(i + 1, widths, edges) + 16)
        x += w + round(max([MIN_GAP] + labels))
    return xs


def _attach(edges: list[_Edge], corners: Corners, xs: list[int], widths: list[int]) -> None:
    """Where each arc meets its boxes (near the facing corners) and where loops sit (in the
    middle)."""
    def corner_x(box: int, corner: str, e: _Edge) -> float:
        inset = min(_inset(corners[(box, e.side, corner)].index(e)), widths[box] / 2 - 6)
        return xs[box] + inset if corner == "L" else xs[box] + widths[box] - inset

    for e in edges:
        if e.loop:
            centre = xs[e.source] + widths[e.source] / 2
            e.x1, e.x2 = centre - 10, centre + 10
        elif e.side != "straight":
            forward = e.target > e.source
            e.x1 = corner_x(e.source, "R" if forward else "L", e)
            e.x2 = corner_x(e.target, "L" if forward else "R", e)


# the shape of every arc, as (fraction of its span, height as a fraction of its apex), sampled
# away from its ends: near an end the arc climbs almost straight up, and an obstacle there is
# not cleared by raising the arc (labels are drawn over lines, so it stays readable)
_SAMPLES = [(3 * (1 - t) * t * ((1 - t) * LEAN + t * (1 - LEAN)) + t ** 3, 4 * t * (1 - t))
            for t in (i / 64 for i in range(8, 57))]


def _raise(edges: list[_Edge]) -> None:
    """Give each arc on one side its rise (apex height): loops first, then arcs shortest first,
    each high enough that it clears every obstacle already placed (a loop with its label, an
    arc's label). An arc's height at each point is its apex times a fixed shape (`_SAMPLES`)."""
    obstacles: list[tuple[float, float, float]] = []  # x from, x to, height
    for e in sorted(edges, key=lambda e: (not e.loop, e.span, e.source, e.target)):
        if e.loop:
            e.rise = BASE_RISE
            half = _loop_half(e)
            centre = (e.x1 + e.x2) / 2
            obstacles.append((centre - half, centre + half, e.rise + LABEL_H))
            continue
        lo, hi = sorted((e.x1, e.x2))
        rise = float(BASE_RISE)
        for a, b, height in obstacles:
            shape = [h for u, h in _SAMPLES if a <= lo + u * (hi - lo) <= b]
            if shape:
                rise = max(rise, (height + CLEARANCE) / min(shape))
        e.rise = round(rise, 1)
        half, mid = e.label_w / 2 + 6, (lo + hi) / 2
        obstacles.append((mid - half, mid + half, e.rise + LABEL_H))


def _label_x(e: _Edge, xs: list[int], widths: list[int]) -> float:
    if e.side == "straight":
        a, b = sorted((e.source, e.target))
        return (xs[a] + widths[a] + xs[b]) / 2
    return (e.x1 + e.x2) / 2


def _path(e: _Edge, xs: list[int], widths: list[int], top: float) -> str:
    cy = top + BOX_H / 2
    if e.side == "straight":
        if e.target > e.source:
            x1, x2 = xs[e.source] + widths[e.source], xs[e.target]
        else:
            x1, x2 = xs[e.source], xs[e.target] + widths[e.target]
        return f"M{_n(x1)},{_n(cy)} L{_n(x2)},{_n(cy)}"
    y = top if e.side == "above" else top + BOX_H
    sign = -1 if e.side == "above" else 1
    if e.loop:  # a cubic's midpoint reaches 3/4 of its control points' height
        h = y + sign * e.rise * 4 / 3
        return (f"M{_n(e.x1)},{_n(y)} C{_n(e.x1 - 20)},{_n(h)} "
                f"{_n(e.x2 + 20)},{_n(h)} {_n(e.x2)},{_n(y)}")
    # a cubic with both control points at height H peaks at 3/4 H
    h = y + sign * e.rise * 4 / 3
    lean = (e.x2 - e.x1) * LEAN
    return (f"M{_n(e.x1)},{_n(y)} C{_n(e.x1 + lean)},{_n(h)} {_n(e.x2 - lean)},{_n(h)} "
            f"{_n(e.x2)},{_n(y)}")


def _n(v: float) -> str:
    """Coordinates to one decimal, without a trailing .0: stable text for stable files."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"
