"""Progress on stderr when it is a terminal; silence when it is not."""

import pytest
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def test_progress_bar_only_on_a_terminal(tmp_path, shared_cache):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a real terminal has a size
    proc = subprocess.Popen([sys.executable, "-m", "scanner", "scan", str(FIXTURES / "PC101" / "pass.jsonl"),
                             "--cache-dir", str(shared_cache)], cwd=ROOT, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0 and "records" in tty_err and "rec" in tty_err
    piped = subprocess.run([sys.executable, "-m", "scanner", "scan", str(FIXTURES / "PC101" / "pass.jsonl"),
                            "--cache-dir", str(shared_cache)], cwd=ROOT, capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
