"""Request ids, JSON access logs and the Prometheus exposition."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest

from api.http.observability import JsonFormatter, Metrics, Receive, Scope, Send, observe


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hi"})


@pytest.mark.parametrize("given", [None, "req-42"])
def test_request_id_is_echoed_and_logged(
    given: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    app = observe(hello, Metrics())
    headers = {"x-request-id": given} if given else {}
    transport = httpx.ASGITransport(app=app)

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/health", headers=headers)



    with caplog.at_level(logging.INFO, logger="jinlin.http"):
        response = asyncio.run(call())
    request_id = response.headers["x-request-id"]
    assert request_id == given if given else len(request_id) == 32
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert (line["msg"], line["path"], line["status"]) == ("request", "/health", 200)


def test_metrics_count_requests_per_path_and_status() -> None:
    token = "metrics-" + "m" * 24
    app = observe(hello, Metrics(), token)
    transport = httpx.ASGITransport(app=app)

    async def calls() -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.get("/health")
            await client.get("/health")
            await client.get("/no/such/path")
            await client.request("BREW", "/health")
            scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
            return scraped.text

    text = asyncio.run(calls())
    assert 'jinlin_http_requests_total{method="GET",path="/health",status="200"} 2.0' in text
    assert 'jinlin_http_requests_total{method="GET",path="other",status="200"} 1.0' in text
    assert 'jinlin_http_requests_total{method="other",path="/health",status="200"} 1.0' in text
