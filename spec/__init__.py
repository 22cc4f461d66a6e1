"""The Ebb interface language front end: parse, resolve, type-check, format."""

from . import ast
from ._loader import CheckResult, check_paths, check_text
from ._comments import Comment
from ._format import format_module, format_text
from ._parser import parse_text, parse_text_with_comments
from ._typecheck import Checked
from ._types import (AnyType, BitVecType, BoolType, BytesType, CoreType, DurationType,
                     EmptyCollectionType, EnumType, ErrorType, HandleType, IntType, MapType,
                     OptionType, RecordType, SeqType, SetType, TimeType, Type, TypeParam)
from ._span import Span
from ._builtins import BUILTIN_FUNCTIONS, BuiltinFunction
from ._symbols import (EbbSymbol, EnumSymbol, EventSymbol, ExceptionSymbol, FuncSymbol,
                       HandleSymbol, ModuleSymbols, OpSymbol, ProtocolSymbol, RecordSymbol,
                       RefinesSymbol, VarSymbol)
from .diagnostics import Diagnostic, render_all

__all__ = ["Diagnostic", "Span", "ast", "parse_text", "render_all",
           "Comment", "format_module", "format_text", "parse_text_with_comments",
           "CheckResult", "Checked", "check_paths", "check_text",
           "Type", "AnyType", "BitVecType", "BoolType", "BytesType", "CoreType", "DurationType",
           "EmptyCollectionType", "EnumType", "ErrorType", "HandleType", "IntType", "MapType",
           "OptionType", "RecordType", "SeqType", "SetType", "TimeType", "TypeParam",
           "BUILTIN_FUNCTIONS", "BuiltinFunction", "EbbSymbol", "EnumSymbol", "EventSymbol",
           "ExceptionSymbol", "FuncSymbol", "HandleSymbol", "ModuleSymbols", "OpSymbol",
           "ProtocolSymbol", "RecordSymbol", "RefinesSymbol", "VarSymbol"]
