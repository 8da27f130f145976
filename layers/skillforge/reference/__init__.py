"""Read access to the versioned O*NET reference layer (one schema per release, docs/reference-schema.md)."""
