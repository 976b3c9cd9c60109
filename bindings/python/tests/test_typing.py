"""The package is typed (py.typed, annotated signatures, GenerationOptions for the keyword options):
mypy accepts correct calls and rejects wrong option types."""
import subprocess
import sys
import textwrap
from pathlib import Path

import lmcore

PACKAGE = Path(lmcore.__file__).resolve().parent


def test_py_typed_is_installed():
    assert (PACKAGE / "py.typed").is_file()


def test_mypy_checks_the_keyword_options(tmp_path):
    code = tmp_path / "use.py"
    code.write_text(textwrap.dedent("""
        import lmcore
        m = lmcore.Model("models/numbers-7lang", compute_type="auto")
        out = m.translate(["x"], beam_size=4, target_lang="fr", batch_type="tokens", bad_words_ids=[[5]])
        text: str = out[0][0].text
        pieces = list(m.stream("x", max_new_tokens=3))
        m.translate(["x"], beam_size="4")        # error: str for int
        m.translate(["x"], batch_type="lines")   # error: not a batch type
        m.generate_ids([[1, 2]], top_k=2.5)      # error: float for int
    """))
    # Installed, mypy finds the package through py.typed; from a checkout, through MYPYPATH.
    env = {"PATH": "/usr/bin:/bin"}
    if "site-packages" not in str(PACKAGE):
        env["MYPYPATH"] = str(PACKAGE.parent)
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--follow-imports=silent", str(code)],
                         capture_output=True, text=True, env=env)
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert [int(line.split(":")[1]) for line in errors] == [7, 8, 9], run.stdout + run.stderr
