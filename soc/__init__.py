"""SOC platform core."""
