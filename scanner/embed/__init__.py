"""Text embedders and the persistent embedding cache."""
