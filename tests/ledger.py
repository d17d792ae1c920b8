"""The ledger as the seeds state it, read straight from the YAML and not through ingest/, so the site's
tests can compute the figures they expect independently of the build."""
import math
from pathlib import Path

import yaml

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# verdict -> points under the half-credit, strict and lenient rules; other verdicts are not in the denominator
POINTS = {"correct": (1, 1, 1), "partially_correct": (0.5, 0, 1), "incorrect": (0, 0, 0)}
VERDICTS = ("correct", "partially_correct", "incorrect", "too_early", "unresolvable")
DIMENSIONS = ("overall", "author", "publisher", "document", "topic", "year")


def _load(path):
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []


def wilson(points, n, z=1.96):
    if not n:
        return None, None
    p = points / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


class Ledger:
    def __init__(self, seeds=SEEDS):
        self.documents = {d["id"]: d for d in _load(seeds / "documents.yml")}
        self.topics = {t["id"]: t for t in _load(seeds / "topics.yml")}
        self.authors = {a["id"]: a for a in _load(seeds / "authors.yml")}
        self.publishers = {p["id"]: p for p in _load(seeds / "publishers.yml")}
        self.claims = {}
        for path in sorted((seeds / "claims").glob("*.yml")):
            for claim in _load(path):
                resolutions = claim.get("resolutions") or []
                self.claims[claim["id"]] = {
                    **claim, "document": path.stem, "made": str(claim["made"]),
                    "horizon": str(claim["horizon"]) if claim.get("horizon") else None,
                    "topics": claim.get("topics") or [], "resolutions": resolutions,
                    "verdict": resolutions[-1]["verdict"] if resolutions else None,
                    "resolved": str(resolutions[-1]["resolved"]) if resolutions else None,
                }
        self.repeats = self._repeats()

    def _repeats(self):
        """Ids of the claims scorecards leave out: linked (same_as, either way, transitively) to an earlier
        claim of the same predictor (its author; for an unsigned claim, its document)."""
        group = {c: c for c in self.claims}

        def root(c):
            while group[c] != c:
                c = group[c]
            return c

        for claim in self.claims.values():
            if claim.get("same_as") in self.claims:
                group[root(claim["id"])] = root(claim["same_as"])
        first = {}
        for claim in sorted(self.claims.values(), key=lambda c: (c["made"], c["id"])):
            first.setdefault((root(claim["id"]), claim.get("author") or claim["document"]), claim["id"])
        return set(self.claims) - set(first.values())

    def ancestors(self, topic):
        """The topic and every topic above it."""
        out = []
        while topic:
            out.append(topic)
            topic = self.topics[topic].get("parent")
        return out

    def under(self, topic):
        """The topic and every topic below it."""
        return {t for t in self.topics if topic in self.ancestors(t)}

    def keys(self, claim, dimension):
        if dimension == "overall":
            return {"all"}
        if dimension == "author":
            return {claim["author"]} if claim.get("author") else set()
        if dimension == "publisher":
            publisher = self.documents[claim["document"]].get("publisher")
            return {publisher} if publisher else set()
        if dimension == "document":
            return {claim["document"]}
        if dimension == "topic":
            return {a for t in claim["topics"] for a in self.ancestors(t)}
        if dimension == "year":
            return {claim["made"][:4]}
        raise ValueError(dimension)

    def predictions(self, dimension=None, key=None, counted=False):
        """The predictions (with counted=True, only those scorecards count: each once per predictor)."""
        return [c for c in self.claims.values() if c["kind"] == "prediction"
                and (dimension is None or key in self.keys(c, dimension)) and not (counted and c["id"] in self.repeats)]

    def scorecard(self, dimension):
        """key -> the figures a scorecard row should show."""
        groups = {}
        for claim in self.predictions(counted=True):
            for key in self.keys(claim, dimension):
                groups.setdefault(key, []).append(claim)
        return {key: figures(claims) for key, claims in groups.items()}


def figures(claims):
    verdicts = [c["verdict"] for c in claims]
    row = {v: verdicts.count(v) for v in VERDICTS}
    row["unreviewed"] = verdicts.count(None)
    row["predictions"] = len(claims)
    n = row["resolved"] = sum(v in POINTS for v in verdicts)
    for i, (points, rate, low, high) in enumerate((
        ("points", "hit_rate", "wilson_low", "wilson_high"),
        ("strict_points", "hit_rate_strict", "wilson_low_strict", "wilson_high_strict"),
        ("lenient_points", "hit_rate_lenient", "wilson_low_lenient", "wilson_high_lenient"),
    )):
        row[points] = sum(POINTS[v][i] for v in verdicts if v in POINTS)
        row[rate] = row[points] / n if n else None
        row[low], row[high] = wilson(row[points], n)
    return row
