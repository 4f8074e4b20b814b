#!/usr/bin/env python3
"""Writes tabletapi's table registry from a CamCOPS source checkout.

Usage:
    python3 gentables.py CAMCOPS_CHECKOUT [-o default.tables]

It lists every table that the reference server accepts from tablets (the
reference's CLIENT_TABLE_MAP: every mapped class with GenericTabletRecordMixin
whose table name does not start with "_", among the models that the
reference's cc_all_models loads), each with every column except the
reference's RESERVED_FIELDS, the column's registry type, and the table's
minimum client version (a task's ``minimum_client_version``, shared by its
ancillary tables; MINIMUM_TABLET_VERSION for patient, patient_idnum and
blobs). See FORMAT.md beside default.tables.

Anything it cannot resolve (a module that fails to import, a column whose
type or name is not known, a client table with no version) it prints by name
to standard error, and it then exits with status 1 without writing.
"""

import argparse
import importlib
import inspect
import os
import subprocess
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sandbox  # noqa: E402
import sqla_shim  # noqa: E402
import shims  # noqa: E402

PACKAGE = "camcops_server"

# Custom column types whose meaning differs from how they are stored: the
# reference stores these date-times as ISO 8601 text, and the client sends
# them as date-times.
SEMANTIC_TYPES = {"PendulumDateTimeAsIsoTextColType": sqla_shim.DATETIME}

# Kinds of the generic tables; every other client table is a task or, for an
# ancillary table, nontask.
GENERIC_KINDS = {"patient": "patient", "patient_idnum": "patient_idnum", "blobs": "nontask"}


class Unresolved(Exception):
    """The reference holds something the generator cannot resolve."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


class Table:
    """One registry table."""

    def __init__(self, name, kind, min_version, fields, source):
        self.name, self.kind, self.min_version = name, kind, min_version
        self.fields = fields  # [(name, type)] in column order
        self.source = source  # "module.Class", for the file's comments


def server_root(checkout):
    """Returns the directory that holds the camcops_server package."""
    for d in (os.path.join(checkout, "server"), checkout, os.path.dirname(checkout)):
        if os.path.isfile(os.path.join(d, PACKAGE, "__init__.py")):
            return d
    raise SystemExit(f"gentables: no {PACKAGE} package under {checkout}")


def field_type(t):
    """Returns the registry type of a column type, or None."""
    cls = t if inspect.isclass(t) else type(t)
    if not inspect.isclass(cls) or not issubclass(cls, sqla_shim.TypeEngine):
        return None
    if cls.__name__ in SEMANTIC_TYPES:
        return SEMANTIC_TYPES[cls.__name__]
    if issubclass(cls, sqla_shim.TypeDecorator):
        return field_type(cls.impl) if cls.impl is not None else None
    return cls.field_type


def load(root, modules=None):
    """Imports the reference's task and generic models in a sandbox and
    returns (mapped classes, the reference's module namespace getter,
    problems). modules, for tests, replaces the list of modules to import."""
    sqla_shim.DeclarativeBase.mapped = []
    problems = []
    box = sandbox.Sandbox(root, PACKAGE, shims.namespaces())
    with box:
        if modules is None:
            # What the reference's cc_all_models imports: the generic client
            # models and the tasks package, whose __init__ names the tasks
            # the server loads. A module in tasks/ that it leaves out (a task
            # not finished, say) is not a table the server accepts.
            modules = [f"{PACKAGE}.cc_modules.{m}" for m in ("cc_patient", "cc_patientidnum", "cc_blob")]
            modules.append(f"{PACKAGE}.tasks")
        generic = [f"{PACKAGE}.cc_modules.{m}" for m in ("cc_version", "cc_db", "cc_task")]
        for name in generic + modules:
            try:
                importlib.import_module(name)
            except Exception as e:  # noqa: BLE001 - reported by name
                problems.append(f"module {name}: {type(e).__name__}: {e}")
                if os.environ.get("GENTABLES_TRACE"):
                    traceback.print_exc()
        db = sys.modules.get(f"{PACKAGE}.cc_modules.cc_db")
        version = sys.modules.get(f"{PACKAGE}.cc_modules.cc_version")
        context = {
            "mixin": getattr(db, "GenericTabletRecordMixin", None),
            "reserved": tuple(getattr(db, "RESERVED_FIELDS", ())),
            "min_tablet": getattr(version, "MINIMUM_TABLET_VERSION", None),
            "task": getattr(sys.modules.get(f"{PACKAGE}.cc_modules.cc_task"), "Task", None),
            "stubbed": sorted(box.finder.stubbed),
        }
        mapped = list(sqla_shim.DeclarativeBase.mapped)
        # Versions are class properties, so read them while the modules live.
        for m in mapped:
            try:
                m.min_version = getattr(m.cls, "minimum_client_version", None)
            except Exception as e:  # noqa: BLE001 - reported by name
                m.min_version = None
                m.problems.append(f"minimum_client_version raised {type(e).__name__}: {e}")
    return mapped, context, problems


def build(mapped, context):
    """Returns the registry tables in name order, or raises Unresolved."""
    problems = []
    mixin, task = context["mixin"], context["task"]
    if mixin is None or task is None:
        raise Unresolved(["cc_db.GenericTabletRecordMixin or cc_task.Task did not load"])
    if not context["reserved"]:
        raise Unresolved(["cc_db.RESERVED_FIELDS did not load"])
    reserved = set(context["reserved"])
    client = {}
    by_class_name = {}
    for m in mapped:
        by_class_name.setdefault(m.cls.__name__, []).append(m)
        if not issubclass(m.cls, mixin):
            continue
        if not isinstance(m.tablename, str) or sandbox.STUB_MARK in m.tablename:
            problems.append(f"class {qualname(m.cls)}: table name not resolved: {m.tablename!r}")
            continue
        if m.tablename.startswith("_"):
            continue
        if m.tablename in client:
            problems.append(f"table {m.tablename}: defined by {qualname(client[m.tablename].cls)} "
                            f"and {qualname(m.cls)}")
            continue
        client[m.tablename] = m
    versions = {}
    for name, m in client.items():
        if issubclass(m.cls, task):
            v = version_string(m.min_version)
            if v is None:
                problems.append(f"table {name}: minimum_client_version not resolved: {m.min_version!r}")
                continue
            versions.setdefault(name, (v, "task"))
            for attr, rel in m.relationships.items():
                if rel.info.get("is_ancillary") is not True:
                    continue
                target = rel.argument
                targets = [target] if inspect.isclass(target) else by_class_name.get(target, [])
                if len(targets) != 1:
                    problems.append(f"table {name}: ancillary relationship {attr} names "
                                    f"{target!r}, which is not one mapped class")
                    continue
                t = targets[0] if inspect.isclass(targets[0]) else targets[0].cls
                versions[t.__tablename__] = (v, "nontask")
    base = version_string(context["min_tablet"])
    for name, kind in GENERIC_KINDS.items():
        if name not in client:
            problems.append(f"table {name}: the reference does not define it")
        elif base is None:
            problems.append(f"MINIMUM_TABLET_VERSION not resolved: {context['min_tablet']!r}")
        else:
            versions[name] = (base, kind)
    tables = []
    for name in sorted(client):
        m = client[name]
        problems += [f"table {name}: {p}" for p in m.problems]
        if name not in versions:
            problems.append(f"table {name} ({qualname(m.cls)}): neither a task, an ancillary "
                            "table of one, nor patient, patient_idnum or blobs")
            continue
        fields, seen = [], {}
        for attr, (col, ann) in m.columns.items():
            fname = col.name if col.name is not None else attr
            if not isinstance(fname, str) or sandbox.STUB_MARK in fname:
                problems.append(f"table {name}: attribute {attr}: column name not resolved: {fname!r}")
                continue
            if fname in reserved:
                continue
            ftype = field_type(sqla_shim.column_type(col, ann))
            if ftype is None:
                problems.append(f"table {name}: field {fname}: type not resolved: "
                                f"{sqla_shim.column_type(col, ann)!r}")
                continue
            if col.unknown:
                problems.append(f"table {name}: field {fname}: unknown column arguments {col.unknown!r}")
                continue
            if fname.lower() in seen:
                problems.append(f"table {name}: field {fname} defined twice "
                                f"(attributes {seen[fname.lower()]} and {attr})")
                continue
            seen[fname.lower()] = attr
            fields.append((fname, ftype))
        v, kind = versions[name]
        tables.append(Table(name, GENERIC_KINDS.get(name, kind), v, fields, qualname(m.cls)))
    if problems:
        raise Unresolved(problems)
    return tables


def version_string(v):
    """Returns v as MAJOR.MINOR.PATCH, or None."""
    s = str(v) if v is not None else ""
    parts = s.split(".")
    if len(parts) != 3 or not all(p.isdigit() and str(int(p)) == p for p in parts):
        return None
    return s


def qualname(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def render(tables, origin):
    """Returns the registry file text."""
    out = [
        "# The default table registry of tabletapi: every table that the CamCOPS",
        "# reference server accepts from tablets. Generated; do not edit by hand.",
        f"# Source: {origin}",
        "# Regenerate: see FORMAT.md in this folder. Format: see FORMAT.md.",
        f"# {len(tables)} tables, {sum(len(t.fields) for t in tables)} fields.",
    ]
    for t in tables:
        out += ["", f"# {t.source}", f"table {t.name} kind={t.kind} pk=id min_version={t.min_version}"]
        width = max(len(f) for f, _ in t.fields)
        out += [f"    {f.ljust(width)}  {ty}" for f, ty in t.fields]
    return "\n".join(out) + "\n"


def origin_of(checkout):
    """Names the checkout's commit, if it is a git work tree."""
    try:
        sha = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        return f"ucam-department-of-psychiatry/camcops at commit {sha}"
    except (OSError, subprocess.CalledProcessError):
        return f"CamCOPS source at {os.path.basename(os.path.abspath(checkout))}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkout", help="CamCOPS source checkout (its root, or its server folder)")
    p.add_argument("-o", "--output", default="-", help="registry file to write (default: stdout)")
    p.add_argument("--origin", help="source description for the header (default: the git commit)")
    args = p.parse_args(argv)
    root = server_root(args.checkout)
    mapped, context, problems = load(root)
    try:
        if problems:
            raise Unresolved(problems)
        tables = build(mapped, context)
    except Unresolved as e:
        for line in e.problems:
            print(f"gentables: {line}", file=sys.stderr)
        print(f"gentables: {len(e.problems)} unresolved; nothing written", file=sys.stderr)
        return 1
    text = render(tables, args.origin or origin_of(args.checkout))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"gentables: {len(tables)} tables, {sum(len(t.fields) for t in tables)} fields "
          f"(stubbed modules: {', '.join(context['stubbed'])})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
