"""Re-implementations of the few third-party helpers whose results become
column names or versions in CamCOPS models. Everything else that the
reference imports from these packages is a stub (see sandbox.py)."""

import sqla_shim


def strseq(prefix, first, last, suffix=""):
    """cardinal_pythonlib.stringfunc.strseq: prefix+n+suffix for n in
    first..last inclusive."""
    return [f"{prefix}{n}{suffix}" for n in range(first, last + 1)]


def strnumlist(prefix, numbers, suffix=""):
    """cardinal_pythonlib.stringfunc.strnumlist: prefix+n+suffix for each n."""
    return [f"{prefix}{n}{suffix}" for n in numbers]


class classproperty:
    """cardinal_pythonlib.classes.classproperty: a read-only property of the
    class."""

    def __init__(self, fget):
        self.fget = fget

    def __get__(self, obj, cls):
        return self.fget(cls)


class Version:
    """semantic_version.Version, as far as a version string goes."""

    def __init__(self, version_string=None, major=None, minor=None, patch=None, **kwargs):
        if version_string is None:
            version_string = f"{major}.{minor}.{patch}"
        self.text = str(version_string)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Version({self.text!r})"


def namespaces():
    """Top-level package name -> the names its modules offer."""
    return {
        "sqlalchemy": sqla_shim.namespace(),
        "cardinal_pythonlib": {"strseq": strseq, "strnumlist": strnumlist, "classproperty": classproperty},
        "semantic_version": {"Version": Version},
        # Only so that the reference's module code runs: it compiles this
        # pattern at import time.
        "colander": {"EMAIL_RE": r"^.+@.+$"},
    }
