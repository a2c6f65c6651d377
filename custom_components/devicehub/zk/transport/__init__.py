"""Wire-level pieces: packet framing, the pyzk session adapter, the buffered bulk reader."""
