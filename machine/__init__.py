"""The deterministic simulated machine (issue 5)."""

__all__: list[str] = []
