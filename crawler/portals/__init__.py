"""Portal families: everything Pantau knows about a family of portals, declared once."""
