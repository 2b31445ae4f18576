"""Token-free downloads behind signed, expiring URLs (artifact read URLs point here)."""
