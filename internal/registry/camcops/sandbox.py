"""Imports CamCOPS server modules without their third-party dependencies.

The reference server's task models are Python classes whose columns come from
class bodies, mixins, ``declared_attr`` functions and ``extend_columns`` hooks
that loop over constants. Rather than re-implement those semantics with a
parser, the generator lets CPython run the reference's own module code, and
replaces only what lies outside the reference:

* ``sqlalchemy`` by ``sqla_shim``, which records columns and relationships
  instead of building a database schema;
* a few pure helpers of ``cardinal_pythonlib`` and ``semantic_version`` whose
  results name columns or versions, by faithful re-implementations;
* every other third-party module by a permissive stub, whose every attribute,
  call and subscript is another stub.

A stub that ends up where a column name, type or version is needed is caught
by the generator and reported by name; nothing is guessed. Stub values render
as STUB_MARK so that one formatted into a string is caught too.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import sys
import types

STUB_MARK = "\u27e8stub\u27e9"


class _StubMeta(type):
    """Metaclass of stub classes: any class attribute is another stub."""

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_class(f"{cls.__name__}.{name}")

    def __getitem__(cls, item):
        return cls

    def __setitem__(cls, item, value):
        pass

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls

    def __iter__(cls):
        raise TypeError(f"stub {cls.__name__} is not iterable")

    def __format__(cls, spec):
        return STUB_MARK

    def __str__(cls):
        return STUB_MARK

    def _op(cls, *args):
        return Stub()

    __add__ = __radd__ = __mul__ = __rmul__ = __mod__ = __rmod__ = _op


class Stub(metaclass=_StubMeta):
    """An object that accepts every use and yields further stubs."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        # Used as a decorator, a stub leaves the function or class alone, so
        # that reference code decorated by an unknown library still runs.
        if len(args) == 1 and not kwargs and (inspect.isfunction(args[0]) or inspect.isclass(args[0])):
            return args[0]
        return Stub()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Stub()

    def __mro_entries__(self, bases):
        return (Stub,)

    def __getitem__(self, key):
        return Stub()

    def __setitem__(self, key, value):
        pass

    # Iterating a stub is an error, not an empty loop: a loop over a stubbed
    # list of field names would otherwise drop those columns silently. Its
    # length is 0, because the reference measures stubbed strings at import
    # time (StringLengths) and no column run is sized by a third-party value.
    def __iter__(self):
        raise TypeError("a stub is not iterable")

    def __len__(self):
        return 0

    def __bool__(self):
        return True

    def __str__(self):
        return STUB_MARK

    __repr__ = __str__

    def __format__(self, spec):
        return STUB_MARK

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _op(self, *args):
        return Stub()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _op
    __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = _op
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __invert__ = _op
    __lt__ = __le__ = __gt__ = __ge__ = _op


def stub_class(name):
    """Returns a new stub class called name."""
    return _StubMeta(name, (Stub,), {})


def is_stub(value):
    """Reports whether value is a stub class or instance."""
    return isinstance(value, Stub) or (inspect.isclass(value) and issubclass(value, Stub))


class StubModule(types.ModuleType):
    """A module whose every attribute is a stub class."""

    def __init__(self, name):
        super().__init__(name)
        self.__path__ = []  # a package, so that any submodule imports

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = stub_class(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class NamespaceModule(StubModule):
    """A module that serves one namespace of real objects under every
    submodule name of a package, and stubs for anything else."""

    def __init__(self, name, namespace):
        super().__init__(name)
        self.__dict__.update(namespace)


class _Loader(importlib.abc.Loader):
    def __init__(self, make):
        self.make = make

    def create_module(self, spec):
        return self.make(spec.name)

    def exec_module(self, module):
        pass


class _OptimizingLoader(importlib.machinery.SourceFileLoader):
    """Compiles the reference's source without its assert statements: an
    assert about a stubbed value (a length, say) is not the reference's
    fault, and no column definition depends on one."""

    def source_to_code(self, data, path, *, _optimize=-1):
        return compile(data, path, "exec", dont_inherit=True, optimize=1)

    def get_code(self, fullname):
        # Bypass the bytecode cache: it was written without optimize=1 and
        # the reference checkout must not be written to.
        return self.source_to_code(self.get_data(self.path), self.path)


class Finder(importlib.abc.MetaPathFinder):
    """Serves the reference package from its source, the given shims by
    package name, and stubs for every other non-standard module."""

    def __init__(self, root, package, shims):
        self.root = root
        self.package = package
        self.shims = shims  # top-level package name -> namespace dict
        self.stubbed = set()

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top == self.package:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path or [self.root])
            if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
                return spec
            spec.loader = _OptimizingLoader(fullname, spec.origin)
            return spec
        if top in self.shims:
            ns = self.shims[top]
            return importlib.util.spec_from_loader(
                fullname, _Loader(lambda name: NamespaceModule(name, ns)), is_package=True)
        if top in sys.stdlib_module_names or top in sys.builtin_module_names:
            return None
        self.stubbed.add(top)
        return importlib.util.spec_from_loader(fullname, _Loader(StubModule), is_package=True)


class Sandbox:
    """Installs a Finder for the duration of a with block and removes every
    module it loaded afterwards, so that two runs do not share state."""

    def __init__(self, root, package, shims):
        self.finder = Finder(root, package, shims)

    def __enter__(self):
        self.before = set(sys.modules)
        sys.meta_path.insert(0, self.finder)
        return self

    def __exit__(self, *exc):
        sys.meta_path.remove(self.finder)
        for name in set(sys.modules) - self.before:
            del sys.modules[name]
        return False
