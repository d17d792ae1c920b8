"""A linked claim in a real browser: its page shows the same prediction in the other source, linked,
with no console errors. The screenshot goes to test-artifacts/linked-claim.png."""
from browser import serve

SECTION = ("(() => { const h = document.getElementById('same-prediction'); const list = h && h.nextElementSibling"
           " && h.nextElementSibling.nextElementSibling; return list ? [...list.querySelectorAll('a.statement')]"
           ".map(a => a.getAttribute('href')) : null })()")


def test_linked_claim_page(db_path, browser):
    # soai24-04 (State of AI Report, October 2024) is linked to hupo24-17 (hu-po, July 2024): one claim, two sources
    with serve(db_path) as site:
        page = browser.load(site + "/claims/soai24-04", screenshot="linked-claim.png", expressions={"same": SECTION})
    assert page.status == 200 and not page.errors, page.errors
    assert page.screenshot.stat().st_size > 10_000  # a rendered page, not a blank image
    assert "The same observation in other sources" in page.text
    assert "Open-weight Llama 3 (3.1) performs on par with closed models like GPT-4." in page.text
    assert page.values["same"] == ["/claims/hupo24-17"]
