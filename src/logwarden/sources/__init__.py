"""Where bytes come from: files mapped into memory, stdin, the host's account files."""
