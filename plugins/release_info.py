"""Which release the site serves: a menu link on every page, and /-/release (HTML or .json)
with its version, date, sha256, commit, the database download and how to cite it.

`hindsight publish` writes the plugin config (release-info) into the bundle's metadata; a local
build has none, and then the plugin adds nothing.
"""
from datasette import NotFound, Response, hookimpl

REQUIRED = ("database", "sha256", "bytes", "commit", "version", "date", "file")

PAGE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block content %}
<h1>{{ heading }}</h1>
{% if release.version %}
<p>This site serves release <strong>{{ release.version }}</strong> of the Hindsight database, made on
{{ release.date }}. Cite this version: its sha256 identifies the exact file every page and query here reads.</p>
{% else %}
<p>This site serves a build that is not a release, so it cannot be cited by version; releases are made
with <code>hindsight release</code>.</p>
{% endif %}
<dl>
  <dt>Download</dt>
  <dd><a href="{{ download }}" download="{{ release.file }}">{{ release.file }}</a> ({{ "{:,}".format(release.bytes) }} bytes, SQLite)</dd>
  <dt>SHA-256</dt><dd><code>{{ release.sha256 }}</code> (check with <code>sha256sum {{ release.file }}</code>)</dd>
  <dt>Built from commit</dt><dd><code>{{ release.commit }}</code></dd>
</dl>
{% if release.version %}
<h2>Cite</h2>
<p>Hindsight contributors ({{ release.date[:4] }}). <em>Hindsight: a public ledger of AI predictions and how they
turned out</em>, release {{ release.version }} [Data set]. sha256:{{ release.sha256 }}.</p>
{% endif %}
{% endblock %}"""


def _release(datasette):
    return datasette.plugin_config("release-info")


@hookimpl
def startup(datasette):
    release = _release(datasette)
    if release is None:
        return
    missing = [key for key in REQUIRED if key not in release]
    if missing:
        raise ValueError(f"release-info plugin config lacks {', '.join(missing)}: publish with `hindsight publish`")
    if release["database"] not in datasette.databases:
        raise ValueError(f"release-info names database {release['database']!r}, which this site does not serve")


@hookimpl
def menu_links(datasette):
    release = _release(datasette)
    if release is None:
        return None
    label = f"Release {release['version']}" if release["version"] else "Unreleased build"
    return [{"href": datasette.urls.path("/-/release"), "label": label},
            {"href": datasette.urls.database(release["database"], format="db"), "label": f"Download {release['file']}"}]


async def release_page(datasette, request):
    release = _release(datasette)
    if release is None:
        raise NotFound("This site does not serve a release")
    download = datasette.urls.database(release["database"], format="db")
    if request.url_vars.get("format") == "json":
        return Response.json({**release, "download_url": datasette.absolute_url(request, download)})
    heading = f"Release {release['version']}" if release["version"] else "Unreleased build"
    template = datasette.jinja_env.from_string(PAGE)
    return Response.html(await datasette.render_template(
        template, {"release": release, "download": download, "heading": heading}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/release(\.(?P<format>json))?$", release_page)]
