"""Neighbour graphs and density bundles over record embeddings (faiss)."""
