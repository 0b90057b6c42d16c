"""Scan an input folder and read its regular files, with their provenance: names, hashes, signatures.

Nothing here touches the warehouse. A file that cannot be read whole (empty, not UTF-8, too large, not a
regular file) becomes one `Rejection` with a one-line reason; what a file holds is for the readers
(eventdw.ingest.csv_readers, eventdw.ingest.articles) to read.

Every entry of an input folder is read or rejected (scan_folder). A file is read only when it is a regular
file directly in the folder (or a symbolic link to a regular file inside the inputs folder), named `.txt` or
`.csv` in any letter case, and no larger than its cap (MAX_ARTICLE_BYTES, MAX_CSV_BYTES). Every other entry
is a Rejection of its own and is never opened: a folder (each file under it is rejected), a FIFO, a device,
a socket, a dangling symbolic link or one that leads outside the inputs folder, a name that is not UTF-8,
another extension, an article whose id differs from another's only in letter case. A file is opened
without blocking (a FIFO swapped in after the scan is not waited on) and must still be the file scanned.

Hidden entries (names starting with a dot: .gitkeep, .DS_Store, macOS's ._ files, .git/) are not inputs,
as for ls and shell globs: they are passed over, not rejected, so that a folder's housekeeping files do not
warn on every run. Rename a file to read it.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
from typing import overload


class InputError(Exception):
    """An input problem that stops the run (a reference file missing or unreadable)."""


@dataclass(frozen=True)
class Rejection:
    """An input (a whole file, or one row of it) that could not be accepted, and why."""

    input_kind: str
    source_file: str
    row_number: int | None
    reason: str
    raw_record: str | None = None
    file_sha256: str | None = None  # set on whole-file rejections: the file was read, though not accepted


def source_name(path: Path) -> str:
    """How provenance names an input file: relative to the seeds folder ("extractions/001.csv"), so that
    the warehouse and its exports do not depend on where the seeds were on the machine that loaded them."""
    return source_name_in(path.parent.name, path.name)


def source_name_in(folder: str, file_name: str) -> str:
    """source_name of the file `file_name` in the folder named `folder`, without a Path (a million files)."""
    return f"{folder}/{file_name}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(path: Path, data: bytes, kind: str) -> tuple[str | None, Rejection | None]:
    """The text of a file's bytes (UTF-8, a byte-order mark dropped), or the Rejection of an empty or
    undecodable file."""
    if not data.strip():
        return None, Rejection(kind, source_name(path), None, "file: empty file", file_sha256=sha256_hex(data))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Windows' "Unicode" text, Excel's too
        reason = "file: UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8"
        return None, Rejection(kind, source_name(path), None, reason, file_sha256=sha256_hex(data))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        reason = f"file: not valid UTF-8 (byte {error.start}: {error.reason})"
        return None, Rejection(kind, source_name(path), None, reason, file_sha256=sha256_hex(data))


# What a single file may cost: it is read whole into memory. An article is a few kilobytes; an extraction
# file of a few million rows is better split (the Python reader holds its values as strings).
MAX_ARTICLE_BYTES = 50 * 2**20
MAX_CSV_BYTES = 256 * 2**20


class FileProblem(Exception):
    """Why an entry of an input folder is not read: the reason its Rejection gives ("file: ...")."""


@dataclass(slots=True)  # a million articles are a million of these: not frozen, which takes 4 times as long
class InputFile:
    """A file the scan of an input folder found fit to read: what to open, and which file it must be."""

    name: str  # its name in the folder
    source_file: str  # its name in provenance (see source_name)
    device: int  # the file opened must be the file scanned: this device and inode
    inode: int
    signature: str | None  # see file_signature
    target: str | None = None  # for a symbolic link, the regular file it resolves to: read in its place

    def path(self, folder: Path) -> str:
        """What to open to read the file, in `folder`: never a symbolic link."""
        return self.target or os.path.join(folder, self.name)


def printable_name(name: str) -> str:
    """A file name as provenance shows it: the bytes that are not UTF-8 as \\x escapes."""
    return name if name.isascii() else os.fsencode(name).decode("utf-8", "backslashreplace")


def _not_a_file(mode: int) -> str | None:
    """What an entry of this mode is ("a folder", "a FIFO (named pipe)", ...); None for a regular file."""
    if S_ISREG(mode):
        return None
    if S_ISDIR(mode):
        return "a folder"
    if S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "a device file"
    if S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise FileProblem(f"file: too large ({size:,} bytes; {what} may have at most {limit:,})")


def read_regular_file(
    path: str | Path, limit: int, what: str, identity: tuple[int, int] | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes and status of the regular file at `path`; FileProblem if it is something else (a FIFO is
    never waited on, a device never read), has more than `limit` bytes (`what` names the file in the
    reason: "an article"), cannot be read, or is not the file `identity` (device, inode) names (then a
    symbolic link at `path` is not followed)."""
    try:
        if kind := _not_a_file(os.stat(path).st_mode):
            raise FileProblem(f"file: {kind}, not a regular file")
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (os.O_NOFOLLOW if identity else 0)
        with open(os.open(path, flags), "rb") as handle:
            status = os.fstat(handle.fileno())
            if kind := _not_a_file(status.st_mode):
                raise FileProblem(f"file: {kind}, not a regular file")
            if identity is not None and (status.st_dev, status.st_ino) != identity:
                raise FileProblem("file: replaced by another file while the load read its folder")
            _check_size(status.st_size, limit, what)
            data = handle.read(limit + 1)  # at most one byte past the cap, should the file grow while read
    except OSError as error:
        if identity is not None and error.errno == errno.ELOOP:  # O_NOFOLLOW: a link now, not the file scanned
            raise FileProblem("file: replaced by a symbolic link while the load read its folder") from error
        raise FileProblem(f"file: cannot be read ({error.strerror})") from error
    _check_size(len(data), limit, what)
    return data, status


class FolderListing(Sequence[InputFile]):
    """The files of a folder fit to read, as scan_folder found them (in name order, or the folder's): a
    sequence of InputFile kept as columns, each InputFile made when asked for. A folder of a million article
    files is five lists, not a million objects, of which a day's load reads a few thousand."""

    __slots__ = ("folder_name", "names", "devices", "inodes", "signatures", "targets")

    def __init__(self, folder_name: str) -> None:
        self.folder_name = folder_name
        self.names: list[str] = []
        self.devices: list[int] = []
        self.inodes: list[int] = []
        self.signatures: list[str | None] = []
        self.targets: list[str | None] = []

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, position: int) -> InputFile: ...
    @overload
    def __getitem__(self, position: slice) -> list[InputFile]: ...
    def __getitem__(self, position: int | slice) -> InputFile | list[InputFile]:
        if isinstance(position, slice):
            return [self[index] for index in range(*position.indices(len(self)))]
        name = self.names[position]
        return InputFile(
            name,
            source_name_in(self.folder_name, name),
            self.devices[position],
            self.inodes[position],
            self.signatures[position],
            self.targets[position],
        )

    def source_files(self) -> list[str]:
        """Each file's source_file, in order."""
        return [source_name_in(self.folder_name, name) for name in self.names]

    def append(self, file: InputFile) -> None:
        self.names.append(file.name)
        self.devices.append(file.device)
        self.inodes.append(file.inode)
        self.signatures.append(file.signature)
        self.targets.append(file.target)

    def in_name_order(self) -> FolderListing:
        """The listing with its files in name order."""
        return self.kept(sorted(range(len(self)), key=self.names.__getitem__))

    def kept(self, positions: list[int]) -> FolderListing:
        """The listing of the files at `positions` alone, in that order."""
        listing = FolderListing(self.folder_name)
        if positions:
            pick = itemgetter(*positions) if len(positions) > 1 else lambda values: (values[positions[0]],)
            for column in self.__slots__[1:]:
                setattr(listing, column, list(pick(getattr(self, column))))
        return listing


class ScannedFolder:
    """The entries of one folder as the scan a run starts with listed them, each holding the status it read,
    and each file's signature (None for a folder: eventdw.state.inputs_signature), for the load's scan of
    the folder moments later to take instead of listing it and reading a million files' status again
    (scan_folder, `scanned_before`). Taken only while
    the folder has had no entry added, removed or renamed since: its modification time, read before its
    entries and older than them by RACY_NS, is still the same. A file written in place since keeps its
    signature of then; the next run's scan sees the new one, and that run loads it."""

    __slots__ = ("folder", "started_ns", "entries", "signatures")

    def __init__(
        self,
        folder: os.stat_result,
        started_ns: int,
        entries: list[os.DirEntry[str]],
        signatures: list[str | None],
    ) -> None:
        self.folder = (folder.st_dev, folder.st_ino, folder.st_mtime_ns)
        self.started_ns = started_ns
        self.entries = entries
        self.signatures = signatures

    def still_holds(self, path: Path) -> bool:
        try:
            now = os.stat(path)
        except OSError:
            return False
        return (now.st_dev, now.st_ino, now.st_mtime_ns) == self.folder and self.folder[2] < self.started_ns - RACY_NS


_scanned: dict[str, ScannedFolder] = {}  # by the folder's real path: the last scan's, until a load takes it


def keep_scanned(path: str, scanned: ScannedFolder) -> None:
    """Keep what a run's scan read of the folder at `path`, for scan_folder (see ScannedFolder)."""
    _scanned[os.path.realpath(path)] = scanned


def forget_scanned() -> None:
    """Drop what the last scan kept: a new scan starts."""
    _scanned.clear()


def scan_folder(
    folder: Path,
    extension: str | tuple[str, ...],
    kind: str,
    scan_started_ns: int = 0,
    scanned_before: bool = False,
    in_name_order: bool = True,
) -> tuple[FolderListing, list[Rejection]]:
    """The files of `folder` to read (named `*{extension}`, or one of the extensions, in any letter case), in
    name order (unless not `in_name_order`: in the order the folder lists them), and a Rejection of `kind`
    for every other entry not hidden (see the module docstring). Nothing is opened, and no symbolic link is
    followed out of the inputs folder (`folder`'s parent). With `scanned_before`, the entries the run's scan
    listed, and the status it read of each, are taken when they still hold (ScannedFolder): the signatures
    are then of that scan."""
    inside, folder_name = {str(folder.parent.resolve()), str(folder.resolve())}, folder.name
    extensions = (extension,) if isinstance(extension, str) else extension
    scanned = _scanned.pop(os.path.realpath(folder), None)
    entries: list[tuple[os.DirEntry[str], str | None]]  # each entry, and its signature if the run's scan read it
    if scanned_before and scanned is not None and scanned.still_holds(folder):
        pairs = zip(scanned.entries, scanned.signatures, strict=True)
        entries = [pair for pair in pairs if not pair[0].name.startswith(".")]
    else:
        # In the folder's order, not the names': a million files' status is read in the order they lie on disk.
        with os.scandir(folder) as listing:
            entries = [(entry, None) for entry in listing if not entry.name.startswith(".")]
    files = FolderListing(folder_name)
    rejections: list[Rejection] = []
    # A regular file with a plain name and the extension, the entry of a million in an articles folder, is taken
    # in line: what _input_file finds of it, without its calls.
    add_name, add_device, add_inode = files.names.append, files.devices.append, files.inodes.append
    add_signature, add_target = files.signatures.append, files.targets.append
    for entry, signature in entries:
        name = entry.name
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            status = None
        if status is not None and S_ISREG(status.st_mode) and name.isascii() and name.lower().endswith(extensions):
            add_name(name)
            add_device(status.st_dev)
            add_inode(status.st_ino)
            add_signature(signature or file_signature(status, scan_started_ns))
            add_target(None)
            continue
        name = printable_name(name)
        source_file = source_name_in(folder_name, name)
        if _is_folder(entry):
            for nested, reason in _subfolder_entries(entry.path, source_file, folder_name):
                rejections.append(Rejection(kind, nested, None, reason))
            continue
        try:
            if name != entry.name:
                raise FileProblem("file: its name is not valid UTF-8 (rename it)")
            files.append(_input_file(entry, source_file, extensions, inside, scan_started_ns))
        except FileProblem as problem:
            rejections.append(Rejection(kind, source_file, None, str(problem)))
    return files.in_name_order() if in_name_order else files, rejections


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a folder itself (not a symbolic link to one); False if it has gone."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _input_file(
    entry: os.DirEntry[str], source_file: str, extensions: tuple[str, ...], inside: set[str], scan_started_ns: int
) -> InputFile:
    """The entry (not a folder, its name UTF-8) as a file to read; FileProblem, without opening it, if it is
    not one."""
    target = None
    try:
        status = entry.stat(follow_symlinks=False)
        if S_ISREG(status.st_mode):
            pass
        elif S_ISLNK(status.st_mode):
            target = os.path.realpath(entry.path)
            if not any(target == folder or target.startswith(folder + os.sep) for folder in inside):
                raise FileProblem(f"file: a symbolic link to {printable_name(target)}, outside the inputs folder")
            if not os.path.lexists(target):
                link = printable_name(os.readlink(entry.path))
                raise FileProblem(f"file: a dangling symbolic link (its target {link} does not exist)")
            status = os.stat(target)
            if kind := _not_a_file(status.st_mode):
                raise FileProblem(f"file: a symbolic link to {kind}, not to a regular file")
        elif kind := _not_a_file(status.st_mode):
            raise FileProblem(f"file: {kind}, not a regular file")
    except OSError as error:
        raise FileProblem(f"file: cannot be read ({error.strerror})") from error
    if not entry.name.lower().endswith(extensions):
        folder, named = source_file.split("/", 1)[0], " or ".join(extensions)
        raise FileProblem(f"file: not a {named} file; eventdw reads only the {named} files in {folder}/")
    signature = file_signature(status, scan_started_ns)
    return InputFile(entry.name, source_file, status.st_dev, status.st_ino, signature, target)


def _subfolder_entries(path: str, source_file: str, folder: str) -> list[tuple[str, str]]:
    """(source file, reason) for each entry under the subfolder at `path` (named `source_file`): its files,
    at any depth, and the folders under it that hold none (itself included). No symbolic link is followed
    and nothing is opened."""
    in_subfolder = f"file: in a subfolder; eventdw reads only the files directly in {folder}/"
    found: list[tuple[str, str]] = []
    pending = [(path, source_file)]
    while pending:
        directory, name = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError as error:
            found.append((name, f"file: a folder, not a file (and it cannot be listed: {error.strerror})"))
            continue
        if not entries:
            found.append((name, f"file: a folder, not a file; eventdw reads only the files directly in {folder}/"))
        for entry in entries:
            child = f"{name}/{printable_name(entry.name)}"
            if _is_folder(entry):
                pending.append((entry.path, child))
            else:
                found.append((child, in_subfolder))
    return sorted(found)


# A file changed this close to the scan that reads it gets no signature: a later write within the same tick
# of the file system's clock could leave it the same (git's "racily clean" entries). The next load reads it.
RACY_NS = 2_000_000_000


def file_signature(stat: os.stat_result, scan_started_ns: int) -> str | None:
    """What says a file was not written since it was read (size, modification and change times, inode), as
    make and git's index trust it; None when the file changed too close to the scan to tell. Writing a
    file's bytes sets its change time, which no tool can set back."""
    # (Two comparisons, not max(): a million files are scanned on every run, the one that finds nothing changed too.)
    modified, changed, racy = stat.st_mtime_ns, stat.st_ctime_ns, scan_started_ns - RACY_NS
    if modified >= racy or changed >= racy:
        return None
    return f"{stat.st_size}:{modified}:{changed}:{stat.st_ino}"


def same_file(path: str, status: os.stat_result) -> bool:
    """Whether the file at `path` is still the one whose status was `status`, unwritten since."""
    try:
        now = os.stat(path)
    except OSError:
        return False
    fields = ("st_dev", "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns")
    return all(getattr(now, name) == getattr(status, name) for name in fields)
