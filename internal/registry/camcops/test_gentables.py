"""Tests of gentables on a small package shaped like the reference server.

Each test writes a ``camcops_server`` package into a temporary folder: the
generic models (cc_db, cc_task, ...) once, and task modules that hold one
tricky shape each. Run: python3 -m unittest -v (in this folder).
"""

import os
import tempfile
import textwrap
import unittest

import gentables

GENERIC = {
    "__init__.py": "",
    "cc_modules/__init__.py": "",
    "cc_modules/cc_version.py": """
        from semantic_version import Version
        MINIMUM_TABLET_VERSION = Version("2.0.0")
    """,
    "cc_modules/cc_sqlalchemy.py": """
        from sqlalchemy.orm import DeclarativeBaseNoMeta
        class Base(DeclarativeBaseNoMeta):
            def __init_subclass__(cls, **kwargs):
                cls.extend_columns(**kwargs)
                super().__init_subclass__(**kwargs)
            @classmethod
            def extend_columns(cls, **kwargs):
                pass
    """,
    "cc_modules/cc_db.py": """
        from typing import Optional
        import datetime
        from sqlalchemy import Column, Integer, Boolean, String
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        SERVER_PK = "_pk"
        RESERVED_FIELDS = (SERVER_PK, "_era")
        class GenericTabletRecordMixin:
            _pk: Mapped[int] = mapped_column(SERVER_PK, primary_key=True)
            _era: Mapped[str] = mapped_column(String(32))
            id: Mapped[int] = mapped_column("id")
            when_last_modified: Mapped[Optional[datetime.datetime]] = mapped_column()
            _move_off_tablet: Mapped[Optional[bool]] = mapped_column()
        def add_multiple_columns(cls, prefix, start, end, coltype=Integer, suffix=""):
            for n in range(start, end + 1):
                name = prefix + str(n) + suffix
                setattr(cls, name, Column(name, coltype))
        def ancillary_relationship(parent_class_name, ancillary_class_name, fk):
            return relationship(ancillary_class_name, info={"is_ancillary": True})
    """,
    "cc_modules/cc_task.py": """
        from typing import Optional
        from cardinal_pythonlib.classes import classproperty
        from sqlalchemy import Float, UnicodeText
        from sqlalchemy.orm import Mapped, mapped_column
        from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin
        from camcops_server.cc_modules.cc_sqlalchemy import Base
        from camcops_server.cc_modules.cc_version import MINIMUM_TABLET_VERSION
        class TaskHasPatientMixin:
            patient_id: Mapped[int] = mapped_column()
        class TaskHasClinicianMixin:
            clinician_name: Mapped[Optional[str]] = mapped_column(UnicodeText)
        class TaskHasRespondentMixin:
            respondent_name: Mapped[Optional[str]] = mapped_column(UnicodeText)
        class Task(GenericTabletRecordMixin, Base):
            __abstract__ = True
            # The attribute and the column are named differently.
            editing_time_: Mapped[Optional[float]] = mapped_column("editing_time_s", Float)
            @classproperty
            def minimum_client_version(cls):
                return MINIMUM_TABLET_VERSION
    """,
    "cc_modules/cc_patient.py": """
        import datetime
        from typing import Optional
        from sqlalchemy import Date, UnicodeText
        from sqlalchemy.orm import Mapped, mapped_column
        from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin
        from camcops_server.cc_modules.cc_sqlalchemy import Base
        class Patient(GenericTabletRecordMixin, Base):
            __tablename__ = "patient"
            forename: Mapped[Optional[str]] = mapped_column(UnicodeText)
            dob: Mapped[Optional[datetime.date]] = mapped_column(Date)
    """,
    "cc_modules/cc_patientidnum.py": """
        from sqlalchemy import BigInteger
        from sqlalchemy.orm import Mapped, mapped_column
        from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin
        from camcops_server.cc_modules.cc_sqlalchemy import Base
        class PatientIdNum(GenericTabletRecordMixin, Base):
            __tablename__ = "patient_idnum"
            idnum_value: Mapped[int] = mapped_column(BigInteger)
    """,
    "cc_modules/cc_blob.py": """
        from sqlalchemy import LargeBinary
        from sqlalchemy.orm import Mapped, mapped_column
        from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin
        from camcops_server.cc_modules.cc_sqlalchemy import Base
        class Blob(GenericTabletRecordMixin, Base):
            __tablename__ = "blobs"
            theblob: Mapped[bytes] = mapped_column(LargeBinary)
    """,
    # A server-only table: not a client table.
    "cc_modules/cc_device.py": """
        from sqlalchemy.orm import Mapped, mapped_column
        from camcops_server.cc_modules.cc_sqlalchemy import Base
        class Device(Base):
            __tablename__ = "_security_devices"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "tasks/__init__.py": "",
}


class GeneratorTest(unittest.TestCase):
    def run_gen(self, tasks, tasks_init=None):
        """Writes GENERIC plus tasks (module name -> source) and returns the
        tables, or raises gentables.Unresolved. With tasks_init, that is
        tasks/__init__.py and the generator picks the modules itself."""
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        files = dict(GENERIC)
        files.update({f"tasks/{name}.py": src for name, src in tasks.items()})
        if tasks_init is not None:
            files["tasks/__init__.py"] = tasks_init
        for rel, src in files.items():
            path = os.path.join(tmp.name, "camcops_server", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(textwrap.dedent(src))
        modules = [f"camcops_server.cc_modules.{m}" for m in ("cc_patient", "cc_patientidnum", "cc_blob",
                                                              "cc_device")]
        modules += [f"camcops_server.tasks.{m}" for m in tasks]
        mapped, context, problems = gentables.load(tmp.name, None if tasks_init is not None else modules)
        if problems:
            raise gentables.Unresolved(problems)
        return {t.name: t for t in gentables.build(mapped, context)}

    def fields(self, table):
        return dict(table.fields)

    def test_generic_tables(self):
        tables = self.run_gen({})
        self.assertEqual(sorted(tables), ["blobs", "patient", "patient_idnum"])
        p = tables["patient"]
        self.assertEqual((p.kind, p.min_version), ("patient", "2.0.0"))
        # Reserved fields are left out; the mixin's fields come first.
        self.assertEqual(p.fields, [("id", "integer"), ("when_last_modified", "datetime"),
                                    ("_move_off_tablet", "boolean"), ("forename", "text"), ("dob", "date")])
        self.assertEqual(tables["patient_idnum"].kind, "patient_idnum")
        self.assertEqual((tables["blobs"].kind, self.fields(tables["blobs"])["theblob"]), ("nontask", "blob"))

    def test_mixins_and_renamed_column(self):
        tables = self.run_gen({"full": """
            from typing import Optional
            from sqlalchemy.orm import Mapped, mapped_column
            from camcops_server.cc_modules.cc_task import (Task, TaskHasPatientMixin,
                TaskHasClinicianMixin, TaskHasRespondentMixin)
            class Full(TaskHasPatientMixin, TaskHasClinicianMixin, TaskHasRespondentMixin, Task):
                __tablename__ = "full"
                score_attr: Mapped[Optional[int]] = mapped_column("score")
        """})
        f = self.fields(tables["full"])
        for name in ("patient_id", "clinician_name", "respondent_name", "editing_time_s", "score"):
            self.assertIn(name, f)
        self.assertNotIn("editing_time_", f)
        self.assertNotIn("score_attr", f)
        self.assertEqual((f["score"], f["editing_time_s"]), ("integer", "real"))
        self.assertEqual(tables["full"].kind, "task")

    def test_column_runs_and_loops(self):
        tables = self.run_gen({"runs": """
            from cardinal_pythonlib.stringfunc import strseq
            from sqlalchemy import Column, Boolean, Time
            from camcops_server.cc_modules.cc_db import add_multiple_columns
            from camcops_server.cc_modules.cc_task import Task
            N = 30
            class Item:
                def __init__(self, stem):
                    self.field = stem + "_yn"
            ITEMS = [Item("a"), Item("b")]
            class Runs(Task):
                __tablename__ = "runs"
                NAMES = strseq("x", 1, 3)
                @classmethod
                def extend_columns(cls, **kwargs):
                    add_multiple_columns(cls, "q", 1, N)
                    for name in cls.NAMES:
                        setattr(cls, name, Column(name, Boolean))
                    for item in ITEMS:
                        setattr(cls, item.field, Column(item.field, Time))
        """})
        f = self.fields(tables["runs"])
        self.assertEqual([n for n in f if n.startswith("q")], [f"q{i}" for i in range(1, 31)])
        self.assertEqual([f[n] for n in ("x1", "x2", "x3", "a_yn", "b_yn")],
                         ["boolean"] * 3 + ["time"] * 2)

    def test_abstract_base_and_ancillary_table(self):
        tables = self.run_gen({"parent": """
            from typing import Optional
            from semantic_version import Version
            from cardinal_pythonlib.classes import classproperty
            from sqlalchemy import UnicodeText
            from sqlalchemy.orm import Mapped, mapped_column
            from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin, ancillary_relationship
            from camcops_server.cc_modules.cc_sqlalchemy import Base
            from camcops_server.cc_modules.cc_task import Task
            class ItemBase(GenericTabletRecordMixin, Base):
                __abstract__ = True
                code: Mapped[Optional[str]] = mapped_column(UnicodeText)
            class ChildItem(ItemBase):
                __tablename__ = "parent_item"
                parent_id: Mapped[int] = mapped_column()
            class ParentBase(Task):
                __abstract__ = True
                common: Mapped[Optional[int]] = mapped_column()
            class Parent(ParentBase):
                __tablename__ = "parent"
                items = ancillary_relationship("Parent", "ChildItem", "parent_id")
                @classproperty
                def minimum_client_version(cls):
                    return Version("2.4.15")
        """})
        self.assertNotIn("ParentBase", str(sorted(tables)))
        self.assertEqual(len(tables), 5)
        child, parent = tables["parent_item"], tables["parent"]
        self.assertEqual((child.kind, child.min_version), ("nontask", "2.4.15"))
        self.assertEqual((parent.kind, parent.min_version), ("task", "2.4.15"))
        self.assertEqual(self.fields(child)["code"], "text")
        self.assertIn("common", self.fields(parent))
        self.assertNotIn("items", self.fields(parent))

    def test_only_tasks_the_package_loads(self):
        task = """
            from camcops_server.cc_modules.cc_task import Task
            class T(Task):
                __tablename__ = "{0}"
        """
        tables = self.run_gen({"loaded": task.format("loaded"), "unfinished": task.format("unfinished")},
                              tasks_init="from camcops_server.tasks.loaded import T\n")
        self.assertEqual(sorted(tables), ["blobs", "loaded", "patient", "patient_idnum"])

    def test_unresolved_are_reported_by_name(self):
        cases = {
            "stub_name": ("""
                from numpy import PREFIX
                from sqlalchemy import Column, Integer
                from camcops_server.cc_modules.cc_task import Task
                class T(Task):
                    __tablename__ = "t"
                    @classmethod
                    def extend_columns(cls, **kwargs):
                        setattr(cls, "q", Column(f"{PREFIX}q", Integer))
            """, "table t: attribute q: column name not resolved"),
            "stub_type": ("""
                from numpy import WeirdType
                from sqlalchemy import Column
                from camcops_server.cc_modules.cc_task import Task
                class T(Task):
                    __tablename__ = "t"
                    q = Column("q", WeirdType)
            """, "table t: field q: type not resolved"),
            "stub_loop": ("""
                from numpy import NAMES
                from sqlalchemy import Column, Integer
                from camcops_server.cc_modules.cc_task import Task
                class T(Task):
                    __tablename__ = "t"
                    @classmethod
                    def extend_columns(cls, **kwargs):
                        for n in NAMES:
                            setattr(cls, n, Column(n, Integer))
            """, "module camcops_server.tasks.stub_loop: TypeError"),
            "orphan": ("""
                from sqlalchemy.orm import Mapped, mapped_column
                from camcops_server.cc_modules.cc_db import GenericTabletRecordMixin
                from camcops_server.cc_modules.cc_sqlalchemy import Base
                class Orphan(GenericTabletRecordMixin, Base):
                    __tablename__ = "orphan"
                    x: Mapped[int] = mapped_column()
            """, "table orphan (camcops_server.tasks.orphan.Orphan): neither a task"),
            "twice": ("""
                from sqlalchemy import Column, Integer
                from camcops_server.cc_modules.cc_task import Task
                class T(Task):
                    __tablename__ = "t"
                    a = Column("q", Integer)
                    b = Column("Q", Integer)
            """, "table t: field Q defined twice (attributes a and b)"),
        }
        for name, (src, want) in cases.items():
            with self.subTest(name):
                with self.assertRaises(gentables.Unresolved) as cm:
                    self.run_gen({name: src})
                self.assertTrue(any(want in p for p in cm.exception.problems), cm.exception.problems)

    def test_render_parses_as_registry_format(self):
        tables = self.run_gen({})
        text = gentables.render(list(tables.values()), "test")
        self.assertIn("table patient kind=patient pk=id min_version=2.0.0\n    id ", text)
        self.assertTrue(text.endswith("\n"))


if __name__ == "__main__":
    unittest.main()
