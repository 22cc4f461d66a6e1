"""ebbrt: write down, prove, test and enforce the semantics of Elastic Building Blocks."""

__version__ = "0.1.0"
__all__ = ["__version__"]
