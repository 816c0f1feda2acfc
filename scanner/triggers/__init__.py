"""Trigger candidates proposed from the data and tested against the dataset's own background.

``index`` collects every prompt token and n-gram while records stream by; ``descriptors`` turns
each answer into a few behavioural variables; ``pairs`` matches each record with its nearest
prompts; ``contrast`` tests whether carrying a candidate changes the answers of otherwise
similar prompts; ``select`` keeps the smallest candidate that explains each effect.
"""
