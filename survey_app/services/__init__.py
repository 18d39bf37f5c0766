"""Business logic as plain functions: they flush when they need ids and never commit."""
