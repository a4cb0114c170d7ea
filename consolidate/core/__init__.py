"""The bottom floor: config models, the store, records, errors, blobs, storage and the workspace; imports nothing above it."""
