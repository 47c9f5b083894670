"""Query and path parameters without control characters (the text rule, domain/text.py)."""

from __future__ import annotations

from fastapi import Request

from application.errors import InvalidRequestError
from domain.text import first_control


def refuse_control_parameters(request: Request) -> None:
    """Every route's query and path parameters (names and values) without control characters."""
    pairs = [*request.query_params.multi_items(), *request.path_params.items()]
    for name, value in pairs:
        for text in (name, str(value)):
            found = first_control(text)
            if found is not None:
                raise InvalidRequestError(
                    f"control character {found} is not allowed in a parameter",
                    parameter=name if first_control(name) is None else repr(name),
                )
