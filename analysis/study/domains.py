"""The life-domain instrument of a study (3X10D and its age versions), read from its YAML.

Reports never write a domain key: they ask the instrument. :func:`life_domain_instrument`
finds which life-domain instrument a population of the study answered (``3x10d`` or
``3x10d-14-17``), and :class:`LifeDomains` gives its domains, the satisfaction item of each,
the domains of ``domain_mean`` and the global item (life as a whole).

Examples
--------
>>> ld = life_domains("3x10d")
>>> ld.domains[:2], ld.sat("health"), ld.global_score
(('health', 'resilience'), 'sat_health', 'sat_life_overall')
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analysis.intake.instruments import available_instruments, load_instrument

#: Scores of a life-domain instrument that are not single items.
MEAN_SCORE = "domain_mean"


@dataclass(frozen=True)
class LifeDomains:
    """Facts of one life-domain instrument, from its YAML."""

    instrument: str
    domains: tuple[str, ...]
    specific: tuple[str, ...]
    global_domain: str
    satisfaction: tuple[str, ...]
    importance: tuple[str, ...]
    goal: tuple[str, ...]
    scale_min: int
    scale_max: int

    def sat(self, domain: str) -> str:
        """Key of the satisfaction item of ``domain``."""
        return self.satisfaction[self.domains.index(domain)]

    @property
    def global_score(self) -> str:
        return self.sat(self.global_domain)

    @property
    def specific_items(self) -> list[str]:
        """Satisfaction items of the domains in ``domain_mean`` (all but the global one)."""
        return [self.sat(d) for d in self.specific]

    @property
    def scores(self) -> list[str]:
        """Every satisfaction item, then ``domain_mean``: the scores the reports analyse."""
        return [*self.satisfaction, MEAN_SCORE]


def _key(ins, domain: str, perspective: str) -> str | None:
    for it in ins.items:
        if it.domain == domain and it.perspective == perspective:
            return it.key
    return None


@lru_cache(maxsize=None)
def life_domains(instrument: str) -> LifeDomains:
    """:class:`LifeDomains` of a life-domain instrument (``scoring.type: life_domains``).

    Examples
    --------
    >>> ld = life_domains("3x10d-14-17")
    >>> ld.instrument, ld.scale_min, ld.scale_max, ld.scores[-1]
    ('3x10d-14-17', 0, 10, 'domain_mean')
    """
    ins = load_instrument(instrument)
    if ins.scoring.get("type") != "life_domains":
        raise ValueError(f"instrument {instrument!r} is not a life-domain instrument")
    domains = tuple(ins.scoring["domains"])
    sat = [_key(ins, d, "satisfaction") for d in domains]
    return LifeDomains(
        instrument=ins.id, domains=domains, specific=tuple(ins.scoring["domain_mean"]["domains"]),
        global_domain=ins.scoring["global_domain"],
        satisfaction=tuple(sat),
        importance=tuple(k for d in domains if (k := _key(ins, d, "importance"))),
        goal=tuple(k for d in domains if (k := _key(ins, d, "goal"))),
        scale_min=ins.item(sat[0]).scale.min, scale_max=ins.item(sat[0]).scale.max)


def is_life_domain(instrument: str) -> bool:
    """Whether ``instrument`` is a life-domain instrument (``scoring.type: life_domains``).

    Examples
    --------
    >>> is_life_domain("3x10d"), is_life_domain("sus")
    (True, False)
    """
    return load_instrument(instrument).scoring.get("type") == "life_domains"


def life_domain_instrument(study, population: str) -> str | None:
    """The life-domain instrument a population of ``study`` answered (``None`` if none).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> study = load_study(datasets.path("demo"))
    >>> life_domain_instrument(study, "pilot"), life_domain_instrument(study, "staff")
    ('3x10d', None)
    """
    for ident in available_instruments():
        if is_life_domain(ident) and study.has(population, ident):
            return ident
    return None
