"""Printable documents: PDF letters with a reply slip, the special-attention report."""
