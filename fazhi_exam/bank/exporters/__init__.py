"""Exporters, one module per file format; each turns questions into bytes."""
