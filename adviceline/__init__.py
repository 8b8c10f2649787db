"""An SMS and WhatsApp advice line for people being blackmailed with intimate images."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
