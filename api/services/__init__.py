"""What the routes call: the logic of each feature, unaware of HTTP."""
