"""Immutable artifact directories: `<root>/<capability>/<version>/` with a `manifest.json`.

A version is written into a staging directory named after its training run, then renamed to its
final name in one step, so a reader sees either nothing or a complete version. The rename also
allocates the version number: renaming onto a directory that another writer already published
fails, and the writer takes the next number. Every file's sha256 is in the manifest (and in the
registry); `artifact_verify` refuses a directory whose files do not match.

No Django here: the caller passes the root.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"
_CHUNK = 1 << 20


class ArtifactError(Exception):
    """An artifact is missing, incomplete or altered; it must not be served."""


def staging_dir(root: Path, capability: str, run_id: int) -> Path:
    """Where training run `run_id` writes; known from the run alone, so a reaper can remove it."""
    return Path(root) / capability / f"{STAGING_PREFIX}{run_id}"


def version_dir(root: Path, capability: str, version: int) -> Path:
    return Path(root) / capability / str(version)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_checksum(directory: Path) -> dict[str, str]:
    """sha256 of every file under `directory` but the manifest, keyed by relative path."""
    directory = Path(directory)
    return {
        path.relative_to(directory).as_posix(): file_sha256(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def versions_published(root: Path, capability: str) -> list[int]:
    parent = Path(root) / capability
    if not parent.is_dir():
        return []
    return sorted(int(entry.name) for entry in parent.iterdir() if entry.name.isdigit())


def artifact_publish(
    staging: Path, *, root: Path, capability: str, metadata: dict, after_version: int = 0
) -> tuple[int, Path, dict]:
    """Seals `staging` with a manifest and renames it to the next free version number.

    Returns `(version, path, manifest)`. Numbers above `after_version` and above every published
    directory are tried in turn; a concurrent writer that wins a number makes this one move on.
    """
    staging = Path(staging)
    files = files_checksum(staging)
    if not files:
        raise ArtifactError(f"{staging} holds no files; nothing to publish.")
    manifest = {"capability": capability, "files": files, **metadata}
    _json_write_durably(staging / MANIFEST, manifest)
    version = max([after_version, *versions_published(root, capability)]) + 1
    while True:
        target = version_dir(root, capability, version)
        manifest["version"] = version
        _json_write_durably(staging / MANIFEST, manifest)
        try:
            os.rename(staging, target)
        except OSError:
            if not target.exists():
                raise
            version += 1
            continue
        _fsync_dir(target.parent)
        return version, target, manifest


def artifact_verify(directory: Path, *, expected_files: dict[str, str] | None = None) -> dict:
    """The manifest of `directory` once every file matches its checksum; ArtifactError otherwise.

    `expected_files` (the registry's record) must agree with the manifest too, so that editing
    both a file and the manifest is still caught.
    """
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{directory} has no {MANIFEST}: missing or incomplete artifact.")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{manifest_path} cannot be read: {exc}") from exc
    recorded = manifest.get("files") or {}
    if expected_files is not None and recorded != expected_files:
        raise ArtifactError(f"{directory}: the manifest does not match the registry's checksums.")
    actual = files_checksum(directory)
    if actual != recorded:
        changed = sorted(
            name for name in set(actual) | set(recorded) if actual.get(name) != recorded.get(name)
        )
        raise ArtifactError(f"{directory}: files missing or altered: {', '.join(changed)}.")
    return manifest


def staging_remove(path: Path) -> bool:
    """Removes a staging directory (a dead or failed run's leftovers); True if there was one."""
    path = Path(path)
    if not path.name.startswith(STAGING_PREFIX):
        raise ValueError(f"{path} is not a staging directory; refusing to delete it.")
    if not path.exists():
        return False
    shutil.rmtree(path)
    return True


def _json_write_durably(path: Path, payload: dict) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
