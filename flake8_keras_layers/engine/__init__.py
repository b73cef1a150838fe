"""The engine: one file's analysis session, its pre-filters and the astroid module built from flake8's tree."""
