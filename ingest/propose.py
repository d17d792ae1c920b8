"""Built-in claim proposer: sentences that look forward ("will", "expect") become candidates."""
import re

from .hookspecs import hookimpl

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_FORWARD = re.compile(r"\b(will|won't|expect|predict|likely|anticipated|soon|by (?:19|20)\d\d)\b", re.I)


@hookimpl
def propose_claims(document):
    for match in _SENTENCE.finditer(document.text):
        sentence = match.group().strip()
        if len(sentence) > 20 and _FORWARD.search(sentence):
            yield {"quote": sentence, "kind": "prediction", "start": match.start()}
