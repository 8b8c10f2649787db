"""Lambda entry points, thin: each decodes an event, calls the core and encodes the response."""
