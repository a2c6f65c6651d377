"""Entity bases both ZKTeco families use: pull terminals (`terminal/`) and push terminals (`push/`).

Each family keeps its own platform modules and device entity; what an entity shows and how it
behaves, when it means the same on both, lives here once.
"""
