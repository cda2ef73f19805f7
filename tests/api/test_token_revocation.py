"""Tokens issued to accounts, over HTTP: a revoked token and every token of a disabled
account get 401 with the reason; the others keep working.

The server's account store is its data directory's (api_settings: ``tmp_path``); the
account li.si is a county admin of K1, where the town has exactly one county.
"""

from __future__ import annotations

from pathlib import Path

from apihelp import SECRET, Api

from api.accounts import AccountStore
from api.http.tokens import issue_account_token, issue_token

QUERY = "{ counties { totalCount } }"


def _accounts(tmp_path: Path) -> AccountStore:
    accounts = AccountStore.in_data_dir(tmp_path)
    accounts.add("li.si", "李四", "county_admin", "K1", lambda scope: scope == "K1")
    return accounts


def _counties(api: Api, token: str) -> int:
    response = api.post(QUERY, token=token)
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["counties"]["totalCount"])


def _refused(api: Api, token: str) -> str:
    response = api.post(QUERY, token=token)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    return str(response.json()["errors"][0]["message"])


def test_a_revoked_token_is_refused_and_the_others_work(town_api: Api, tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    laptop, laptop_jti = issue_account_token(SECRET, accounts, "li.si", "laptop")
    phone, _ = issue_account_token(SECRET, accounts, "li.si", "phone")
    assert _counties(town_api, laptop) == 1 and _counties(town_api, phone) == 1
    assert accounts.revoke("li.si", laptop_jti).label == "laptop"
    assert _refused(town_api, laptop) == "令牌被拒绝：令牌“laptop”已被吊销"
    assert _counties(town_api, phone) == 1
    accounts.revoke("li.si", "phone")  # by its label
    assert _refused(town_api, phone) == "令牌被拒绝：令牌“phone”已被吊销"


def test_every_token_of_a_disabled_account_is_refused(town_api: Api, tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    issued, _ = issue_account_token(SECRET, accounts, "li.si", "laptop")
    shell = issue_token(SECRET, "county_admin", "K1", subject="li.si")  # no jti
    other = issue_token(SECRET, "county_admin", "K1", subject="wang.wu")
    assert _counties(town_api, issued) == 1 and _counties(town_api, shell) == 1
    accounts.disable("li.si")
    assert _refused(town_api, issued) == "令牌被拒绝：账号 li.si 已停用"
    assert _refused(town_api, shell) == "令牌被拒绝：账号 li.si 已停用"
    assert _counties(town_api, other) == 1  # shell-issued, naming no account: as before


def test_a_token_with_a_jti_the_store_never_issued_is_refused(
    town_api: Api, tmp_path: Path
) -> None:
    _accounts(tmp_path)
    forged = issue_token(SECRET, "county_admin", "K1", subject="li.si", jti="f" * 32)
    assert _refused(town_api, forged) == "令牌被拒绝：令牌未登记：账号 li.si 没有签发过这个令牌"
    nobody = issue_token(SECRET, "county_admin", "K1", subject="nobody", jti="f" * 32)
    assert _refused(town_api, nobody) == "令牌被拒绝：令牌未登记：账号 nobody 没有签发过这个令牌"


def test_the_refusal_is_translated(town_api: Api, tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    issued, jti = issue_account_token(SECRET, accounts, "li.si", "laptop")
    accounts.revoke("li.si", jti)
    response = town_api.post(QUERY, token=issued, lang="en")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "token refused: token \u201claptop\u201d has been revoked")
