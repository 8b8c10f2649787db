"""A tutorial-style Twilio webhook, the benchmark's baseline: Flask, twilio.rest, boto3 at import.

It is written the way most tutorials write it: every client is created when the module loads,
whether or not a request will need it. It answers one fixed message and counts it in DynamoDB.
Not part of the line; scripts/bench.py measures it beside handlers/webhook.py.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3
from apig_wsgi import make_lambda_handler
from flask import Flask, abort, request
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)
twilio_client = Client("AC" + "0" * 32, os.environ["TWILIO_AUTH_TOKEN"])
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
table = boto3.resource("dynamodb").Table(os.environ["COUNTS_TABLE"])


@app.post("/sms")
def sms() -> tuple[str, int, dict[str, str]]:
    """Check the signature, count the message, answer with TwiML."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(request.url, request.form, signature):
        abort(403)
    day = datetime.now(UTC).date().isoformat()
    table.update_item(
        Key={"pk": "S#0", "sk": f"{day}#sms#ZZ#en#menu"},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":one": 1},
    )
    response = MessagingResponse()
    response.message("Thanks for your message. You are not alone.")
    return str(response), 200, {"Content-Type": "application/xml"}


handler: Any = make_lambda_handler(app)
