"""Tagging: an Arrow batch in, the four decision columns out; pure, no files, no executors."""
