"""The small trained bundle classifier: features, synthetic training data, a plain-JSON model."""
