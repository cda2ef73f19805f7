"""The account, token and GraphiQL pages in a real browser, offline: GraphiQL loads from
the vendored files (no request leaves 127.0.0.1, no script error) and runs a query with
the session, then with a token issued on the token page."""

from __future__ import annotations

from browserhelp import Tab

QUERY = "{ compounds(first: 2) { totalCount } }"
EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"


def _run(tab: Tab, query: str) -> str:
    """Put ``query`` in GraphiQL's editor, run it, and return the response shown."""
    page = tab.page
    page.wait_for_selector(EDITOR)
    page.evaluate("([sel, q]) => document.querySelector(sel).CodeMirror.setValue(q)",
                  [EDITOR, query])
    page.evaluate("sel => document.querySelector(sel).CodeMirror.setValue('')", RESPONSE)
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "sel => document.querySelector(sel).CodeMirror.getValue().includes('totalCount')"
        " || document.querySelector(sel).CodeMirror.getValue().includes('errors')",
        arg=RESPONSE)
    return str(page.evaluate("sel => document.querySelector(sel).CodeMirror.getValue()",
                             RESPONSE))


def test_graphiql_offline_with_the_session_and_with_a_token(tab: Tab) -> None:
    tab.console.add("zhao", "county_admin", "K1")
    tab.sign_in("zhao")
    page = tab.page
    tab.go("/accounts")
    page.fill("#new-name", "wang.wu")
    page.fill("#new-display", "王五")
    page.select_option("#new-role", "street_staff")
    page.select_option("#new-scope", "Street:SA")
    page.click("#create")
    page.wait_for_load_state()
    assert len(page.inner_text("#password")) == 16
    assert "王五" in page.inner_text("#accounts")
    tab.shot("accounts-added")

    tab.go("/tokens")
    page.fill("#token-label", "报表程序")
    page.fill("#token-hours", "8")
    page.select_option("#token-scope", "Street:SA")
    page.click("#issue-token")
    page.wait_for_load_state()
    token = page.inner_text("#token")
    assert "报表程序" in page.inner_text("#tokens")
    tab.shot("token-issued")

    tab.go("/graphiql")
    page.wait_for_selector(".graphiql-container")
    answer = _run(tab, QUERY)
    assert '"totalCount": 5' in answer  # the county, as the signed-in admin
    tab.shot("graphiql-session")
    page.fill("#graphiql-token", token)
    assert page.inner_text("#graphiql-as") == "当前：以粘贴的令牌调用"
    assert '"totalCount": 3' in _run(tab, QUERY)  # the token's street SA only
    tab.shot("graphiql-token")
