"""Golden file of the texts api/ shows people, in Chinese and in English.

Representative messages are produced by the real code (role refusals, scope refusals,
malformed arguments, limits, token and HTTP refusals, the command line's lines and
help) and rendered in both languages by :func:`test_golden_core.render`; the result
must equal ``tests/golden/api_messages.txt`` line for line.  Regenerate deliberately:
``JINLIN_REGENERATE_GOLDEN=1 pytest tests/test_golden_api.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from starlette.responses import Response
from test_golden_core import GOLDEN, Case, render

from api.cli.main import _parser
from api.cli.texts import WROTE
from api.graphql.context import ApiError, not_in_scope
from api.graphql.limits import timed_out
from api.graphql.reads import parse_id
from api.graphql.writes import already_exists, not_found
from api.http import gate
from api.http.tokens import AuthError, bearer, decode_token, issue_token
from api.policy import Cap, refusal
from graph.i18n import translate
from graph.settings import Settings

SECRET = "golden-" + "k" * 40


def raised(call: Callable[[], object], error: type[Exception] = ValueError) -> list[str]:
    with pytest.raises(error) as caught:
        call()
    return [str(caught.value)]


def body(response: Response) -> list[str]:
    return [json.loads(bytes(response.body))["errors"][0]["message"]]


def _token(**claims: object) -> str:
    now = dt.datetime.now(dt.UTC)
    base = {"role": "analyst", "scope": "K1", "sub": "a", "iat": now,
            "exp": now + dt.timedelta(hours=1)}
    return jwt.encode({k: v for k, v in {**base, **claims}.items() if v is not None}, SECRET)


def _help(_tmp: Path) -> list[str]:
    """The command line's description and the help of its ``--lang``."""
    parser = _parser()
    return [str(parser.description),
            next(str(a.help) for a in parser._actions if "--lang" in a.option_strings)]


API: dict[str, Case] = {
    "role refusal": lambda _: [refusal("analyst", Cap.CHANGE_GRAPH),
                               refusal("resident", Cap.READ_ALL),
                               refusal("resident", Cap.DISPATCH)],
    "scope refusal": lambda _: [not_in_scope("Grid:G1"), not_found("Compound", "C1")],
    "exists": lambda _: [already_exists("Compound", "C1")],
    "malformed id": lambda _: raised(lambda: parse_id("C1"), ApiError),
    "id of a kind": lambda _: raised(lambda: parse_id("Grid:G1", ("Compound",)), ApiError),
    "timeout": lambda _: [str(timed_out(Settings()))],
    "no token": lambda _: raised(lambda: bearer(None), AuthError),
    "expired token": lambda _: raised(lambda: decode_token(
        SECRET, _token(exp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                       iat=dt.datetime(2019, 12, 31, tzinfo=dt.UTC))), AuthError),
    "token without subject": lambda _: raised(lambda: decode_token(SECRET, _token(sub=None)),
                                              AuthError),
    "unknown role": lambda _: raised(lambda: issue_token(SECRET, "mayor", "K1", "a")),
    "body too large": lambda _: body(gate.too_large(65536)),
    "rate": lambda _: body(gate.RateLimiter(0.5, 2).refusal(1.2)),
    "cli wrote": lambda _: [translate(WROTE).format(path="report.xlsx")],
    "cli help": _help,
}


def test_messages_match_the_golden_file(tmp_path: Path) -> None:
    got = render(API, tmp_path)
    path = GOLDEN / "api_messages.txt"
    if os.environ.get("JINLIN_REGENERATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got.splitlines() == path.read_text(encoding="utf-8").splitlines()
