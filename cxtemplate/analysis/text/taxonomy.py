"""Guided topics: a taxonomy of named aspects with seed terms, and which sentences mention which aspect.

Commercial text-analytics tools ship topic libraries per sector; cxtemplate ships one per sector too
(``taxonomies/*.yaml``: retail, utilities, telecoms, travel, banking, each adding its own aspects to the common
ones every sector shares: staff, waiting, resolution, communication, billing, price, app and website). An aspect
is *what* a comment is about ("Staff"); whether it praises or complains is measured apart
(:mod:`cxtemplate.analysis.text.polarity`), so "rude staff" and "friendly staff" are one aspect with opposite
polarity.

Term syntax (case ignored; matched on whole words within one sentence):

``word``
    that word (``bill``)
``word*``
    any word starting so (``charg*``: charge, charged, charges)
``two words``
    the words side by side, any spacing (``direct debit``)
``a & b``
    both terms somewhere in the sentence (``lost & bag*``)

A sentence mentions an aspect when one of its terms occurs in it; a comment mentions an aspect when one of its
sentences does. A comment's **primary aspect** is the one with the most term occurrences in it; a tie goes to the
aspect listed first (sector aspects come before the common ones, being the more specific).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from cxtemplate.analysis.text.select import split_sentences
from cxtemplate.vocabulary import TEXT_SECTORS

__all__ = ["Aspect", "SECTORS", "Taxonomy", "aspect_hits", "comment_aspects", "compile_term", "load_taxonomy", "primary_aspect"]

SECTORS: tuple[str, ...] = TEXT_SECTORS
"""The sectors with a shipped taxonomy (``common`` is included by each)."""


def compile_term(term: str) -> list[str]:
    """The regular expressions (all must match one sentence) of one taxonomy term.

    >>> compile_term("charg*")
    ['\\\\bcharg\\\\w*']
    >>> compile_term("lost & bag*")
    ['\\\\blost\\\\b', '\\\\bbag\\\\w*']
    """
    parts = [p.strip() for p in str(term).lower().split("&")]
    if not all(parts):
        raise ValueError(f"taxonomy term {term!r} has an empty side of '&'")
    out = []
    for part in parts:
        words = part.split()
        pieces = []
        for i, word in enumerate(words):
            star = word.endswith("*")
            body = re.escape(word.rstrip("*"))
            if not body:
                raise ValueError(f"taxonomy term {term!r} has a bare '*'")
            pieces.append(body + (r"\w*" if star else "") + (r"\b" if not star and i == len(words) - 1 else ""))
        out.append(r"\b" + r"\s+".join(pieces))
    return out


@dataclass(frozen=True)
class Aspect:
    """One named aspect: what customers write about (``Staff``), with its seed terms.

    Attributes
    ----------
    id : str
        Stable key (``staff``).
    name : str
        What a reader sees (``Staff``).
    terms : tuple of str
        Seed terms in the syntax of this module.
    complaint, praise : str
        The names of its complaint and praise sides ("Rude or unhelpful staff", "Friendly, helpful staff").
    """

    id: str
    name: str
    terms: tuple[str, ...]
    complaint: str = ""
    praise: str = ""

    def side(self, polarity: str) -> str:
        """The name of one polarity side of the aspect (``"complaint"`` or ``"praise"``)."""
        named = self.complaint if polarity == "complaint" else self.praise
        return named or f"{self.name}: {polarity}"

    @property
    def words(self) -> str:
        """The aspect's first seed terms, for analysts and for the action catalogue's ``topic:<word>`` keys."""
        return ", ".join(t.replace("*", "") for t in self.terms[:8])


@dataclass(frozen=True)
class Taxonomy:
    """An ordered list of aspects (sector aspects first) and where it came from."""

    name: str
    aspects: tuple[Aspect, ...]
    from_file: bool = False

    @property
    def ids(self) -> list[str]:
        """The aspect ids in order."""
        return [a.id for a in self.aspects]

    def aspect(self, aspect_id: str) -> Aspect:
        """The aspect with id ``aspect_id``."""
        for a in self.aspects:
            if a.id == aspect_id:
                return a
        raise KeyError(aspect_id)

    def patterns(self) -> list[list[list[re.Pattern]]]:
        """Per aspect, per term, the compiled expressions that must all match."""
        return [[[re.compile(x) for x in compile_term(t)] for t in a.terms] for a in self.aspects]


def _aspects(records: list[dict], where: str) -> list[Aspect]:
    out = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or "id" not in rec or "terms" not in rec:
            raise ValueError(f"{where}: aspect {i + 1} needs an id and terms")
        terms = tuple(str(t) for t in rec["terms"])
        for t in terms:
            compile_term(t)
        out.append(Aspect(str(rec["id"]), str(rec.get("name") or rec["id"].replace("_", " ").capitalize()), terms,
                          str(rec.get("complaint") or ""), str(rec.get("praise") or "")))
    return out


def _read(path_or_sector: str | Path) -> dict:
    import yaml

    text = str(path_or_sector)
    if text in SECTORS or text == "common":
        raw = resources.files("cxtemplate.analysis.text").joinpath("taxonomies", f"{text}.yaml").read_text("utf-8")
    else:
        raw = Path(text).read_text(encoding="utf-8")
    return yaml.safe_load(raw) or {}


def load_taxonomy(source: str | Path | None = None, *, aspects: list[dict] | None = None,
                  common: bool = True) -> Taxonomy:
    """A taxonomy: a shipped sector's, a YAML file's, or only the common aspects; plus aspects of the params.

    Parameters
    ----------
    source : str or Path, optional
        A sector name (:data:`SECTORS`), the path of a taxonomy YAML file (``aspects:`` list, optional
        ``include: common``), or ``None`` for the common aspects alone.
    aspects : list of dict, optional
        Extra aspects (``id``, ``name``, ``terms``, optional ``complaint`` / ``praise``); one whose id is already
        in the taxonomy replaces it, others come first.
    common : bool, default True
        Whether a sector or file that says ``include: common`` gets the common aspects (without ``source``:
        whether the common aspects are the base; ``False`` leaves only ``aspects``).

    Returns
    -------
    Taxonomy
    """
    from_file = source is not None and str(source) not in SECTORS and str(source) != "common"
    name = "common" if source is None else (Path(str(source)).stem if from_file else str(source))
    found: list[Aspect] = []
    if source is not None:
        data = _read(source)
        found = _aspects(data.get("aspects") or [], name)
        if common and data.get("include") == "common":
            found += _aspects(_read("common").get("aspects") or [], "common")
    elif common:
        found = _aspects(_read("common").get("aspects") or [], "common")
    if aspects:
        extra = _aspects(aspects, "params")
        ids = {a.id for a in extra}
        found = extra + [a for a in found if a.id not in ids]
    seen: set[str] = set()
    for a in found:
        if a.id in seen:
            raise ValueError(f"taxonomy {name}: aspect id {a.id!r} appears twice")
        seen.add(a.id)
    return Taxonomy(name, tuple(found), from_file)


def aspect_hits(taxonomy: Taxonomy, sentences) -> np.ndarray:
    """How many term occurrences of each aspect every sentence holds.

    Parameters
    ----------
    taxonomy : Taxonomy
    sentences : sequence of str
        Sentences (or whole texts); missing values count as empty.

    Returns
    -------
    numpy.ndarray of int, shape (n_sentences, n_aspects)
        Occurrences of single-part terms are counted; an ``a & b`` term counts once when both occur.
    """
    s = pd.Series(list(sentences), dtype=object).fillna("").astype(str).str.lower()
    # each distinct sentence once (survey exports repeat stock phrases)
    codes, uniq = pd.factorize(s)
    u = pd.Series(uniq, dtype=object)
    out = np.zeros((len(u), len(taxonomy.aspects)), dtype=np.int32)
    for j, aspect in enumerate(taxonomy.aspects):
        singles = [compile_term(t)[0] for t in aspect.terms if "&" not in t]
        if singles:
            # longest alternatives first, so "member of staff" counts once, not as "staff" too
            alternation = "|".join(sorted(singles, key=len, reverse=True))
            out[:, j] = u.str.count(f"(?:{alternation})").to_numpy()
        for t in aspect.terms:
            if "&" in t:
                both = np.ones(len(u), dtype=bool)
                for x in compile_term(t):
                    both &= u.str.contains(x, regex=True).to_numpy()
                out[:, j] += both
    return out[codes] if len(s) else out[:0]


def comment_aspects(taxonomy: Taxonomy, texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences of ``texts`` with their aspect hits.

    Returns
    -------
    (sentences, owner, hits)
        ``sentences`` and ``owner`` as :func:`cxtemplate.analysis.text.select.split_sentences` gives them (owner:
        position of the sentence's comment in ``texts``); ``hits`` from :func:`aspect_hits`.
    """
    docs = pd.Series(texts, dtype=object).where(lambda v: v.map(lambda x: isinstance(x, str)), "").astype(object)
    sentences, owner = split_sentences(docs.reset_index(drop=True))
    return sentences, owner, aspect_hits(taxonomy, sentences)


def primary_aspect(taxonomy: Taxonomy, texts) -> pd.Series:
    """Each comment's primary aspect id: the one with the most term occurrences; ties to the first listed.

    Returns
    -------
    pandas.Series
        Index of ``texts``; the aspect id, or missing when no aspect is mentioned.
    """
    s = pd.Series(texts, dtype=object) if not isinstance(texts, pd.Series) else texts
    sentences, owner, hits = comment_aspects(taxonomy, s)
    per = np.zeros((len(s), len(taxonomy.aspects)), dtype=np.int64)
    np.add.at(per, owner, hits)
    best = per.argmax(axis=1)  # first maximum: the aspect listed first wins a tie
    ids = np.array(taxonomy.ids, dtype=object)
    return pd.Series(np.where(per.max(axis=1) > 0, ids[best], None), index=s.index, dtype=object)
