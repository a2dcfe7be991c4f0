"""Side-by-side benchmarks: pyscript_storage, upstream PyScript's storage, raw IndexedDB."""
