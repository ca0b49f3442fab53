"""Every public name of the package is in `__all__`, and everything in `__all__` exists."""

import pipeline


def test_exported_members_all_is_complete():
    public = {name for name in dir(pipeline) if not name.startswith("_") and not _is_module(getattr(pipeline, name))}
    assert public <= set(pipeline.__all__) | {"annotations"}
    assert all(hasattr(pipeline, name) for name in pipeline.__all__)


def _is_module(obj):
    import types

    return isinstance(obj, types.ModuleType)
