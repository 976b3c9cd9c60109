import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "Tests" / "Fixtures"


@pytest.fixture
def fixtures():
    return FIXTURES


def goldens(variant):
    return json.loads((FIXTURES / "models" / variant / "goldens.json").read_text())
