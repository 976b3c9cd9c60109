"""Bundles liblmcore.so into the package when it is built, so `pip install ./bindings/python`
gives an installation that works anywhere, without the checkout or LMCORE_LIBRARY.

The library comes from LMCORE_LIBRARY if set, else the checkout's release build
(../../.build/release/liblmcore.so; run scripts/build.sh or `swift build -c release` first).
Without either the package still installs and looks for the library at import time (see
lmcore/_library.py). The metadata lives in pyproject.toml.
"""
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent


def built_library():
    env = os.environ.get("LMCORE_LIBRARY")
    candidates = [Path(env)] if env else []
    candidates += [HERE.parent.parent / ".build" / "release" / "liblmcore.so",
                   HERE.parent.parent / ".build" / "x86_64-unknown-linux-gnu" / "release" / "liblmcore.so"]
    return next((p for p in candidates if p.is_file()), None)


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        library = built_library()
        if library is not None:
            target = Path(self.build_lib) / "lmcore" / "liblmcore.so"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target)
            print(f"lmcore: bundled {library}")
        else:
            print("lmcore: no liblmcore.so found to bundle; set LMCORE_LIBRARY at run time")


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform, not py3-none-any."""

    def has_ext_modules(self):
        return built_library() is not None


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
