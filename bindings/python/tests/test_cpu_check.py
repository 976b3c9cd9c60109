"""The CPU check before liblmcore.so is loaded (lmcore/_library.py): an x86-64-v3 library on an
older CPU is an ImportError with the reason, not a SIGILL of the interpreter."""
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import lmcore
from lmcore import _library

# Abridged /proc/cpuinfo of real CPUs (one processor each; the flags as Linux prints them).
SANDY_BRIDGE = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht \
syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology pni pclmulqdq ssse3 cx16 pcid sse4_1 sse4_2 x2apic \
popcnt tsc_deadline_timer aes xsave avx hypervisor lahf_lm
"""
HASWELL = """processor\t: 0
model name\t: Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz
flags\t\t: fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm abm fsgsbase bmi1 \
avx2 smep bmi2 erms invpcid
"""
# AVX2 without BMI2, as some hypervisors' CPU models mask it: still not enough (the code uses shlx/bzhi).
MASKED = HASWELL.replace(" bmi2", "").replace(" abm", "")
AARCH64 = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n"


def test_a_haswell_cpu_has_everything():
    assert _library.missing_cpu_features(HASWELL) == ([], "Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz")


def test_a_sandy_bridge_cpu_lacks_x86_64_v3():
    missing, model = _library.missing_cpu_features(SANDY_BRIDGE)
    assert missing == ["AVX2", "FMA", "F16C", "BMI1", "BMI2", "LZCNT", "MOVBE"]
    assert model == "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz"


def test_masked_bmi2_and_lzcnt_are_missing():
    assert _library.missing_cpu_features(MASKED)[0] == ["BMI2", "LZCNT"]


def test_check_cpu_raises_import_error(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(SANDY_BRIDGE)
    monkeypatch.setenv("LMCORE_CPUINFO", str(cpuinfo))
    with pytest.raises(ImportError) as error:
        _library.check_cpu()
    assert str(error.value) == (
        "lmcore needs an x86-64 CPU with AVX2, FMA and F16C (x86-64-v3); this CPU (Intel(R) Xeon(R) CPU E5-2670 0 "
        "@ 2.60GHz) has no AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE. liblmcore.so is compiled for x86-64-v3 and "
        "would stop this process with an illegal instruction (SIGILL) here.")
    cpuinfo.write_text(HASWELL)
    _library.check_cpu()


@pytest.mark.parametrize("text", [AARCH64, "", "model name : something\n"])
def test_no_flags_line_claims_nothing(monkeypatch, tmp_path, text):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(text)
    monkeypatch.setenv("LMCORE_CPUINFO", str(cpuinfo))
    _library.check_cpu()
    monkeypatch.setenv("LMCORE_CPUINFO", str(tmp_path / "absent"))
    _library.check_cpu()


def test_import_stops_before_loading_the_library(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(SANDY_BRIDGE)
    package_parent = str(Path(lmcore.__file__).resolve().parent.parent)  # the lmcore this suite imported
    env = dict(os.environ, LMCORE_CPUINFO=str(cpuinfo), PYTHONPATH=package_parent)
    code = "import sys\ntry:\n    import lmcore\nexcept ImportError as e:\n    print(e)\n" \
           "    sys.exit(3 if any('liblmcore' in m for m in open('/proc/self/maps')) else 2)\n"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)  # 3: the library was mapped anyway
    assert run.stdout.startswith("lmcore needs an x86-64 CPU with AVX2, FMA and F16C (x86-64-v3); this CPU (Intel")


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.machine() != "x86_64", reason="Linux x86-64")
def test_this_cpu_passes():
    with open("/proc/cpuinfo") as f:
        missing, _ = _library.missing_cpu_features(f.read())
    assert missing == []
