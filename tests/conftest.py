import os
import shutil
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from datasette.app import Datasette
from hypothesis import settings as hypothesis_settings

from ingest.build import build

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# In CI the property tests replay the same examples, so a red run can be reproduced;
# locally every run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    """The real database, built from seeds/ through the real pipeline, into a temporary path."""
    path = tmp_path_factory.mktemp("build") / "hindsight.db"
    build(SEEDS, path)
    return path


@pytest.fixture
def seeds_copy(tmp_path):
    """A private copy of seeds/ that a test may break."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (tests/browser.py), one per test module. Skips the test when Chromium or
    Playwright is missing, unless CI asks for them (HINDSIGHT_REQUIRE_BROWSER=1): then it fails."""
    from browser import Browser, require_browser  # here: only browser tests need Playwright

    require_browser()
    with Browser() as chromium:
        yield chromium


@pytest_asyncio.fixture(scope="session")
async def ds(db_path):
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    datasette = Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings=metadata.get("settings"),
    )
    await datasette.invoke_startup()
    return datasette
