"""URLs under any mount point. Pages build links with Datasette's own `datasette.urls` (`urls` in
templates), which adds the base_url setting; ASGI middleware sees the path as requested and matches
it against route_path(), the path Datasette's router sees."""


def route_path(datasette, path):
    """The request path without the base_url prefix (as Datasette's router strips it): /ledger/x -> /x."""
    base_url = datasette.setting("base_url")
    if base_url != "/" and path.startswith(base_url):
        return "/" + path[len(base_url):]
    return path
