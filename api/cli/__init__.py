"""The `jinlin` command line: the composition root, the only room that imports every other."""
