"""YARA file scanning: rule sets compiled once and cached, bounded scans, ECS alert events."""
