"""Writers, chosen at the edge: the classic text of each tool, JSON Lines, CSV."""
