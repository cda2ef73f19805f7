"""Introspection off in production unless configured.

The schema is a map of every field that holds personal data; production clients are
built against the published schema file and need no introspection.  Refusal is a
validation rule (graphql-core's NoSchemaIntrospectionCustomRule through strawberry's
AddValidationRules), so nothing of an introspecting document is executed.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, get_named_type, is_introspection_type
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules

from graph.i18n import _
from graph.settings import Settings


class NoIntrospection(NoSchemaIntrospectionCustomRule):
    """graphql-core's rule, with one clear error per refused ``__schema``/``__type``."""

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        named = get_named_type(self.context.get_type())
        if named is not None and is_introspection_type(named):
            self.report_error(GraphQLError(
                _("内省查询已关闭，不能查询 {field}：生产模式默认关闭内省；"
                  "需要时由管理员设置 JINLIN_INTROSPECTION=true", field=node.name.value),
                node, extensions={"code": "INTROSPECTION_DISABLED"}))
            return self.SKIP  # its sub-fields are introspection too: one error is enough
        return None


def introspection_allowed(settings: Settings) -> bool:
    """``settings.introspection``: "true"/"false"; empty = on in development only."""
    value = settings.introspection.strip().lower()
    if value not in ("", "true", "false"):
        raise ValueError(_("JINLIN_INTROSPECTION 只能是 true、false 或留空，而不是 {value}",
                           value=repr(value)))
    return value == "true" or (not value and not settings.production)


def refuse_introspection() -> AddValidationRules:
    """The schema extension (a fresh one per request, as strawberry expects)."""
    return AddValidationRules([NoIntrospection])
