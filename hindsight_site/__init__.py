"""Code the site's plugins share: finding the ledger database, building URLs under any mount point,
rendering markdown safely, and reading a page's parameters and answering it (pages.py).

The files in plugins/ are loaded by Datasette one by one (--plugins-dir) and cannot import each
other; they import this package instead, installed with the hindsight distribution (and shipped in
the publish bundle, see ingest/publish.py).
"""
from .ledger import LEDGER_TABLES, NoLedger, ledger, ledger_name
from .rendering import clean, markdown
from .urls import route_path

__all__ = ["LEDGER_TABLES", "NoLedger", "ledger", "ledger_name", "clean", "markdown", "route_path"]
