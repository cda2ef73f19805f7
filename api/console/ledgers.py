"""台账: download the blank ledgers, upload filled ones, see their problems or what they
would change, and import them on 确认导入.

The work is :mod:`api.console.ledger_import` (kept files, dry run, scope check, audit);
this module is the page: its forms, its answers and the template downloads.  Uploading
and importing need CHANGE_GRAPH; the page itself and the templates are for everyone.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import Route

from api.console import ledger_import
from api.console.ledger_import import UPLOADS, Tried, UploadRefused
from api.console.web import PageError, View, page
from api.policy import Cap
from graph.i18n import _, translate
from loaders.formats import SHEETS
from loaders.ledger_writer import write_templates
from loaders.template import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, media: str, name: str, view: View) -> Response:
    headers = {**view.backend.headers(),
               "Content-Disposition": f"attachment; filename=\"{name}\""}
    return Response(body, media_type=media, headers=headers)


async def ledgers(view: View) -> Response:
    return view.render("ledgers.html", nav="ledgers", tried=None, rows=[], token="",
                       imported=False)


async def template_xlsx(view: View) -> Response:
    def build() -> bytes:
        out = io.BytesIO()
        template_workbook(chinese=True).save(out)
        return out.getvalue()

    body = await view.backend.pools.read(build)
    return _download(body, XLSX, "templates.xlsx", view)


async def template_zip(view: View) -> Response:
    """The CSV templates (one header row per sheet) with the workbook, zipped."""
    def build() -> bytes:
        out = io.BytesIO()
        with tempfile.TemporaryDirectory() as tmp, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in write_templates(tmp):
                archive.write(path, Path(path).name)
        return out.getvalue()

    body = await view.backend.pools.read(build)
    return _download(body, "application/zip", "templates.zip", view)


async def check(view: View) -> Response:
    """Save and try an upload: its problems, or the dry run and the confirm form."""
    files = [f for f in view.form().getlist("files") if isinstance(f, UploadFile)]
    files = [f for f in files if f.filename]
    try:
        upload = await ledger_import.save(files, view.session.key,
                                          view.backend.settings.upload_max_bytes)
    except UploadRefused as exc:
        raise PageError(str(exc), exc.status) from None
    backend = view.backend
    try:
        tried = await backend.pools.read(ledger_import.try_upload, backend.store,
                                         view.context(), upload, backend.settings.batch_size)
    except BaseException:
        upload.remove()
        raise
    token = ""
    if tried.problems:
        upload.remove()
    else:
        token = UPLOADS.keep(upload)
    return _answer(view, tried, token, imported=False)


async def confirm(view: View) -> Response:
    token = str(view.form().get("token") or "")
    upload = UPLOADS.take(token, view.session.key)
    if upload is None:
        raise PageError(_("待导入的文件已过期或已导入，请重新上传"), 410)
    backend = view.backend
    try:
        tried = await backend.pools.read(ledger_import.import_upload, backend.store,
                                         view.context(), backend.audit, upload,
                                         backend.settings.batch_size)
    finally:
        upload.remove()
    if not tried.problems:  # the alerts follow what was imported, after this answer
        backend.alerting.ask("import")  # (api.graphql.alerts.Background)
    return _answer(view, tried, "", imported=not tried.problems)


def _kind_names() -> dict[str, str]:
    """Node labels and relationship types by the Chinese name of their sheet."""
    names = {}
    for sheet in SHEETS:
        kind = sheet.node.label if sheet.node is not None else sheet.rel.type if sheet.rel else ""
        names[kind] = translate(sheet.zh)
    return names


def _answer(view: View, tried: Tried, token: str, imported: bool) -> Response:
    status = 422 if tried.problems else 200
    names = _kind_names()
    rows = [(names.get(kind, kind), kind, *numbers)
            for kind, *numbers in (tried.summary.rows() if tried.summary else [])]
    return view.render("ledgers.html", status=status, nav="ledgers", tried=tried,
                       rows=rows, token=token, imported=imported)


routes = [
    Route("/ledgers", page(ledgers), methods=["GET"]),
    Route("/ledgers/templates.xlsx", page(template_xlsx), methods=["GET"]),
    Route("/ledgers/templates.zip", page(template_zip), methods=["GET"]),
    Route("/ledgers/check", page(check, cap=Cap.CHANGE_GRAPH), methods=["POST"]),
    Route("/ledgers/import", page(confirm, cap=Cap.CHANGE_GRAPH), methods=["POST"]),
]
