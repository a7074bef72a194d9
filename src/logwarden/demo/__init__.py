"""The built-in sample host that ``make demo`` shows logwarden on."""
