"""`batchkit demo-data`: a realistic, deterministic medical-device plant in the data contract."""

from .write import generate, write_demo

__all__ = ["generate", "write_demo"]
