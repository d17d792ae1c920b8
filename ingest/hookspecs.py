"""The hooks a Hindsight plugin can implement, in the style of Datasette's hookspecs.py."""
from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("hindsight")
hookimpl = HookimplMarker("hindsight")


@hookspec
def register_readers(register):
    """Register document readers: call ``register(reader)`` for each one.

    A reader has a ``name``, a ``detect(text) -> int`` score (0 means "not mine";
    the highest score wins) and a ``read(text) -> ReadDocument``.
    """


@hookspec
def propose_claims(document):
    """Return candidate claims found in a ReadDocument, each a dict:

    ``quote`` (an exact substring of ``document.text``), ``start``/``end`` (its offsets there),
    ``kind`` (prediction | observation), ``cue`` (why it was proposed, shown to the curator), and
    where known ``author`` (a name as the document gives it), ``relayed`` (someone else's
    prediction reported), ``horizon_phrase`` and ``horizon_inferred``, ``probability`` (0..1, as
    stated), ``confidence_words``, ``statement`` (a draft), ``section``.
    """


@hookspec
def register_cues(register):
    """Register cue sets for the rule-based proposer: call ``register(name, pattern, role)``.

    ``pattern`` is a compiled regular expression tried on each unit's text (its letters NFKC-plain);
    ``role`` is "forward" (a match proposes the unit) or "exclude" (a match vetoes it: a
    retrospective, a hypothetical, a normative sentence...). The cue's name is shown to the
    curator as why a claim was proposed.
    """
