"""Where signing keys come from: PKCS#12 files, and the PKCS#11 module of a USB token.

The module comes from policy or settings; when none is set, `find_pkcs11_modules` looks for
the drivers the Vietnamese certificate authorities ship, by name, in the usual places, so the
settings page can offer what it finds.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from pyhanko.sign.signers import SimpleSigner

from desktop.signing.errors import PinTries, SigningError, WrongPin

# Driver file names seen in Vietnamese integrations (SafeNet, VNPT-CA, Viettel-CA, FPT-CA,
# BKAV-CA, bit4id middleware of the Government CA's tokens), then the Linux test/free modules.
WINDOWS_MODULES = (
    "eTPKCS11.dll",
    "vnptca_p11_v*.dll",
    "viettel-ca_v*.dll",
    "fptca_v*.dll",
    "BkavCA.dll",
    "bit4xpki.dll",
)
LINUX_MODULES = ("libsofthsm2.so", "opensc-pkcs11.so", "libeTPkcs11.so", "libbit4xpki.so")


def default_search_dirs() -> list[Path]:
    """System directories where CA installers put their PKCS#11 modules."""
    if sys.platform == "win32":
        root = Path(os.environ.get("SYSTEMROOT", r"C:\Windows"))
        return [root / "System32", root / "SysWOW64"]
    return [
        Path("/usr/lib"),
        Path("/usr/lib/softhsm"),
        Path("/usr/lib/x86_64-linux-gnu"),
        Path("/usr/lib/x86_64-linux-gnu/softhsm"),
        Path("/usr/lib/x86_64-linux-gnu/pkcs11"),
        Path("/usr/local/lib"),
        Path("/usr/local/lib/softhsm"),
    ]


def find_pkcs11_modules(
    dirs: Iterable[Path] | None = None, patterns: Iterable[str] | None = None
) -> list[Path]:
    """The known PKCS#11 modules present in `dirs`, in the order of `patterns` (names are
    matched case-insensitively: Windows file names are)."""
    if patterns is None:
        patterns = WINDOWS_MODULES if sys.platform == "win32" else LINUX_MODULES
    found: list[Path] = []
    listed = []
    for directory in dirs if dirs is not None else default_search_dirs():
        try:
            listed.append((directory, sorted(os.listdir(directory))))
        except OSError:
            continue
    for pattern in patterns:
        for directory, names in listed:
            for name in names:
                if fnmatch.fnmatch(name.lower(), pattern.lower()):
                    path = directory / name
                    if path.is_file() and path not in found:
                        found.append(path)
    return found


def load_pkcs12(path: Path, password: str) -> SimpleSigner:
    """The key, certificate and chain of a PKCS#12 (.p12/.pfx) file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: {exc}") from exc
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password.encode())
    except ValueError as exc:
        raise WrongPin(PinTries.UNKNOWN, f"{path}: {exc}") from exc
    if signer is None:
        raise SigningError(f"{path}: no key in the file")
    return signer


def module_candidates(configured: str | None, dirs: Iterable[Path] | None = None) -> list[Path]:
    """The module to use: the one policy or settings name, else the drivers found by name
    (the settings page offers them; nothing is loaded here)."""
    if configured:
        return [Path(configured)]
    return find_pkcs11_modules(dirs)
