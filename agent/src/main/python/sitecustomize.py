"""Turns on xray_batch in a PySpark driver whose Python path holds the agent's jar from the start.

The agent puts <agent jar> first on the PYTHONPATH of the Python driver that Spark's PythonRunner starts
(the -javaagent route); spark-submit's --py-files (Glue's --extra-py-files) naming the jar puts it there too.
Python imports this module, at the jar's root, at start-up (site.py). It
  - in a PySpark driver (PythonRunner sets PYSPARK_GATEWAY_PORT; executors start Python workers with
    PYTHON_WORKER_FACTORY_SECRET instead) imports xray_batch, which patches PySpark as it is imported;
  - runs the sitecustomize this one hid (the next one on sys.path: Debian's, a user's), as site.py would.
Nothing in it can stop the interpreter from starting: every failure is one line on stderr at most.
"""


def _boot():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    rest = _entries_after(sys, os, here)
    if "PYSPARK_GATEWAY_PORT" in os.environ and "PYTHON_WORKER_FACTORY_SECRET" not in os.environ:
        try:
            import xray_batch  # noqa: F401
        except Exception as error:
            sys.stderr.write("[xray-batch] Python tracing could not start (%s: %s); the job runs untraced\n"
                             % (type(error).__name__, error))
    _run_next_sitecustomize(sys, rest)
    # The next sitecustomize may have set its own sys.excepthook (Debian's installs apport's): chain again.
    excepthook = getattr(sys.modules.get("xray_batch._excepthook"), "install", None)
    if excepthook is not None:
        excepthook()


def _entries_after(sys, os, here):
    """The entries of sys.path after this one's folder (the agent's jar, which stays: xray_batch is there)."""
    def same(entry):
        try:
            return bool(entry) and os.path.normcase(os.path.abspath(entry)) == os.path.normcase(here)
        except Exception:
            return False

    positions = [index for index, entry in enumerate(sys.path) if same(entry)]
    after = sys.path[positions[0] + 1:] if positions else list(sys.path)
    return [entry for entry in after if not same(entry)]


def _run_next_sitecustomize(sys, path):
    import importlib.machinery
    import importlib.util

    this_module = sys.modules.get("sitecustomize")
    try:
        spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
        if spec is None or spec.loader is None:
            return
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            # The import of this module is still under way and reads sys.modules["sitecustomize"] when we
            # return: it must hold a module, and the failed one is not one.
            sys.modules["sitecustomize"] = this_module
            raise
    except ImportError as error:
        # site.py is silent when there is no sitecustomize at all, and only then.
        if error.name != "sitecustomize":
            _site_error(sys, error)
    except Exception as error:
        _site_error(sys, error)


def _site_error(sys, error):
    # What site.py prints for a failing sitecustomize, so it reads as it would without us.
    if sys.flags.verbose:
        sys.excepthook(type(error), error, error.__traceback__)
    else:
        sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n"
                         % (error.__class__.__name__, error))


try:
    _boot()
except Exception as _error:
    try:
        import sys as _sys

        _sys.stderr.write("[xray-batch] start-up hook failed (%s: %s); the job runs untraced\n"
                          % (type(_error).__name__, _error))
    except Exception:
        pass
