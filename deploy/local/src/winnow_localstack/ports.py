"""Free loopback TCP ports."""

from __future__ import annotations

import socket

HOST = "127.0.0.1"


def port_free(port: int, host: str = HOST) -> bool:
    """True when ``host:port`` can be bound now (SO_REUSEADDR, as the servers use it)."""
    if not 0 < port < 65536:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class PortAllocator:
    """Hands out distinct free ports, reusing a preferred port when it is still free."""

    def __init__(self, host: str = HOST) -> None:
        self.host = host
        self._taken: set[int] = set()

    def take(self, preferred: int | None = None) -> int:
        """Return a free port not handed out before; ``preferred`` if it is usable."""
        if preferred and preferred not in self._taken and port_free(preferred, self.host):
            self._taken.add(preferred)
            return preferred
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((self.host, 0))
                port = int(sock.getsockname()[1])
            if port not in self._taken:
                self._taken.add(port)
                return port
        raise RuntimeError("could not find a free port")
