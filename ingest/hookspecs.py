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
    """Return candidate claims (dicts with ``quote`` and ``kind``) found in a ReadDocument."""
