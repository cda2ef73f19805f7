"""The API answers in the request's language (``Accept-Language``, else Chinese), with
the same ``extensions.code`` in every language, and says which in ``Content-Language``.

The English texts are today's (the catalogue api/locale/en.po keeps them), so these
assertions are also golden checks of the catalogue.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from apihelp import Api, api_settings, running

from analysis import projection
from api.graphql.pools import Pools
from api.http.app import create_app
from api.http.language import requested
from graph import i18n
from graph.i18n import language
from graph.store import BoltStore

ANALYST_WRITE = 'mutation { deleteCompound(code: "C1") { ok } }'


def _error(response: httpx.Response) -> tuple[str, str | None]:
    error = response.json()["errors"][0]
    return error["message"], error.get("extensions", {}).get("code")


@pytest.mark.parametrize(("query", "who", "zh", "en", "code"), [
    (ANALYST_WRITE, {"role": "analyst"}, "角色 analyst 无权修改图谱",
     "role analyst may not change the graph", "FORBIDDEN"),
    ("{ indicators(scope: \"Street:S9\") { scope } }", {}, "Street:S9 不在你的管辖范围内",
     "Street:S9 is not in your scope", "FORBIDDEN"),
    ("{ node(id: \"C1\") { id } }", {}, "id 'C1' 格式不对：应写成 类型:编码，如 'Compound:C1'",
     "malformed id 'C1': expected 'Label:code', e.g. 'Compound:C1'", "BAD_REQUEST"),
    ("{ compounds(first: 0) { totalCount } }", {}, "first 必须在 1 到 50 之间，收到 0",
     "first must be between 1 and 50, got 0", "BAD_REQUEST"),
])
def test_a_refusal_has_one_code_and_a_message_per_language(
        town_api: Api, query: str, who: dict[str, str], zh: str, en: str, code: str) -> None:
    default = town_api.post(query, **who)
    chinese = town_api.post(query, lang="zh-CN,zh;q=0.9", **who)
    english = town_api.post(query, lang="en-GB,en;q=0.8", **who)
    assert _error(default) == _error(chinese) == (zh, code)
    assert _error(english) == (en, code)
    assert default.headers["content-language"] == chinese.headers["content-language"] == "zh"
    assert english.headers["content-language"] == "en"


def test_an_unsupported_language_gets_the_default(town_api: Api) -> None:
    got = town_api.post(ANALYST_WRITE, lang="fr-FR, de;q=0.5", role="analyst")
    assert _error(got) == ("角色 analyst 无权修改图谱", "FORBIDDEN")
    assert got.headers["content-language"] == "zh"


def test_an_answer_computed_on_an_analysis_thread_is_in_the_request_language(
        town_api: Api) -> None:
    """The as-of date is parsed inside the analysis (api.graphql.pools thread): its
    message is made there, in the language the request carried into the thread."""
    query = '{ indicators(asOf: "yesterday") { scope } }'
    assert _error(town_api.post(query, lang="en")) == (
        "asOf must be a date written YYYY-MM-DD, got 'yesterday'", "INVALID_INPUT")
    assert _error(town_api.post(query)) == (
        "asOf 必须是 YYYY-MM-DD 格式的日期，收到 'yesterday'", "INVALID_INPUT")


def test_a_kept_indicator_table_is_in_each_request_language(town_api: Api) -> None:
    """The analytic projection keeps a report per language: the titles, definitions and
    reasons of an English request after a Chinese one are English (they were Chinese)."""
    projection.shared().clear()
    query = '{ indicators(keys: ["demand_closure"]) { indicators { title definition reason } } }'

    def figure(lang: str | None) -> dict[str, str]:
        answer = town_api.post(query, lang=lang, scope="K1").json()
        return answer["data"]["indicators"]["indicators"][0]

    assert figure(None) == {"title": "需求办结率", "definition": "已办结的需求数 ÷ 需求数",
                            "reason": "范围内没有需求"}
    assert figure("en") == {"title": "Demand closure", "definition": "demands done ÷ demands",
                            "reason": "no demands in scope"}
    assert figure(None)["title"] == "需求办结率"
    assert projection.shared().builds == 1  # one read of the scope for both languages


def test_pool_threads_run_in_the_callers_language() -> None:
    pools = Pools(analysis_workers=1, analysis_queue=0, read_workers=1)

    async def ask() -> tuple[str, str]:
        with language("en"):
            return await pools.analysis(i18n.current), await pools.read(i18n.current)

    try:
        assert asyncio.run(ask()) == ("en", "en")
    finally:
        pools.close()


def test_http_refusals_before_graphql_follow_the_language(
        store: BoltStore, tmp_path: Path) -> None:
    """401 (no token) and 413 (body too large) come from the gate, before GraphQL."""
    settings = api_settings(tmp_path)
    with running(create_app(settings, store), store, tmp_path) as api:
        for lang, message in (
                (None, "需要身份认证：请发送请求头 'Authorization: Bearer <令牌>'"),
                ("en", "authentication required: send 'Authorization: Bearer <token>'")):
            headers = {"Accept-Language": lang} if lang else {}
            anon = api.http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
            assert anon.status_code == 401
            assert anon.json() == {"errors": [{"message": message}]}
            assert anon.headers["content-language"] == (lang or "zh")
        big = {"Authorization": f"Bearer {api.token()}", "Accept-Language": "en",
               "Content-Length": str(settings.max_body_bytes + 1)}
        refused = api.http.post("/graphql", content=b"x" * (settings.max_body_bytes + 1),
                                headers=big)
        assert refused.status_code == 413
        assert _error(refused) == (f"request body too large: over the limit of "
                                   f"{settings.max_body_bytes} bytes (chunked requests "
                                   "included)", "BODY_TOO_LARGE")


def test_without_accept_language_the_servers_language_holds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``jinlin --lang en serve`` runs the server in that context; JINLIN_LANG otherwise."""
    monkeypatch.delenv("JINLIN_LANG", raising=False)
    bare = {"type": "http", "headers": []}
    asked = {"type": "http", "headers": [(b"accept-language", b"zh-CN")]}
    assert requested(bare) == "zh"
    with language("en"):
        assert requested(bare) == "en"
        assert requested(asked) == "zh"
    monkeypatch.setenv("JINLIN_LANG", "en")
    assert requested(bare) == "en"
