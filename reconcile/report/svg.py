"""SVG from Vega-Lite specs, offline, checked inert; in worker processes when many.

Kept free of the package's other modules so that a worker (this file run by
its path) starts in a moment: it reads a JSON list of specs on standard input and writes a
JSON list of SVG strings (or ``{"unsafe": reason}``) on standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

__all__ = ["UnsafeSVG", "check_svg", "render_many", "render_svg"]


class UnsafeSVG(ValueError):
    """An SVG that could run code or reach outside the file (never put in the report)."""


def check_svg(svg: str) -> str:
    """``svg`` unchanged when it is inert; :class:`UnsafeSVG` otherwise.

    Inert: no ``script`` or ``foreignObject`` element, no ``on*`` attribute,
    and every ``href`` a fragment (``#id``) inside the picture.

    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>')[:4]
    '<svg'
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    Traceback (most recent call last):
    ...
    reconcile.report.svg.UnsafeSVG: attribute onload
    """
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise UnsafeSVG(f"not well-formed: {exc}") from None
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "iframe", "embed", "object"):
            raise UnsafeSVG(f"element {tag}")
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise UnsafeSVG(f"attribute {local}")
            if local == "href" and not value.startswith("#"):
                raise UnsafeSVG(f"link {value[:40]!r}")
    return svg


def render_svg(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec as a checked SVG string (vl-convert, offline)."""
    import vl_convert as vlc

    return check_svg(vlc.vegalite_to_svg(spec))


def _render_or_error(spec: dict[str, Any]) -> str | UnsafeSVG:
    try:
        return render_svg(spec)
    except UnsafeSVG as exc:
        return exc


def render_many(specs: Sequence[dict[str, Any]], workers: int | None = None
                ) -> list[str | UnsafeSVG]:
    """Render specs to checked SVG; from 24 specs on, in worker processes.

    A vl-convert engine renders one chart at a time (0.1 to 0.3 s), so
    ``workers`` processes (default: the cores, at most 4) each render a share:
    plain subprocesses of this module, so nothing forks a running engine and
    nothing re-imports the caller's script. A chart that fails the safety
    check comes back as its :class:`UnsafeSVG`.
    """
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if len(specs) < 24 or n_workers < 2:
        return [_render_or_error(s) for s in specs]
    shares = [list(specs[i::n_workers]) for i in range(n_workers)]
    # run this file by its path: the worker imports vl-convert and nothing of the package
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              encoding="utf-8") for _ in shares]
    outs = []
    for proc, share in zip(procs, shares, strict=True):
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(share))
        proc.stdin.close()
    for proc in procs:
        assert proc.stdout is not None
        outs.append(json.loads(proc.stdout.read()))
        if proc.wait() != 0:
            raise RuntimeError("a chart worker failed")
    result: list[str | UnsafeSVG] = [""] * len(specs)
    for i, out in enumerate(outs):
        for j, svg in enumerate(out):
            result[i + j * n_workers] = svg if isinstance(svg, str) else UnsafeSVG(svg["unsafe"])
    return result


def _worker() -> None:
    specs = json.loads(sys.stdin.read())
    out: list[object] = []
    for spec in specs:
        svg = _render_or_error(spec)
        out.append(svg if isinstance(svg, str) else {"unsafe": str(svg)})
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    _worker()


