"""The clerk's guide (data/ANLEITUNG.md) only tells people to type commands that exist."""

from __future__ import annotations

import re
import shlex

from kg.build import ROOT
from kg.cli import make_parser

GUIDE = (ROOT / "data" / "ANLEITUNG.md").read_text(encoding="utf-8")


def test_every_kg_command_in_the_guide_is_accepted_by_kg():
    commands = set(re.findall(r"`(kg [^`]+)`", GUIDE))
    assert {"kg workbook", "kg validate", "kg build", "kg workbook --import"} <= commands
    parser = make_parser()
    for command in commands:
        args = parser.parse_args(shlex.split(command)[1:])  # argparse exits on an unknown command or option
        assert callable(args.func), command


def test_the_guide_says_to_commit_the_published_uris():
    assert "git add data published-uris.txt" in GUIDE
    assert (ROOT / "published-uris.txt").exists()
