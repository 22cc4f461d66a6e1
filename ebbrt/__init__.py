"""ebbrt: write down, prove, test and enforce the semantics of Elastic Building Blocks."""

from .errors import EbbrtError

__version__ = "0.1.0"
__all__ = ["EbbrtError", "__version__"]
