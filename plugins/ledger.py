"""The ledger database under any name: metadata.yml describes it under `databases: hindsight:`
(table and column descriptions, facets, canned queries); when the ledger is attached under another
name (`datasette ledger.db ...`), that block applies to it. Which database is the ledger is decided
by hindsight_site.ledger_name (the `plugins: hindsight: database:` setting, else the schema)."""
from datasette import hookimpl

from hindsight_site import NoLedger, ledger_name
from hindsight_site.ledger import PLUGIN

DESCRIBED_AS = "hindsight"  # the name metadata.yml describes the ledger under


@hookimpl
def startup(datasette):
    config = datasette.plugin_config(PLUGIN)
    if config is not None and not (isinstance(config, dict) and isinstance(config.get("database", ""), str)):
        raise ValueError(f"plugins: {PLUGIN}: in the metadata takes `database: NAME`, the ledger database's name")


@hookimpl
def get_metadata(datasette, database):
    if database is None or database == DESCRIBED_AS:
        return None  # the lookups below ask for metadata with database=None: no recursion
    try:
        if database != ledger_name(datasette):
            return None
    except NoLedger:
        return None
    described = (datasette.metadata("databases") or {}).get(DESCRIBED_AS)
    return {"databases": {database: described}} if described else None
