"""Kernel management for the runner: kernels talk to the runner over Unix sockets (IPC).

Over TCP every kernel opens five loopback ports and warns that the traffic is unencrypted; IPC
sockets live in a private temporary folder, are removed when the kernel stops, and cost the same.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager

_SOCKET_DIR: str | None = None


def _socket_dir() -> str:
    global _SOCKET_DIR
    if _SOCKET_DIR is None:
        # Short path: Unix socket paths are limited to ~100 characters.
        _SOCKET_DIR = tempfile.mkdtemp(prefix="cxk-")
        atexit.register(shutil.rmtree, _SOCKET_DIR, ignore_errors=True)
    return _SOCKET_DIR


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` using IPC transport in a private socket folder."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = f"{_socket_dir()}/k-{uuid.uuid4().hex[:10]}"
