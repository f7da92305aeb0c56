"""Text, before anything knows of a project: the normal form and hidden characters (``normal``),
the typed figures of a sentence (``figures``), Chinese typesetting (``typeset``) and the two
scripts (``scripts``). Imports nothing from the layers above it."""
