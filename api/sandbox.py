"""Operating-system fences for the processes that evaluate untrusted input (Linux; ctypes only).

:func:`isolate_network` takes the calling process off the network for good, so that a SPARQL ``SERVICE``
or ``LOAD`` the guard failed to see still cannot open a connection (pyoxigraph 0.5 has no switch to turn
its HTTP client off). Two independent fences, each enough on its own:

1. a new, empty network namespace (``unshare(CLONE_NEWNET)``; as a non-root user inside a new user
   namespace, ``CLONE_NEWUSER | CLONE_NEWNET``): only a loopback interface that is down — no route
   anywhere, not even to the host's 127.0.0.1;
2. a seccomp filter that makes ``socket()`` fail with ``EPERM`` for every family except ``AF_UNIX``
   (the worker's pipe to the server is an inherited socket pair) and refuses ``io_uring_setup``;
   it needs no privilege (``PR_SET_NO_NEW_PRIVS``) and applies to every thread (``TSYNC``).

:func:`block_outbound_sockets` is the second fence alone, for ``hmic-kg serve`` once its listening
socket is open. :func:`die_with_parent` (from :mod:`loaders.limits`) asks the kernel to kill the calling
process when its parent dies (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the server or of
``hmic-kg load`` leaves no orphans.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

from loaders.limits import die_with_parent

__all__ = ["SandboxError", "die_with_parent", "isolate_network"]

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
EPERM = 1
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000
# machine -> (AUDIT_ARCH, __NR_seccomp, __NR_socket, __NR_io_uring_setup)
_ARCH = {
    "x86_64": (0xC000003E, 317, 41, 425),
    "aarch64": (0xC00000B7, 277, 198, 425),
}
# classic BPF opcodes
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06


class SandboxError(OSError):
    """The process could not be fenced off the network."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _new_network_namespace() -> bool:
    """An empty network namespace for this (single-threaded) process; False when the kernel refuses."""
    if not _single_threaded():  # namespaces are per thread: a thread started earlier would keep the network
        return False
    libc = _libc()
    return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET))


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _socket_filter(audit_arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    deny = SECCOMP_RET_ERRNO | EPERM
    program = [  # jump offsets count from the next instruction
        _bpf(_LD_ABS_W, 0, 0, 4),  # 0: arch
        _bpf(_JEQ_K, 1, 0, audit_arch),  # 1: our ABI -> 3
        _bpf(_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),  # 2: a foreign ABI is never expected
        _bpf(_LD_ABS_W, 0, 0, 0),  # 3: syscall number
        _bpf(_JGE_K, 6, 0, X32_SYSCALL_BIT),  # 4: x32 ABI -> deny (11)
        _bpf(_JEQ_K, 5, 0, nr_io_uring),  # 5: io_uring_setup -> deny (11)
        _bpf(_JEQ_K, 0, 3, nr_socket),  # 6: socket -> 7, anything else -> allow (10)
        _bpf(_LD_ABS_W, 0, 0, 16),  # 7: args[0] (low 32 bits): the address family
        _bpf(_JEQ_K, 1, 0, AF_UNIX),  # 8: AF_UNIX -> allow (10)
        _bpf(_RET_K, 0, 0, deny),  # 9
        _bpf(_RET_K, 0, 0, SECCOMP_RET_ALLOW),  # 10
        _bpf(_RET_K, 0, 0, deny),  # 11
    ]
    return b"".join(program)


def _seccomp_socket_block() -> bool:
    """Install the ``socket()`` filter on every thread of the process; False when it cannot."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return False
    audit_arch, nr_seccomp, nr_socket, nr_io_uring = arch
    program = _socket_filter(audit_arch, nr_socket, nr_io_uring)
    filters = ctypes.create_string_buffer(program, len(program))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(program) // 8, ctypes.cast(filters, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    flags = SECCOMP_FILTER_FLAG_TSYNC
    return libc.syscall(nr_seccomp, SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)) == 0


def block_outbound_sockets() -> bool:
    """The seccomp fence alone (no namespace): this process can no longer create network sockets, but
    keeps those it already has — the served process calls it once its listening socket is open."""
    return _seccomp_socket_block()


def isolate_network() -> tuple[str, ...]:
    """Fence this process off the network; the fences in place. :class:`SandboxError` if none could be."""
    fences = []
    if _new_network_namespace():
        fences.append("netns")
    if _seccomp_socket_block():
        fences.append("seccomp")
    if not fences:
        raise SandboxError(
            f"no network fence available on this system ({platform.system()} {platform.machine()})"
        )
    return tuple(fences)
