"""The base text layer every stage may import: Unicode clean-up of stored fields."""
