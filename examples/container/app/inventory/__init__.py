"""A small sample project for the code cache: stock keeping with a little arithmetic."""
