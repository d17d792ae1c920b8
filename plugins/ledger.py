"""The ledger database under any name: metadata.yml describes it under `databases: hindsight:`
(table and column descriptions, facets, canned queries); when the ledger is attached under another
name (`datasette ledger.db ...`), that block applies to it. Which database is the ledger is decided
by hindsight_site.ledger_name (the `plugins: hindsight: database:` setting, else the schema)."""
import weakref
from contextvars import ContextVar

from datasette import hookimpl

from hindsight_site import NoLedger, ledger_name
from hindsight_site.ledger import PLUGIN

DESCRIBED_AS = "hindsight"  # the name metadata.yml describes the ledger under
_looking = ContextVar("looking", default=False)  # set while this hook reads metadata itself
_described = weakref.WeakKeyDictionary()  # datasette -> metadata.yml's block for the ledger


@hookimpl
def startup(datasette):
    config = datasette.plugin_config(PLUGIN)
    if config is not None and not (isinstance(config, dict) and isinstance(config.get("database", ""), str)):
        raise ValueError(f"plugins: {PLUGIN}: in the metadata takes `database: NAME`, the ledger database's name")


@hookimpl
def get_metadata(datasette, database):
    if database == DESCRIBED_AS or _looking.get():
        return None  # the lookups below read metadata too: they see it without this hook's part
    token = _looking.set(True)
    try:
        name = ledger_name(datasette)  # cached: metadata is read many times a page
        if name == DESCRIBED_AS or database not in (None, name):
            return None
        if datasette not in _described:  # read once: merging all the metadata costs a table page tens of ms
            _described[datasette] = (datasette.metadata("databases") or {}).get(DESCRIBED_AS)
        described = _described[datasette]
    except NoLedger:
        return None
    finally:
        _looking.reset(token)
    return {"databases": {name: described}} if described else None
