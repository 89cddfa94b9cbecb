"""The atomic writer: the whole site goes into a staging folder beside the output, then is swapped in."""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".cxreport-output"
MARKER_TEXT = "This folder is built by cxreport. Each build replaces it; edit the content, not these files.\n"
# Kept from an existing output into the new one: hidden files (.git, .nojekyll, ...) and a static host's CNAME.
KEEP_NAMES = {"CNAME"}


class OutputFolderError(Exception):
    """The output folder cannot be used: writing there could destroy something cxreport did not make."""


class OutputWriteError(OutputFolderError):
    """Writing the site failed (a full disk, no permission): the previous site is left as it was."""


class KeptFile(type(Path())):  # type: ignore[misc]
    """A file of the previous output kept as it is by an incremental build: linked into the new one, not copied."""


class SpooledFile(type(Path())):  # type: ignore[misc]
    """A file this build wrote beside the output while drawing (figures.json, the CSVs): moved into the site."""


def spool_dir(out: Path) -> Path:
    """Give the folder beside out where a build writes its large data files before the site is staged."""
    return out.parent / f".{out.name}.spool-{os.getpid()}"


def _keep(name: str) -> bool:
    return (name.startswith(".") and name != MARKER) or name in KEEP_NAMES


@dataclass
class SiteFiles:
    """Every file of the built site by its output path: bytes made in memory, or a file to copy."""

    files: dict[str, bytes | Path] = field(default_factory=dict)

    def add(self, path: str, data: bytes | str | Path) -> None:
        """Add a file; two things may never be written to one path, nor outside the site."""
        norm = posixpath.normpath(path)
        if norm != path or path.startswith(("/", "../")) or path == ".." or "\\" in path or not path:
            raise ValueError(f"unsafe output path {path!r}")
        if path in self.files:
            raise ValueError(f"two files would be written to {path}")
        self.files[path] = data.encode("utf-8") if isinstance(data, str) else data

    def __contains__(self, path: str) -> bool:
        return path in self.files

    def __len__(self) -> int:
        return len(self.files)

    def items(self) -> Iterator[tuple[str, bytes | Path]]:
        return iter(sorted(self.files.items()))


def check_output_dir(project_root: Path, out: Path) -> None:
    """Raise OutputFolderError when out is a folder cxreport must not replace; otherwise return."""
    root = project_root.resolve()
    target = out.resolve()
    if target == Path(target.anchor):
        raise OutputFolderError(f"refusing to write the site into {target}: it is the root of the file system")
    if target == root:
        raise OutputFolderError(
            f"refusing to write the site into {target}: it is the project folder itself; "
            "use a folder inside it, e.g. --out output"
        )
    if root.is_relative_to(target):
        raise OutputFolderError(
            f"refusing to write the site into {target}: it holds the project {root}; "
            "use a folder inside the project, e.g. --out output"
        )
    if target.is_relative_to(root / "content"):
        raise OutputFolderError(
            f"refusing to write the site into {target}: it lies inside content/; the built site must not mix with the sources"
        )
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"refusing to write the site into {target}: it is a file, not a folder")
    if target.is_dir():
        if (target / "site.yml").exists() or (target / "content").exists():
            raise OutputFolderError(
                f"refusing to write the site into {target}: it holds site.yml or content/ "
                "(a cxreport project); choose an empty or new folder"
            )
        entries = [p.name for p in target.iterdir()]
        if entries and MARKER not in entries and not all(_keep(n) for n in entries):
            raise OutputFolderError(
                f"refusing to replace {target}: cxreport did not make it (there is no {MARKER} file "
                "in it) and it is not empty; remove it or choose another folder with --out"
            )


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.staging-{os.getpid()}"


def _old_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.old-{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def clean_stale(out: Path) -> None:
    """Remove staging folders of builds that were killed, and put back an output a killed swap left aside."""
    if not out.parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(staging|old|spool)-(\d+)$")
    for entry in sorted(out.parent.iterdir()):
        match = pattern.match(entry.name)
        if not match or _pid_alive(int(match.group(2))) or not entry.is_dir():
            continue
        if match.group(1) == "old" and not out.exists():
            os.replace(entry, out)  # a swap was cut between its two renames: the previous site comes back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_kept(out: Path, staging: Path) -> None:
    """Carry hidden files (.git, ...) and CNAME of the current output into the new one, leaving the old intact."""
    if not out.is_dir():
        return
    for entry in sorted(out.iterdir()):
        if not _keep(entry.name):
            continue
        dest = staging / entry.name
        if dest.exists() or dest.is_symlink():
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            else:
                dest.unlink()
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        else:
            _link_or_copy(str(entry), str(dest))


def _remove_empty(folders: set[Path]) -> None:
    """Remove the spool folders whose files were all moved into the site."""
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty or gone: the build's end removes it
            folder.rmdir()


def write_files(files: SiteFiles, folder: Path, on_file: Callable[[int, int], None] | None = None) -> None:
    """Write every file of the site under folder (which must be new)."""
    folder.mkdir(parents=True)
    made: set[Path] = set()
    spools: set[Path] = set()
    total = len(files)
    for i, (rel, data) in enumerate(files.items(), 1):
        dest = folder / rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        if isinstance(data, KeptFile):
            _link_or_copy(str(data), str(dest))
        elif isinstance(data, SpooledFile):
            os.replace(data, dest)
            spools.add(data.parent)
        elif isinstance(data, Path):
            shutil.copyfile(data, dest)
        else:
            dest.write_bytes(data)
        if on_file:
            on_file(i, total)
    _remove_empty(spools)
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def write_site(files: SiteFiles, out: Path, project_root: Path, on_file: Callable[[int, int], None] | None = None) -> None:
    """Write the site into out atomically: all of it is staged first, and out changes only in one swap at the end.

    Raises OutputWriteError when the file system refuses (no space, no permission); out is then unchanged.
    """
    out = out.resolve()
    check_output_dir(project_root, out)
    staging = staging_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        check_output_dir(project_root, out)  # a restored output is checked again
        if staging.exists():
            shutil.rmtree(staging)
        write_files(files, staging, on_file)
        _carry_kept(out, staging)
        if out.is_dir():  # the site replaces the folder, not its permissions (a private folder stays private)
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        where = f" ({exc.filename})" if exc.filename else ""
        advice = "; choose a folder you may write to with --out" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else ""
        raise OutputWriteError(
            f"cannot write the site into {out}: {exc.strerror or exc}{where}; the previous site is unchanged{advice}"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    """Put staging in place of out: out aside under a temporary name, staging in, the old one removed."""
    if not out.exists():
        os.replace(staging, out)
        return
    old = _old_dir(out)
    if old.exists():
        shutil.rmtree(old)
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_in_place(files: SiteFiles, out: Path, previous: set[str]) -> set[str]:
    """Update out file by file: changed files written under a temporary name and moved into place, files no
    longer in the site removed; give the files written. Only for a folder nobody else writes to (serve's): a
    reader may see a mix of two builds for a moment, never a half-written file.
    """
    pid = os.getpid()
    base = str(out)
    written = set()
    spools: set[Path] = set()
    for rel, data in files.files.items():
        if isinstance(data, KeptFile) and str(data) == os.path.join(base, rel):
            continue  # kept as it is
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{pid}.tmp")
        if isinstance(data, SpooledFile):
            os.replace(data, tmp)
            spools.add(data.parent)
        elif isinstance(data, Path):
            shutil.copyfile(data, tmp)
        else:
            tmp.write_bytes(data)
        os.replace(tmp, dest)
        written.add(rel)
    _remove_empty(spools)
    for rel in previous - files.files.keys():
        (out / rel).unlink(missing_ok=True)
    (out / MARKER).touch()
    return written
