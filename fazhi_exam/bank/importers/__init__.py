"""Importers, one module per file format; each turns bytes into a ParseResult (no database)."""
