"""Restricted files: what holds CPR numbers or secrets (landing/, the warehouse with its raw layer and
vault, the quarantine, the calculation files, the YUMU screen's files) is readable by the product's
own user only: files 0600 in folders 0700, set explicitly (a umask only ever narrows the mode asked
for, and a folder may already exist with a wider one). A file written here appears whole: it is
written under a hidden temporary name in its folder, fsync'ed, and then given its name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

FILE_MODE, FOLDER_MODE = 0o600, 0o700


def private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)
    return folder


def private_file(path: Path) -> Path:
    """Narrow a file another program created (DuckDB's database, dbt's parse) to 0600."""
    if path.exists():
        os.chmod(path, FILE_MODE)
    return path


def open_private(path: Path) -> int:
    """A file descriptor of a file kept open or handed on (the YUMU write lock, the session store),
    created 0600 if missing and narrowed to 0600 if found wider."""
    fd = os.open(private_folder(path.parent) / path.name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def write_new(folder: Path, names: Sequence[str], data: bytes) -> Path:
    """`data` as a new file under the first of `names` that is free. A hard link fails where the
    name exists, so no writer can overwrite a file, whoever wrote it and however they raced."""
    temporary = _temporary(folder, names[0], data)
    try:
        for name in names:
            try:
                os.link(temporary, folder / name)
            except FileExistsError:
                continue
            _sync(folder)
            return folder / name
        raise FileExistsError(f"{folder}: {names[0]} and every further name are taken")
    finally:
        temporary.unlink()


def replace(path: Path, data: bytes) -> None:
    """`data` as the new content of `path` (a file of the product's own, never a landed one)."""
    os.replace(_temporary(path.parent, path.name, data), path)
    _sync(path.parent)


def temporaries(folder: Path, name: str) -> list[Path]:
    """What `write_new` left of a first name `name` when it was killed between writing and removing."""
    return sorted(folder.glob(f".{name}.*.tmp"))


def _temporary(folder: Path, name: str, data: bytes) -> Path:
    """`data` in a hidden file next to where `name` is to be (never matching a delivery's name)."""
    path = private_folder(folder) / f".{name}.{secrets.token_hex(4)}.tmp"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE), "wb") as f:
        os.fchmod(f.fileno(), FILE_MODE)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return path


def _sync(folder: Path) -> None:
    """Make a new name in `folder` durable (the file's data was synced before)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
