"""Kernels over Unix sockets (``cxtemplate.run.kernels``): the socket folder is private to the user, its
paths fit the Unix socket limit, each kernel has its own prefix, and the folder is gone when the runner exits."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cxtemplate.run.kernels import IPCKernelManager

# sun_path holds 108 bytes on Linux and 104 on macOS, terminating NUL included (unix(7))
SUN_PATH_MAX = 104


@pytest.fixture(scope="module")
def managers():
    return IPCKernelManager(kernel_name="python3"), IPCKernelManager(kernel_name="python3")


def test_kernels_use_ipc_in_one_folder_with_their_own_prefix(managers):
    a, b = managers
    assert a.transport == b.transport == "ipc"
    assert Path(a.ip).parent == Path(b.ip).parent
    assert a.ip != b.ip
    assert Path(a.ip).name.startswith("k-") and Path(b.ip).name.startswith("k-")


def test_the_socket_folder_is_private_to_the_user(managers):
    folder = Path(managers[0].ip).parent
    info = folder.stat()
    assert stat.S_ISDIR(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o700  # nobody else may list or connect to the sockets
    assert info.st_uid == os.getuid()


def test_socket_paths_fit_the_unix_limit(managers):
    # jupyter_client names each channel's socket "<ip>-<port>"; ports are small integers for ipc
    longest = f"{managers[0].ip}-65535"
    assert len(longest.encode()) < SUN_PATH_MAX


def test_stopping_a_kernel_removes_its_socket_files(tmp_path):
    m = IPCKernelManager(kernel_name="python3", connection_file=str(tmp_path / "kernel.json"))
    m.write_connection_file()
    sockets = [Path(f"{m.ip}-{port}") for port in m.ports]
    assert len(sockets) == 5  # shell, iopub, stdin, control, heartbeat
    for s in sockets:  # what a running kernel leaves behind
        s.touch()
    m.cleanup_ipc_files()  # what the manager does when its kernel stops
    assert not any(s.exists() for s in sockets)


def test_the_socket_folder_is_removed_when_the_process_exits(tmp_path):
    code = ("from pathlib import Path\n"
            "from cxtemplate.run.kernels import IPCKernelManager\n"
            "m = IPCKernelManager(kernel_name='python3')\n"
            "Path(m.ip + '-1').touch()\n"  # a socket left behind by a kernel that crashed
            "print(Path(m.ip).parent)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip())
    assert folder.name.startswith("cxk-")
    assert not folder.exists()


@pytest.mark.slow
def test_a_real_kernel_leaves_no_socket_behind(tmp_path):
    import asyncio

    async def start_and_stop():
        m = IPCKernelManager(kernel_name="python3", connection_file=str(tmp_path / "kernel.json"))
        await m.start_kernel()
        client = m.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        sockets = [Path(f"{m.ip}-{port}") for port in m.ports]
        assert all(s.exists() for s in sockets)
        client.stop_channels()
        await m.shutdown_kernel(now=True)
        return sockets

    sockets = asyncio.run(start_and_stop())
    assert not any(s.exists() for s in sockets)
