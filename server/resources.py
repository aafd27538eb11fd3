"""Dereferencing: /id/… answers 303 to /doc/…, which serves HTML or RDF by content negotiation."""

from flask import Blueprint

bp = Blueprint("resources", __name__)
