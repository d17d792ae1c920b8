"""Which attached database is the ledger: the one metadata names (plugins: hindsight: database: NAME),
else the one database whose schema has the ledger's tables. Every plugin asks here, so a ledger
served under any file name (`datasette ledger.db ...`) gets every page."""
import sqlite3
import weakref

from datasette.utils.asgi import Base400

PLUGIN = "hindsight"  # the plugin config's name in metadata
LEDGER_TABLES = frozenset({"claims", "documents", "scorecards"})  # tables only a ledger has, together
HOW = ("Serve a ledger built by `hindsight build` with `hindsight serve --db PATH`, or "
       "`datasette PATH --plugins-dir plugins --template-dir templates -m metadata.yml`.")

# datasette -> (the attached databases, the ledger's name or the reason there is none). Found once
# per set of databases: render_cell asks for every cell.
_found = weakref.WeakKeyDictionary()


class NoLedger(Base400):
    """No ledger database is attached (Base400 is Datasette's exception with a status; the page shows
    the message)."""
    status = 503


def ledger_name(datasette):
    """The ledger database's name; raises NoLedger, saying how to attach one, when there is none."""
    attached = tuple((name, db.path) for name, db in datasette.databases.items())
    known = _found.get(datasette)
    if known is None or known[0] != attached:
        known = (attached, _find(datasette))
        _found[datasette] = known
    if isinstance(known[1], NoLedger):
        raise known[1]
    return known[1]


def ledger(datasette):
    """The ledger's Database (for db.execute(...)); raises NoLedger when none is attached."""
    return datasette.get_database(ledger_name(datasette))


def _find(datasette):
    """The ledger's name, or the NoLedger saying why there is none."""
    config = datasette.plugin_config(PLUGIN) or {}
    named = config.get("database") if isinstance(config, dict) else None
    names = [name for name in datasette.databases if name != "_internal"]
    if named is not None:
        if not isinstance(named, str):
            return NoLedger(f"plugins: {PLUGIN}: database in the metadata is the ledger database's name, a string.")
        if named in datasette.databases:
            return named
        return NoLedger(f"The metadata names {named!r} as the ledger database (plugins: {PLUGIN}: database), "
                        f"but no database of that name is attached (attached: {', '.join(names) or 'none'}). {HOW}")
    found = [name for name in names if _is_ledger(datasette.databases[name])]
    if len(found) == 1:
        return found[0]
    if not found:
        return NoLedger(f"No ledger database is attached: none of the attached databases "
                        f"({', '.join(names) or 'none'}) has the tables {', '.join(sorted(LEDGER_TABLES))}. {HOW}")
    return NoLedger(f"Several attached databases are ledgers ({', '.join(found)}): name the one to show in "
                    f"the metadata, as plugins: {PLUGIN}: database: NAME.")


def _is_ledger(db):
    try:
        conn = db.connect()
    except (sqlite3.Error, OSError):
        return False
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return LEDGER_TABLES <= tables
