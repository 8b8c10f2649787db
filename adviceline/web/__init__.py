"""The web side: the Twilio webhook core, the local Flask app and its services."""

from __future__ import annotations
