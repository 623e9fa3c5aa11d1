"""Command line for the ward committee's year: the organisation's summary and its decision (SPEC 9, 11).

``ward summary`` prints SPEC 11's JSON; ``decision ...`` issues the decision and writes its
documents. Every refusal is a Vietnamese message and exit 1, nothing stored; the checks are
the pages' own (review/decisions.py, review/decision_rules.py).
"""

from __future__ import annotations

import click


@click.group("ward")
def ward_cli() -> None:
    """The ward organisation's year: its summary."""


@click.group("decision")
def decision_cli() -> None:
    """The ward committee's decision: issue it, write its documents."""
