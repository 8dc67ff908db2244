"""Wrapping PySpark: at once for modules already imported, else right after each one is imported.

This package never imports pyspark itself (on the spark-submit route it loads before the program has
imported anything): a finder on sys.meta_path lets the normal finders find each watched module, and
wraps its loader so the module is patched as soon as it has run. Patching is idempotent: wrapped
functions carry a marker, so a second import of this package, or a second copy of it, patches nothing.
"""

import sys
import threading

from . import _actions, _context
from ._bridge import BRIDGE, warn_once
from ._targets import ACTIONS, CLASSIC_ONLY_IN_4, CONTEXT_MODULES, AllPublicExcept
from ._wrappers import hook_wrapper, runs_later

_HOOK_MARKER = "__xray_batch_hook__"
_WATCHED = frozenset(ACTIONS) | frozenset(CONTEXT_MODULES)
_lock = threading.RLock()


def install():
    """Put the finder on sys.meta_path (once) and patch what is already imported."""
    with _lock:
        if not any(getattr(finder, "_xray_batch_finder", False) for finder in sys.meta_path):
            sys.meta_path.insert(0, _PostImportFinder())
        for name in sorted(_WATCHED):
            module = sys.modules.get(name)
            if module is not None:
                patch_module(name, module)


class _PostImportFinder:
    _xray_batch_finder = True

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _WATCHED:
            return None
        spec = None
        # The finders after this one, as the import system would ask them.
        for finder in list(sys.meta_path):
            if finder is self or getattr(finder, "_xray_batch_finder", False):
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None:
            return spec
        if hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchingLoader(spec.loader, fullname)
        elif hasattr(spec.loader, "load_module"):
            spec.loader = _LegacyPatchingLoader(spec.loader, fullname)
        return spec


class _PatchingLoader:
    """Delegates to the real loader, patches after the module ran, then steps out of the module's record."""

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        self._loader.exec_module(module)
        _put_back(module, self._loader)
        patch_module(self._name, module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _LegacyPatchingLoader:
    """For loaders with only load_module (zipimport before Python 3.10, where pyspark.zip is read)."""

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def load_module(self, fullname):
        module = self._loader.load_module(fullname)
        _put_back(module, self._loader)
        patch_module(self._name, module)
        return module

    def __getattr__(self, name):
        return getattr(self._loader, name)


def _put_back(module, loader):
    # So that nothing after the import sees this package's loader in the module's record.
    try:
        if getattr(module, "__loader__", None) is not loader:
            module.__loader__ = loader
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is not loader:
            spec.loader = loader
    except Exception:
        pass


def patch_module(name, module):
    """Wrap the actions `module` defines; for the SparkContext's module also watch for its gateway."""
    try:
        with _lock:
            if name == CLASSIC_ONLY_IN_4 and _pyspark_major() >= 4:
                return
            for class_name, method_names in ACTIONS.get(name, ()):
                cls = module.__dict__.get(class_name)
                if isinstance(cls, type):
                    _wrap_class(cls, method_names)
            if name in CONTEXT_MODULES:
                context_class = module.__dict__.get("SparkContext")
                if isinstance(context_class, type):
                    _hook_context(context_class)
    except Exception as error:
        warn_once("patch", "could not wrap %s for tracing (%s: %s); its actions are not traced from Python"
                  % (name, type(error).__name__, error))


def _pyspark_major():
    try:
        import pyspark.version  # the package is being imported already; this is its one-line module

        return int(str(pyspark.version.__version__).split(".")[0])
    except Exception:
        return 3


def _public_methods(cls, excluded):
    return [name for name, value in cls.__dict__.items()
            if not name.startswith("_") and name not in excluded and callable(value)]


def _wrap_class(cls, method_names):
    if isinstance(method_names, AllPublicExcept):
        method_names = _public_methods(cls, method_names.excluded)
    for name in method_names:
        raw = cls.__dict__.get(name)
        if raw is None:
            continue
        wrapped = _wrap_attribute(raw, name)
        if wrapped is not None:
            setattr(cls, name, wrapped)


def _wrap_attribute(raw, api_name):
    """The traced form of a class attribute, or None to leave it as it is."""
    if isinstance(raw, property):
        if raw.fget is None or not _wrappable(raw.fget):
            return None
        return property(_actions.traced(raw.fget, api_name), raw.fset, raw.fdel, raw.__doc__)
    if isinstance(raw, (classmethod, staticmethod)):
        function = raw.__func__
        return type(raw)(_actions.traced(function, api_name)) if _wrappable(function) else None
    return _actions.traced(raw, api_name) if _wrappable(raw) else None


def _wrappable(function):
    # A generator's body runs outside the call, as the caller iterates: no action to time around it.
    return hasattr(function, "__code__") and not _actions.is_traced(function) and not runs_later(function)


def _hook_context(context_class):
    """Find the bridge when PySpark has a gateway, and once more when the JVM SparkContext exists."""
    raw = context_class.__dict__.get("_ensure_initialized")
    if isinstance(raw, classmethod) and not getattr(raw.__func__, _HOOK_MARKER, False):
        hook = hook_wrapper(raw.__func__, "_ensure_initialized", _after_ensure_initialized)
        setattr(hook, _HOOK_MARKER, True)
        context_class._ensure_initialized = classmethod(hook)
    init = context_class.__dict__.get("__init__")
    if init is not None and hasattr(init, "__code__") and not getattr(init, _HOOK_MARKER, False):
        hook = hook_wrapper(init, "__init__", _after_init)
        setattr(hook, _HOOK_MARKER, True)
        context_class.__init__ = hook
    # Imported after the program started Spark (python3 job.py that imports xray_batch late).
    active = getattr(context_class, "_active_spark_context", None)
    gateway_seen(context_class, getattr(active, "_jsc", None) is not None)


def _after_ensure_initialized(original, _name, args, kwargs):
    try:
        return original(*args, **kwargs)
    finally:
        context_class = args[0] if args else None
        active = getattr(context_class, "_active_spark_context", None)
        gateway_seen(context_class, getattr(active, "_jsc", None) is not None)


def _after_init(original, _name, args, kwargs):
    try:
        return original(*args, **kwargs)
    finally:
        context = args[0] if args else None
        gateway_seen(type(context), getattr(context, "_jsc", None) is not None)


def gateway_seen(context_class, context_ready):
    try:
        gateway = getattr(context_class, "_gateway", None)
        if gateway is None:
            return
        BRIDGE.gateway_seen(gateway, getattr(context_class, "_jvm", None), context_ready)
        # The thread that brought the gateway (normally the main thread) sends what it held at once.
        _context.flush_current_thread()
    except Exception:
        pass
