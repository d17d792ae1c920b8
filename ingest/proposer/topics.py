"""Suggest topics from topics.yml for a claim, by the words it shares with each topic."""
import math
import re

_STOP = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their them
this to was were will with models model ai more most than which who what when how can new such""".split())


def _stems(text):
    # A crude stem (drop a plural or -ing/-ed ending) is enough to meet "agents" with "agent".
    return {re.sub(r"(?:ing|ed|es|s)$", "", w) if len(w) > 4 else w
            for w in re.findall(r"[a-z0-9][a-z0-9-]+", text.lower()) if w not in _STOP}


def suggest_topics(text, topics, limit=3):
    """Up to `limit` topic ids whose name and description share the rarest words with `text`."""
    if not topics:
        return []
    words = _stems(text)
    vocab = [(t["id"], _stems(f"{t.get('name', '')} {t['id'].replace('-', ' ')} {t.get('description', '')}"),
              _stems(f"{t.get('name', '')} {t['id'].replace('-', ' ')}")) for t in topics]
    frequency = {}
    for _, stems, _ in vocab:
        for s in stems:
            frequency[s] = frequency.get(s, 0) + 1
    scored = []
    for topic_id, stems, name in vocab:
        # Words of the topic's name count double: "Mixture of experts" is named by them.
        score = sum(math.log(1 + len(vocab) / frequency[s]) * (2 if s in name else 1) for s in words & stems)
        if score >= 2.5:
            scored.append((score, topic_id))
    return [t for _, t in sorted(scored, key=lambda p: (-p[0], p[1]))[:limit]]
