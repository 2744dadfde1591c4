"""Debian roots for another architecture, and a qemu to run them, without touching the host.

A root is the dependency closure of a few packages (`python3`, …) for one architecture and suite,
resolved and downloaded by the host's apt-get with a private configuration (its own sources, lists,
cache and an empty dpkg status, so nothing of the host's apt state is read or written), then unpacked
with `dpkg-deb -x`. No maintainer script runs — nothing inside the root is executed to build it — so
the few things those scripts would do are done here: the /usr-merge links, the BLAS/LAPACK
alternatives numpy links against, an empty ld.so.cache (so the guest's loader never reads the host's).

qemu comes the same way: Debian trixie's `qemu-user` (10.x, statically linked; bookworm's 7.2 segfaults
loading onnxruntime) unpacked into the build folder. The host's binfmt_misc is never touched: the
proof calls `qemu-aarch64 -L ROOT ROOT/usr/bin/python3 …` explicitly.

Everything lands in build/arm/ and is reused: a root is rebuilt only when its package list changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
MIRROR = "http://deb.debian.org/debian"
QEMU_SUITE = "trixie"


@dataclass(frozen=True)
class RootSpec:
    name: str  # folder name under build/arm/roots
    architecture: str  # Debian's: arm64, armhf, riscv64
    suite: str  # bookworm, trixie
    packages: tuple[str, ...]

    @property
    def triplet(self) -> str:
        return {"arm64": "aarch64-linux-gnu", "armhf": "arm-linux-gnueabihf", "riscv64": "riscv64-linux-gnu"}[
            self.architecture
        ]


def apt_options(state: Path, architecture: str, suite: str) -> list[str]:
    """apt-get options for a private apt state in `state` (sources, lists, cache, an empty dpkg status)."""
    (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    sources = state / "sources.list"
    sources.write_text(f"deb [signed-by={KEYRING}] {MIRROR} {suite} main\n")
    return [
        f"-oDir::State::lists={state / 'lists'}",
        f"-oDir::State::status={state / 'status'}",
        f"-oDir::Cache={state / 'cache'}",
        f"-oDir::Etc::SourceList={sources}",
        "-oDir::Etc::SourceParts=/dev/null",
        "-oDir::Etc::Preferences=/dev/null",
        "-oDir::Etc::PreferencesParts=/dev/null",
        f"-oAPT::Architecture={architecture}",
        f"-oAPT::Architectures::={architecture}",
        "-oAPT::Install-Recommends=false",
        "-oDebug::NoLocking=1",
        "-oAPT::Sandbox::User=root",  # the private cache is root's; apt's _apt user could not write there
    ]


def download_closure(state: Path, architecture: str, suite: str, packages: tuple[str, ...]) -> list[Path]:
    """The .deb files of `packages` and everything they depend on, for `architecture` from `suite`."""
    options = apt_options(state, architecture, suite)
    _run(["apt-get", *options, "-q", "update"])
    _run(["apt-get", *options, "-q", "-y", "--download-only", "install", *packages])
    return sorted((state / "cache" / "archives").glob("*.deb"))


def build_root(spec: RootSpec, build: Path, log: callable = print) -> Path:
    """build/arm/roots/NAME: the unpacked closure of `spec.packages` (reused when already built)."""
    root = build / "roots" / spec.name
    stamp = root / ".lstm-edge-root.json"
    wanted = {"architecture": spec.architecture, "suite": spec.suite, "packages": list(spec.packages)}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return root
    log(f"building {root} ({spec.suite} {spec.architecture}: {', '.join(spec.packages)})")
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    debs = download_closure(
        build / "apt" / f"{spec.suite}-{spec.architecture}", spec.architecture, spec.suite, spec.packages
    )
    for deb in debs:
        _run(["dpkg-deb", "-x", str(deb), str(root)])
    _fix_up(root, spec)
    stamp.write_text(json.dumps(wanted))
    log(f"  {len(debs)} packages unpacked")
    return root


def _fix_up(root: Path, spec: RootSpec) -> None:
    """What maintainer scripts and base-files would have done, as far as running Python needs it."""
    for merged in ("bin", "lib", "sbin"):  # /usr-merge (trixie packages ship under /usr only)
        if not (root / merged).exists() and (root / "usr" / merged).is_dir():
            (root / merged).symlink_to(f"usr/{merged}")
    libraries = root / "usr" / "lib" / spec.triplet
    for name in ("libblas.so.3", "liblapack.so.3"):  # update-alternatives, by hand
        candidates = sorted(libraries.glob(f"*/{name}"))
        if candidates and not (libraries / name).exists():
            (libraries / name).symlink_to(candidates[0].relative_to(libraries))
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc" / "ld.so.cache").write_bytes(b"")  # the guest's loader must not read the host's cache
    for version_folder in (root / "usr" / "lib").glob("python3.*"):
        (root / "usr" / "local" / "lib" / version_folder.name / "dist-packages").mkdir(parents=True, exist_ok=True)
    (root / "usr" / "lib" / "python3" / "dist-packages").mkdir(parents=True, exist_ok=True)


def library_path(root: Path, spec: RootSpec) -> str:
    """LD_LIBRARY_PATH for the guest (there is no ld.so.cache): the multiarch folders, as guest paths."""
    return f"/lib/{spec.triplet}:/usr/lib/{spec.triplet}"


def qemu(build: Path, machine: str, log: callable = print) -> Path:
    """build/arm/qemu/usr/bin/qemu-MACHINE from Debian trixie's qemu-user (static), unpacked once."""
    folder = build / "qemu"
    binary = folder / "usr" / "bin" / f"qemu-{machine}"
    if binary.is_file():
        return binary
    log(f"fetching qemu-user from Debian {QEMU_SUITE} into {folder}")
    state = build / "apt" / f"{QEMU_SUITE}-host"
    options = apt_options(state, _host_architecture(), QEMU_SUITE)
    _run(["apt-get", *options, "-q", "update"])
    archives = state / "cache" / "archives"
    _run(["apt-get", *options, "-q", "download", "qemu-user"], cwd=archives)
    (deb,) = archives.glob("qemu-user_*.deb")
    _run(["dpkg-deb", "-x", str(deb), str(folder)])
    return binary


def _host_architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env={**os.environ, "LC_ALL": "C"})
    if result.returncode != 0:
        raise SystemExit(
            f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
