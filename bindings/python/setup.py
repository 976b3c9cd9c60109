"""Bundles liblmcore.so into the package when it is built, so `pip install ./bindings/python`
gives an installation that works anywhere, without the checkout or LMCORE_LIBRARY.

The library comes from LMCORE_LIBRARY if set, else the checkout's release build
(../../.build/release/liblmcore.so; run scripts/build.sh or `swift build -c release` first).
Without either the package still installs and looks for the library at import time (see
lmcore/_library.py). The metadata lives in pyproject.toml.

LMCORE_BUNDLE (set by scripts/wheel.sh) names a folder whose files are copied into the package
beside liblmcore.so as well (libopenblas.so.0, licenses/).
"""
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

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
        target = Path(self.build_lib) / "lmcore"
        if library is not None:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target / "liblmcore.so")
            print(f"lmcore: bundled {library}")
        else:
            print("lmcore: no liblmcore.so found to bundle; set LMCORE_LIBRARY at run time")
        bundle = os.environ.get("LMCORE_BUNDLE")
        if bundle:
            shutil.copytree(bundle, target, dirs_exist_ok=True)
            print(f"lmcore: bundled the files of {bundle}")


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform, not py3-none-any."""

    def has_ext_modules(self):
        return built_library() is not None


class PlatformWheel(bdist_wheel):
    """ctypes and shared libraries, no extension module: any Python 3 on this platform (py3-none-<plat>),
    not only the CPython that built it."""

    def get_tag(self):
        python, abi, plat = super().get_tag()
        return (python, abi, plat) if self.root_is_pure else ("py3", "none", plat)


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
