"""The plugin manager: built-in readers are registered exactly like third-party ones."""
import importlib

import pluggy

from . import hookspecs

BUILTIN_PLUGINS = (
    "ingest.readers.markdown",
    "ingest.readers.numbered_text",
    "ingest.readers.emoji_outline",
    "ingest.readers.markdown_html",
    "ingest.readers.html_page",
    "ingest.readers.transcript",
    "ingest.proposer.rules",
)

pm = pluggy.PluginManager("hindsight")
pm.add_hookspecs(hookspecs)
# Third-party plugins: a package declaring an entry point in the "hindsight" group.
pm.load_setuptools_entrypoints("hindsight")
for _name in BUILTIN_PLUGINS:
    _module = importlib.import_module(_name)
    pm.register(_module, name=_name)


def get_readers():
    readers = []
    pm.hook.register_readers(register=readers.append)
    return readers
