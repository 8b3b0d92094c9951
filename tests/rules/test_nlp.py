"""spaCy pipelines: French without its tokenizer exceptions module."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from rules.nlp import build_pipeline, french_class

ROOT = Path(__file__).resolve().parents[2]


def test_french_abbreviations_are_spacys() -> None:
    from spacy.lang.fr import FrenchDefaults

    def abbreviations(exceptions: Iterable[str]) -> set[str]:
        return {k for k in exceptions if len(k) > 1 and k.endswith(".")}

    mine = abbreviations(french_class().Defaults.tokenizer_exceptions)
    assert mine == abbreviations(FrenchDefaults.tokenizer_exceptions)


def test_a_french_pipeline_does_not_import_spacys_french_module() -> None:
    # Importing spacy.lang.fr compiles a regex for 2.5 s: a process matching French never does.
    code = (
        "import sys\n"
        "from rules.nlp import build_pipeline\n"
        "nlp = build_pipeline('fr')\n"
        "import json\n"
        "print(json.dumps([t.text for t in nlp(\"L'armée nord-coréenne, d'après M. Dupont.\")]))\n"
        "assert 'spacy.lang.fr' not in sys.modules\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    words = json.loads(out.stdout)
    assert words[:5] == ["L'", "armée", "nord", "-", "coréenne"] and "M." in words


def test_french_tokens_split_at_hyphens_and_elisions() -> None:
    nlp = build_pipeline("fr")
    words = [t.text for t in nlp("Les États-Unis et l'Union européenne, selon Mme. Martin.")]
    assert words[:5] == ["Les", "États", "-", "Unis", "et"]
    assert "l'" in words and "Mme" in words
