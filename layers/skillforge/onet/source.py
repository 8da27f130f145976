"""Where a release comes from: an O*NET text-release folder or the official `db_XX_X_text.zip`, plus BLS files.

Only the bytes of the files the importer reads enter the fingerprint, so re-zipping or touching a file
does not make a release look new, while any changed value does.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

READ_ME = "Read Me.txt"
_RELEASE_RE = re.compile(r"O\*NET\s+(\d{1,3}\.\d{1,2})\s+Database", re.IGNORECASE)
_RELEASE_ID_RE = re.compile(r"^\d{1,3}\.\d{1,2}$")
OEWS_GLOB = "oews*.csv"
EP_GLOB = "ep_*table_1_2*.csv"


class SourceError(ValueError):
    """The source cannot be opened at all (not a folder or zip, unreadable zip, no release id)."""


@dataclass
class ReleaseSource:
    """The files of one O*NET text release, by file name (e.g. 'Skills.txt'), folder or zip alike."""

    location: str
    _folder: Path | None = None
    _zip: zipfile.ZipFile | None = None
    _members: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> ReleaseSource:
        path = Path(path)
        if path.is_dir():
            members = {p.name: p.name for p in path.iterdir() if p.is_file()}
            return cls(str(path), _folder=path, _members=members)
        if path.is_file():
            try:
                archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise SourceError(f"{path}: not a folder and not a readable zip file ({exc})") from exc
            members: dict[str, str] = {}
            for info in archive.infolist():
                if info.is_dir():
                    continue
                # The official zip holds db_29_0_text/<file>; take the shallowest copy of each name.
                name = PurePosixPath(info.filename).name
                if name not in members or info.filename.count("/") < members[name].count("/"):
                    members[name] = info.filename
            return cls(str(path), _zip=archive, _members=members)
        raise SourceError(f"{path}: no such folder or zip file")

    def names(self) -> set[str]:
        return set(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str) -> bytes:
        if self._folder is not None:
            return (self._folder / self._members[name]).read_bytes()
        assert self._zip is not None
        return self._zip.read(self._members[name])

    def release_id(self) -> str | None:
        """The release named by O*NET's own `Read Me.txt` ("O*NET 29.0 Database"), if any."""
        if not self.has(READ_ME):
            return None
        match = _RELEASE_RE.search(self.read(READ_ME).decode("utf-8", errors="replace"))
        return match.group(1) if match else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def resolve_release(source: ReleaseSource, release: str | None) -> str:
    if release is None:
        release = source.release_id()
        if release is None:
            raise SourceError(
                f"{source.location}: no release id in '{READ_ME}' (expected a line like "
                f"'O*NET 29.0 Database'); pass --release"
            )
    if not _RELEASE_ID_RE.match(release):
        raise SourceError(f"release {release!r}: must look like 29.0 (major.minor)")
    major, minor = release.split(".")
    return f"{int(major)}.{int(minor)}"


def schema_for(release: str) -> str:
    major, minor = release.split(".")
    return f"onet_r{int(major)}_{int(minor)}"


@dataclass(frozen=True)
class BlsFiles:
    oews: Path | None
    ep: Path | None

    @classmethod
    def find(cls, folder: str | Path | None) -> BlsFiles:
        if folder is None:
            return cls(None, None)
        folder = Path(folder)
        if not folder.is_dir():
            raise SourceError(f"--bls {folder}: not a folder")
        oews = sorted(folder.glob(OEWS_GLOB))
        ep = sorted(folder.glob(EP_GLOB))
        if not oews and not ep:
            raise SourceError(
                f"--bls {folder}: no OEWS ({OEWS_GLOB}) or Employment Projections ({EP_GLOB}) CSV"
            )
        return cls(oews[-1] if oews else None, ep[-1] if ep else None)

    def paths(self) -> list[Path]:
        return [p for p in (self.oews, self.ep) if p is not None]


def fingerprint(contents: dict[str, bytes]) -> str:
    """sha256 over the (name, bytes) pairs of the input files, in name order."""
    digest = hashlib.sha256()
    for name in sorted(contents):
        data = contents[name]
        digest.update(name.encode())
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
