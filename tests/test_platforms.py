"""Where `pip install lstm-edge` resolves: the quick form of the emulated-ARM proof (`make arm-proof`).

onnxruntime is a dependency only where it ships wheels (environment markers in pyproject.toml); on
32-bit ARM and RISC-V the runtime needs numpy and click alone, numpy from the system (Debian's
python3-numpy, in a virtualenv made with --system-site-packages). These tests evaluate the markers for
each platform, and ask the package index (`pip index versions --platform …`, no downloads, seconds)
whether the markers still match the wheels that exist, and whether every runtime dependency of
aarch64, armv7l and riscv64 can be installed there. Without network access they skip, saying so.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import tomllib
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PYTHON_VERSION = "3.11"  # Debian bookworm's, Raspberry Pi OS 12's


def linux(machine: str) -> dict[str, str]:
    return {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": machine}


# name → (marker environment, pip platform tags, whether onnxruntime is expected)
PLATFORMS: dict[str, tuple[dict[str, str], list[str], bool]] = {
    "linux x86_64": (linux("x86_64"), ["manylinux_2_28_x86_64", "manylinux2014_x86_64"], True),
    "linux aarch64": (linux("aarch64"), ["manylinux_2_28_aarch64", "manylinux2014_aarch64"], True),
    "linux armv7l": (linux("armv7l"), ["linux_armv7l", "manylinux_2_31_armv7l", "manylinux2014_armv7l"], False),
    "linux riscv64": (linux("riscv64"), ["linux_riscv64", "manylinux_2_39_riscv64"], False),
    "linux ppc64le": (linux("ppc64le"), ["manylinux2014_ppc64le", "linux_ppc64le"], False),
    "linux s390x": (linux("s390x"), ["manylinux2014_s390x", "linux_s390x"], False),
    "linux i686": (linux("i686"), ["manylinux2014_i686", "linux_i686"], False),
    "macOS arm64": (
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
        ["macosx_14_0_arm64"],
        True,
    ),
    "Windows AMD64": (
        {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
        ["win_amd64"],
        True,
    ),
}
# numpy as Debian packages it (python3-numpy) where PyPI has no wheel: bookworm (Raspberry Pi OS 12), trixie
DEBIAN_NUMPY = {"bookworm": "1.24.2", "trixie": "2.2.4"}
SYSTEM_NUMPY_PLATFORMS = {"linux armv7l", "linux riscv64"}


def runtime_requirements(platform: str) -> list[Requirement]:
    """The package's dependencies that apply on `platform`, markers evaluated for it (not for this machine)."""
    environment = {**default_environment(), "python_version": PYTHON_VERSION, **PLATFORMS[platform][0]}
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    requirements = [Requirement(text) for text in dependencies]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(environment)]


def wheel_versions(name: str, tags: list[str]) -> list[Version] | None:
    """Versions of `name` with a wheel for any of `tags` on the package index; None when it cannot be asked."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "index",
        "versions",
        name,
        "--only-binary=:all:",
        "--disable-pip-version-check",
    ]
    command += ["--python-version", PYTHON_VERSION, *(part for tag in tags for part in ("--platform", tag))]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        listed = next(line for line in result.stdout.splitlines() if line.startswith("Available versions:"))
        return [Version(v.strip()) for v in listed.split(":", 1)[1].split(",")]
    if "No matching distribution" in result.stderr:
        return []
    return None  # no network, or the index refused: unknown


RESOLVED_PLATFORMS = ["linux aarch64", "linux armv7l", "linux riscv64"]  # every dependency checked
ASKED_PLATFORMS = ["linux x86_64", *RESOLVED_PLATFORMS, "macOS arm64", "Windows AMD64"]  # onnxruntime asked


@pytest.fixture(scope="module")
def index() -> dict[tuple[str, str], list[Version]]:
    """Wheel versions per (package, platform), asked of the index all at once (about 2 s per question)."""
    questions = {("onnxruntime", platform) for platform in ASKED_PLATFORMS}
    questions |= {
        (r.name, platform)
        for platform in RESOLVED_PLATFORMS
        for r in runtime_requirements(platform)
        if not (r.name == "numpy" and platform in SYSTEM_NUMPY_PLATFORMS)
    }
    asked = sorted(questions)
    with ThreadPoolExecutor(max_workers=len(asked)) as pool:
        versions = list(pool.map(lambda q: wheel_versions(q[0], PLATFORMS[q[1]][1]), asked))
    answers = dict(zip(asked, versions, strict=True))
    unanswered = sorted(f"{name} on {platform}" for (name, platform), versions in answers.items() if versions is None)
    if unanswered:
        pytest.skip(f"the package index (PyPI) did not answer for {', '.join(unanswered[:3])}: no network here?")
    return {question: versions or [] for question, versions in answers.items()}


def test_onnxruntime_ships_wheels_exactly_where_the_markers_require_it(index):
    specifier = next(r for r in runtime_requirements("linux x86_64") if r.name == "onnxruntime").specifier
    for platform in ASKED_PLATFORMS:
        matching = [v for v in index["onnxruntime", platform] if specifier.contains(v)]
        required = any(r.name == "onnxruntime" for r in runtime_requirements(platform))
        assert required == bool(matching), f"{platform}: markers say {required}, wheels: {matching[:3]}"


@pytest.mark.parametrize("platform", RESOLVED_PLATFORMS)
def test_every_runtime_dependency_installs_on(platform: str, index):
    for requirement in runtime_requirements(platform):
        if any(requirement.specifier.contains(v) for v in index.get((requirement.name, platform), [])):
            continue
        if requirement.name == "numpy" and platform in SYSTEM_NUMPY_PLATFORMS:
            assert any(requirement.specifier.contains(v) for v in DEBIAN_NUMPY.values())
            continue
        pytest.fail(f"{platform}: no wheel of {requirement} and no system package to stand in")


def test_the_specifiers_are_what_the_readme_promises():
    numpy = next(r for r in runtime_requirements("linux x86_64") if r.name == "numpy")
    assert numpy.specifier == SpecifierSet(">=1.24")
