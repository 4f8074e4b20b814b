"""A stand-in for the parts of SQLAlchemy that CamCOPS task models use.

It keeps the declarative rules that decide a table's columns, and nothing of
the database: a mapped class (a subclass of the declarative base that is not
``__abstract__``) gets, in method-resolution order from the most basic class,
every Column or mapped_column attribute of its classes and mixins, every
column that a ``declared_attr`` function returns for it, and every
annotation-only ``Mapped[...]`` attribute; a later definition of an attribute
replaces an earlier one. A column's database name is the name given to it,
else the attribute's. A column without a type takes it from its ``Mapped``
annotation, as SQLAlchemy's default type map does.
"""

import datetime
import decimal
import inspect
import typing

from sandbox import Stub, stub_class

# Field types of the tabletapi registry.
INTEGER, REAL, TEXT, DATETIME, DATE, TIME, BOOLEAN, BLOB = (
    "integer", "real", "text", "datetime", "date", "time", "boolean", "blob")


class TypeEngine:
    """A column type. ``field_type`` is its registry type."""

    field_type = None

    class Comparator:
        """Base of the operator overrides that custom types declare."""

        def __init__(self, *args, **kwargs):
            pass

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __class_getitem__(cls, item):
        return cls

    def with_variant(self, other, *dialects):
        """The type on other dialects; the default type is still self."""
        return self


def _type(name, field_type, base=TypeEngine):
    return type(name, (base,), {"field_type": field_type})


Integer = _type("Integer", INTEGER)
BigInteger = _type("BigInteger", INTEGER, Integer)
SmallInteger = _type("SmallInteger", INTEGER, Integer)
Float = _type("Float", REAL)
Numeric = _type("Numeric", REAL)
REAL_ = _type("REAL", REAL, Float)
Boolean = _type("Boolean", BOOLEAN)
String = _type("String", TEXT)
Text = _type("Text", TEXT, String)
Unicode = _type("Unicode", TEXT, String)
UnicodeText = _type("UnicodeText", TEXT, Text)
CHAR = _type("CHAR", TEXT, String)
VARCHAR = _type("VARCHAR", TEXT, String)
Enum = _type("Enum", TEXT, String)
Date = _type("Date", DATE)
DateTime = _type("DateTime", DATETIME)
TIMESTAMP = _type("TIMESTAMP", DATETIME, DateTime)
Time = _type("Time", TIME)
LargeBinary = _type("LargeBinary", BLOB)
BLOB_ = _type("BLOB", BLOB, LargeBinary)
LONGBLOB = _type("LONGBLOB", BLOB, LargeBinary)
MEDIUMBLOB = _type("MEDIUMBLOB", BLOB, LargeBinary)
LONGTEXT = _type("LONGTEXT", TEXT, Text)
MEDIUMTEXT = _type("MEDIUMTEXT", TEXT, Text)


class TypeDecorator(TypeEngine):
    """A custom type stored as its ``impl``."""

    impl = None


# Python types of a ``Mapped[...]`` annotation, as SQLAlchemy's default
# type map gives them.
PYTHON_TYPES = {
    int: Integer, float: Float, str: String, bool: Boolean, bytes: LargeBinary,
    datetime.datetime: DateTime, datetime.date: Date, datetime.time: Time,
    decimal.Decimal: Numeric,
}


class MappedAnnotation:
    """The value of ``Mapped[X]``: X, without Optional."""

    def __init__(self, item):
        args = typing.get_args(item)
        if typing.get_origin(item) is typing.Union and type(None) in args:
            rest = [a for a in args if a is not type(None)]
            item = rest[0] if len(rest) == 1 else item
        self.item = item


class Mapped:
    """``Mapped[X]`` records X."""

    def __class_getitem__(cls, item):
        return MappedAnnotation(item)


class ForeignKey:
    """A foreign key argument; it does not give a column its type here."""

    def __init__(self, *args, **kwargs):
        pass


class Column:
    """A column definition: its name (None: the attribute's), its type (a
    TypeEngine class or instance, or None: from the annotation) and its info."""

    def __init__(self, *args, **kwargs):
        self.name = kwargs.get("name")
        self.type = kwargs.get("type_")
        self.info = kwargs.get("info") or {}
        self.unknown = []  # positional arguments that are neither
        for a in args:
            if isinstance(a, str) and self.name is None:
                self.name = a
            elif _is_type(a) and self.type is None:
                self.type = a
            elif isinstance(a, ForeignKey):
                pass
            else:
                self.unknown.append(a)

    def __class_getitem__(cls, item):
        return cls


class MappedColumn(Column):
    """What mapped_column returns."""


def mapped_column(*args, **kwargs):
    """SQLAlchemy's mapped_column."""
    return MappedColumn(*args, **kwargs)


def _is_type(a):
    return isinstance(a, TypeEngine) or (inspect.isclass(a) and issubclass(a, TypeEngine))


class Relationship:
    """A relationship: its target (a class or class name) and its info."""

    def __init__(self, argument=None, *args, **kwargs):
        self.argument = argument
        self.info = kwargs.get("info") or {}


def relationship(*args, **kwargs):
    """SQLAlchemy's relationship."""
    return Relationship(*args, **kwargs)


class declared_attr:
    """A function evaluated for each mapped class to give its attribute."""

    def __init__(self, fn, *args, **kwargs):
        self.fn = fn

    def __get__(self, obj, cls):
        return self.fn(cls)

    @classmethod
    def directive(cls, fn):
        return cls(fn)

    @classmethod
    def cascading(cls, fn):
        return cls(fn)


class MetaData(Stub):
    """Schema metadata; unused here."""


class Table(Stub):
    """A Core table; only server tables are Core tables in CamCOPS."""

    def __init__(self, name=None, *args, **kwargs):
        self.name = name


class MappedClass:
    """A mapped class with its table name, columns and relationships.
    ``problems`` lists what could not be resolved, by attribute name."""

    def __init__(self, cls):
        self.cls = cls
        self.tablename = cls.__dict__.get("__tablename__") or getattr(cls, "__tablename__", None)
        self.columns = {}  # attribute name -> (Column, annotation)
        self.relationships = {}  # attribute name -> Relationship
        self.problems = []


class DeclarativeBase:
    """The declarative base: records every mapped subclass in ``mapped``."""

    mapped = []  # replaced per Base subclass chain by __init_subclass__

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__abstract__") or "__tablename__" not in _all_names(cls):
            return
        DeclarativeBase.mapped.append(_map(cls))


DeclarativeBaseNoMeta = DeclarativeBase


def declarative_base(*args, **kwargs):
    """The old way to make a base class."""
    return type("Base", (DeclarativeBase,), {})


def _all_names(cls):
    names = set()
    for c in cls.__mro__:
        names.update(c.__dict__)
    return names


def _annotations(c):
    return c.__dict__.get("__annotations__", {})


def _map(cls):
    m = MappedClass(cls)
    if isinstance(m.tablename, declared_attr):
        m.tablename = m.tablename.fn(cls)
    for c in reversed(cls.__mro__):
        if c is object or (inspect.isclass(c) and issubclass(c, Stub)):
            continue
        anns = _annotations(c)
        for attr, value in list(c.__dict__.items()):
            if isinstance(value, declared_attr):
                if attr.startswith("__"):
                    continue
                try:
                    value = value.fn(cls)
                except Exception as e:  # noqa: BLE001 - reported, not hidden
                    ann = getattr(value.fn, "__annotations__", {}).get("return")
                    if not _is_relationship_annotation(ann):
                        m.problems.append(f"{attr}: declared_attr raised {type(e).__name__}: {e}")
                    continue
            _put(m, attr, value, anns.get(attr))
        for attr, ann in anns.items():
            if attr in c.__dict__ or not isinstance(ann, MappedAnnotation):
                continue
            if _python_type(ann) is not None:
                m.columns[attr] = (MappedColumn(), ann)
                m.relationships.pop(attr, None)
    return m


def _put(m, attr, value, ann):
    if isinstance(value, Column):
        m.columns[attr] = (value, ann)
        m.relationships.pop(attr, None)
    elif isinstance(value, Relationship):
        m.relationships[attr] = value
        m.columns.pop(attr, None)
    elif attr in m.columns or attr in m.relationships:
        # A plain attribute (a property, say) hides an inherited column.
        m.columns.pop(attr, None)
        m.relationships.pop(attr, None)


def _is_relationship_annotation(ann):
    if isinstance(ann, str):
        return True
    return isinstance(ann, MappedAnnotation) and _python_type(ann) is None


def _python_type(ann):
    if isinstance(ann, str):
        return None
    item = ann.item
    return PYTHON_TYPES.get(item) if isinstance(item, type) else None


def column_type(col, ann):
    """Returns the TypeEngine class or instance of a column, or None."""
    if col.type is not None:
        return col.type
    if isinstance(ann, MappedAnnotation):
        return _python_type(ann)
    return None


def namespace():
    """The names that every ``sqlalchemy`` module offers."""
    ns = {k: v for k, v in globals().items() if not k.startswith("_")}
    ns["REAL"], ns["BLOB"] = REAL_, BLOB_
    ns["DeclarativeBase"] = DeclarativeBase
    for name in ("func", "and_", "or_", "not_", "select", "exists", "text", "literal", "null",
                 "conv", "Index", "UniqueConstraint", "PrimaryKeyConstraint", "CheckConstraint"):
        ns[name] = stub_class(f"sqlalchemy.{name}")
    return ns
