"""The Ebb runtime: ids, EbbRef, translation tables, event manager (issue 5)."""

__all__: list[str] = []
