"""The demo store generator: `manage.py seed_demo`. See docs/demo-store.md."""
