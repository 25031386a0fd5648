"""Simulated worlds with known truth: the ground every accuracy benchmark stands on.

A world is a set of true events (incidents in real places, the children among
their victims, national daily totals, cumulative tallies "since <date>") and a
claims table that sources wrote about them, as ``reconcile`` would read it
from ``claims.csv``. Because the truth is known, every later stage can be
measured: did grouping find the events, did resolution's ``[low, high]``
hold the true count as often as its confidence said, did it find the
outlets that only repeat one originator?

The model, in short (numbers are for the ``realistic`` scenario):

* **Places** are the largest cities of sixteen conflict countries, from the
  gazetteer shipped with the package (:mod:`reconcile.places`: GeoNames,
  CC BY 4.0), weighted by population. A claim names the place by its name
  as news copy prints it (Hamah), by one of its Latin-script spellings
  (Ḩamāh, Hamath; Aleppo / Halab / Alep; an outlet keeps to one spelling),
  with a typo (a swapped or dropped letter) or not at all.
* **Events** fall over 2024 with bursts per country. Categories are killed,
  injured, missing, displaced, detained; victims people, civilians,
  soldiers, fighters. True counts are heavy tailed: a lognormal body (most
  incidents 1-30 killed) with a Pareto tail (a few hundreds or thousands).
  Some incidents have a *part* (the children or women among the victims,
  count <= the whole); on some days a *national daily total* sums a
  country's killed incidents; *tallies* sum all killed incidents of a
  country over a window of 7-30 days (non-overlapping per country). The
  truth is a tree through ``parent_event_id``: an aggregate's count is
  exactly the sum of its children's counts, a part's count is at most its
  whole's.
* **Originators** (monitors, ministries, rescue services, Red Crescent /
  Red Cross, armed groups, rights networks, news agencies, a UN office, an
  NGO and a fast partisan monitor) each have a noise level, a
  multiplicative bias (some under-report ~0.7x, some inflate ~1.4x; a
  share are *honest*: no bias, no noise), a reporting delay, a coverage of
  categories and a habit of phrasing ("at least N", "about 60", "dozens",
  "between 20 and 30", exact figures, or bounds in ``low``/``high``).
* **Tolls grow**: a report ``t`` hours after an event knows the fraction
  ``1 - (1 - f0) exp(-t / tau)`` of the final toll; early reports are low
  and usually say "at least"; later reports of the same source supersede.
* **Dependence**: outlets repeat an originator's figure (same number, own
  outlet, ``source`` the originator or, when the attribution is dropped,
  the outlet itself; some favour one originator); copiers republish one
  source's figures under their own name a little later.
* **Figure text is written from the rules** (qualifier phrases by kind and
  position, vague words whose range holds the number, range connectors,
  number words), so every figure parses with
  :func:`reconcile.core.parse.parse_figure` to exactly the interval the
  simulator intended, and that interval holds what the source believed.
* About 0.5% of rows are **malformed** (empty source, figure "n/a", a
  negative ``low``, ``low`` above ``high``, an impossible date): the loader
  must reject them; the truth marks them ``malformed``.

Scenarios: ``easy`` (reliable sources, little noise, no copiers, no typos),
``realistic`` (the mix above) and ``adversarial`` (a majority of outlets
repeat one originator that inflates 1.5x, plus many copiers).

Everything is generated column-wise with numpy from one
``numpy.random.default_rng(seed)``: the same spec gives the same world on
every run, and a million claims take well under a minute. The only thing
read is the package's gazetteer table (once per process).

Modules, by concern: :mod:`.spec` (WorldSpec, scenarios, World),
:mod:`.places` (countries, cities, spelling variants), :mod:`.sources`
(originators, outlets, copiers), :mod:`.events` (true events, the tree of
parts and aggregates, tolls over time), :mod:`.figures` (how a number is
stated), :mod:`.claims` (reports, repeats, copies), :mod:`.render` (the
output frames), :mod:`.world` (the budget; simulate and write), and
:mod:`.columns` (numpy helpers).
"""


from __future__ import annotations

from .spec import SCENARIOS, World, WorldSpec
from .world import simulate_to_dir, simulate_world, write_world

__all__ = [
    "SCENARIOS",
    "World",
    "WorldSpec",
    "simulate_to_dir",
    "simulate_world",
    "write_world",
]
