"""Every request the bot makes, checked against the Bot API as data.

`../shared/botapi/api.json` (beside the repository; measuring only, never shipped) lists
every method and type with its fields, their types, which are required, and descriptions
that state the documented limits ("1-4096 characters after entities parsing", "0-200
characters", "1-64 bytes"). `Spec.check` reads a request as the Bot API receives it (form
fields, objects as JSON) and returns what Telegram would refuse: an unknown method or
parameter, a missing required one, a value of the wrong type, at any depth of the objects,
or a string over its limit (counted in UTF-16 units, as Telegram counts characters, after
HTML parsing where the object says parse_mode HTML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "botapi" / "api.json"
_LIMIT = re.compile(r"(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)
_INTEGER = re.compile(r"-?\d+")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Spec:
    """The Bot API's methods and types, and the checks they imply."""

    def __init__(self, data: Mapping[str, Any], visible: Callable[[str], str]) -> None:
        """`visible` turns HTML into the text Telegram shows (raising on HTML it refuses)."""
        self.methods: dict[str, Any] = dict(data["methods"])
        self.types: dict[str, Any] = dict(data["types"])
        self.version = str(data.get("version", "?"))
        self._visible = visible

    def check(self, method: str, form: Mapping[str, str]) -> list[str]:
        """What is wrong with calling `method` with these form fields (empty: nothing)."""
        spec = self.methods.get(method)
        if spec is None:
            return [f"unknown method {method}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [f"{method}: unknown parameter {name}" for name in form if name not in fields]
        for name, field in fields.items():
            if name not in form:
                if field["required"]:
                    problems.append(f"{method}: missing required parameter {name}")
                continue
            value = _from_form(form[name], field["types"])
            where = f"{method}.{name}"
            problems += self._value(where, value, field["types"])
            problems += self._limit(where, value, field, form)
        return problems

    def _value(self, where: str, value: Any, types: list[str]) -> list[str]:
        """Problems of `value` for the first of `types` it could be (all of one if none)."""
        best: list[str] | None = None
        for kind in types:
            problems = self._one(where, value, kind)
            if not problems:
                return []
            best = problems if best is None else best
        return best or [f"{where}: no type given"]

    def _one(self, where: str, value: Any, kind: str) -> list[str]:
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {kind}, got {type(value).__name__}"]
            inner = kind.removeprefix("Array of ")
            return [
                p for i, item in enumerate(value) for p in self._one(f"{where}[{i}]", item, inner)
            ]
        simple: dict[str, Callable[[Any], bool]] = {
            "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "Boolean": lambda v: isinstance(v, bool),
            "String": lambda v: isinstance(v, str),
            "True": lambda v: v is True,
            "InputFile": lambda v: isinstance(v, str),
        }
        if kind in simple:
            ok = simple[kind](value)
            return [] if ok else [f"{where}: expected {kind}, got {value!r:.60}"]
        return self._object(where, value, kind)

    def _object(self, where: str, value: Any, kind: str) -> list[str]:
        spec = self.types.get(kind)
        if spec is None:
            return [f"{where}: unknown type {kind}"]
        if spec.get("subtypes"):
            return self._value(where, value, list(spec["subtypes"]))
        if not isinstance(value, dict):
            return [f"{where}: expected a {kind} object, got {value!r:.60}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [f"{where}: {kind} has no field {name}" for name in value if name not in fields]
        for name, field in fields.items():
            inner = f"{where}.{name}"
            if name not in value:
                if field["required"]:
                    problems.append(f"{inner}: required field of {kind} missing")
                continue
            problems += self._one_of(inner, value[name], field, value)
        return problems

    def _one_of(
        self, where: str, value: Any, field: Mapping[str, Any], siblings: Mapping[str, Any]
    ) -> list[str]:
        return self._value(where, value, field["types"]) + self._limit(
            where, value, field, siblings
        )

    def _limit(
        self, where: str, value: Any, field: Mapping[str, Any], siblings: Mapping[str, Any]
    ) -> list[str]:
        """The documented length limit of a string field, if its description states one."""
        if not isinstance(value, str) or field["types"] != ["String"]:
            return []
        found = _LIMIT.search(field["description"])
        if found is None:
            return []
        low, high, unit = int(found[1]), int(found[2]), found[3].lower()
        text = value
        if "after entities parsing" in field["description"] and siblings.get("parse_mode") == (
            "HTML"
        ):
            try:
                text = self._visible(value)
            except Exception as exc:  # the fake's ApiError: HTML Telegram cannot parse
                return [f"{where}: {exc}"]
        size = len(text.encode()) if unit == "bytes" else _utf16(text)
        if not low <= size <= high:
            return [f"{where}: {size} {unit}, allowed {low}-{high}"]
        return []


def _from_form(raw: str, types: list[str]) -> Any:
    """A form field as the Bot API reads it for the parameter's types."""
    if any(t.startswith("Array") or (t[:1].isupper() and t not in _SCALARS) for t in types):
        try:
            return json.loads(raw)
        except ValueError:
            pass
    if "Integer" in types and _INTEGER.fullmatch(raw):
        return int(raw)
    if "Float" in types:
        try:
            return float(raw)
        except ValueError:
            pass
    if "Boolean" in types and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


_SCALARS = frozenset({"Integer", "Float", "Boolean", "String", "True", "InputFile"})


@cache
def load_spec(visible: Callable[[str], str]) -> Spec | None:
    """The spec beside the repository, or None where it is not (then nothing is checked)."""
    if not SPEC_PATH.is_file():
        return None
    return Spec(json.loads(SPEC_PATH.read_text(encoding="utf-8")), visible)
