"""The Ebb interface language front end: parse, resolve, type-check, format."""

from . import ast
from ._parser import parse_text
from ._span import Span
from .diagnostics import Diagnostic, render_all

__all__ = ["Diagnostic", "Span", "ast", "parse_text", "render_all"]
