"""What the plugin knows about Keras: probed facts, constructor facts, versions and the astroid stubs."""
