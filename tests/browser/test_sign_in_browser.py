"""Signing in and out in a real browser."""

from __future__ import annotations

from browserhelp import Tab


def test_sign_in_see_the_dashboard_sign_out(tab: Tab) -> None:
    tab.console.add("wang.wu", "street_staff", "SA")
    tab.sign_in("wang.wu", "wrong-password")
    page = tab.page
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
    tab.shot("login-refused")
    tab.sign_in("wang.wu")
    assert page.url == tab.console.base + "/"
    assert "wang.wu" in page.inner_text("header")
    tab.shot("dashboard")
    page.click("#logout")
    page.wait_for_url("**/login")
    tab.go("/")
    assert "/login?next=" in page.url
