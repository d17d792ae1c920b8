"""Datasette serves the built database with our metadata and plugins."""
import pytest

TABLES = ["verdicts", "publishers", "authors", "documents", "document_authors", "sections", "topics",
          "topic_closure", "claims", "claim_topics", "resolutions", "evidence", "scorecards"]


@pytest.mark.asyncio(loop_scope="session")
async def test_index_page(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert "Hindsight" in response.text


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("table", TABLES)
async def test_every_table_serves_json(ds, table):
    response = await ds.client.get(f"/hindsight/{table}.json?_shape=array")
    assert response.status_code == 200
    assert isinstance(response.json(), list)


@pytest.mark.asyncio(loop_scope="session")
async def test_table_descriptions_come_from_metadata(ds):
    response = await ds.client.get("/hindsight/claims")
    assert response.status_code == 200
    assert "Every claim quoted from a document" in response.text


@pytest.mark.asyncio(loop_scope="session")
async def test_search_documents(ds):
    response = await ds.client.get("/hindsight/documents.json?_search=AlphaFold&_shape=array&_col=id")
    assert [r["id"] for r in response.json()] == ["state-of-ai-report-2024-summary"]


@pytest.mark.asyncio(loop_scope="session")
async def test_database_is_immutable(ds):
    response = await ds.client.get("/hindsight.json?sql=delete+from+documents")
    assert response.status_code == 400
    count = await ds.client.get("/hindsight.json?sql=select+count(*)+as+n+from+documents&_shape=array")
    assert count.json() == [{"n": 4}]
