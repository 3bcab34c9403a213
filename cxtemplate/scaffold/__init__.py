"""``cxtemplate new``: inspect a folder of exports and write a commented params file.
"""

__all__ = ["document", "guess", "notebook", "plan", "profile", "read", "specs", "writer"]
