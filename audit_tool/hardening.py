"""Process hardening at start: no core dump may carry the passphrase or case data to disk.

A crash (SIGSEGV in Qt or SQLCipher) would otherwise write the whole memory of the process
(the derived key, the passphrase, decrypted notes) to a core file or a crash collector
(systemd-coredump, apport). Called first by every entry point; a no-op where the
calls do not exist.
"""

from __future__ import annotations

import contextlib
import sys

_PR_SET_DUMPABLE = 4


def no_core_dumps() -> None:
    """Set the core size limit to 0 (soft and hard) and, on Linux, mark the process not
    dumpable (which also keeps other processes of the same user from ptrace-reading it)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # POSIX only

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
