"""Odd input on any form or URL is a clear refusal or a default, never a 500."""

from __future__ import annotations

from consolehelp import Console, post_form


def test_numbers_in_urls_and_forms_are_parsed_strictly(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    client = console.login("zhao")
    for page in ("²", "9" * 5000, "-1", "0"):  # "²".isdigit() is true, int("²") fails
        answer = client.get("/indicator/compound_branch_coverage", params={"page": page})
        assert answer.status_code == 200, page
    review = post_form(client, "/demands/step", {"step": "review", "code": "DA",
                                                 "satisfaction": "²"})
    assert review.status_code == 400


def test_control_characters_in_names_are_refused_not_a_500(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    client = console.login("zhao")
    token = post_form(client, "/tokens", {"label": "app\x01", "hours": "1", "scope": "K1"})
    assert token.status_code == 400
    account = post_form(client, "/accounts", {"name": "new.one", "display_name": "名\x01字",
                                              "role": "street_staff", "scope": "Street:SA"})
    assert account.status_code == 400
    assert console.accounts.get("new.one") is None
