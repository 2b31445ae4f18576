"""Dataset tags and filename exports (bit i of a tag's bitmask = sample with idx i)."""
