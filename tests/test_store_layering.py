"""The store interface is the contract: no import circle, every backend a :class:`graph.store.Store`,
and every member the API uses declared on the interface (issue 13, "an interface that is not the
contract")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from graph.store import Store
from graph.store_memory import MemoryStore
from graph.store_oxigraph import OxigraphStore
from graph.store_remote import RemoteStore

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("loaders", "graph", "api")
STORE_MODULES = (
    "graph.rdf_formats",
    "graph.store",
    "graph.store_memory",
    "graph.store_oxigraph",
    "graph.store_remote",
    "graph.store_open",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _top_level_imports(path: Path, known: set[str]) -> set[str]:
    """Project modules a module imports while it is being imported (not inside functions)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue  # annotations only: never executed
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        pending.extend(ast.iter_child_nodes(node))
    return {name for name in found if name in known}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_between_project_modules() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _top_level_imports(path, known) - {name} for name, path in modules.items()}
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph) or [])}"


def test_the_store_interface_imports_no_backend() -> None:
    """Regression: graph/store.py imported its backends in open_store, and they imported it."""
    source = (ROOT / "graph" / "store.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    shim = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("graph.store_"):
            assert node.module == "graph.store_open" and node in ast.walk(shim), ast.unparse(node)
    backends = ("store_memory", "store_oxigraph", "store_remote")
    for backend in backends:
        imports = _top_level_imports(ROOT / "graph" / f"{backend}.py", set(_modules()))
        assert "graph.store_open" not in imports, f"{backend} imports open_store"


@pytest.mark.parametrize("module", STORE_MODULES)
def test_each_store_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_old_open_store_import_path_still_works() -> None:
    from graph.store import open_store as old
    from graph.store_open import open_store

    assert old is open_store


@pytest.mark.parametrize("backend", [MemoryStore, OxigraphStore, RemoteStore])
def test_every_backend_is_a_store(backend: type) -> None:
    assert issubclass(backend, Store)
    assert not getattr(backend, "__abstractmethods__", None), backend.__abstractmethods__


def test_unused_capability_flags_are_not_part_of_the_interface() -> None:
    """Regression: ``supports_transactions`` and ``persistent`` were declared but never read."""
    for store in (Store, MemoryStore, OxigraphStore, RemoteStore):
        assert not hasattr(store, "supports_transactions"), store
        assert not hasattr(store, "persistent"), store


def test_embedded_stores_count_their_writes_and_remote_ones_do_not(tmp_path: Path) -> None:
    """The API's cache key: ``change_count`` is declared, an int where only this object writes."""
    oxigraph = OxigraphStore(None)
    memory = MemoryStore(None)
    remote = RemoteStore("http://127.0.0.1:9/query")
    try:
        assert oxigraph.change_count == 0 and memory.change_count == 0
        memory.update("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> <urn:o> } }")
        assert memory.change_count == 1
        assert remote.change_count is None and remote.remote
        assert not oxigraph.remote and not memory.remote
    finally:
        remote.close()


def test_a_store_without_a_checkpoint_says_so_and_snapshots_as_nquads(tmp_path: Path) -> None:
    """Regression: the API probed ``backup_to``/``snapshot_nquads``/``flush`` with getattr."""
    store = MemoryStore(None)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 'o' } }")
    store.flush()  # declared on every store: nothing to do here
    assert store.backup_to(tmp_path / "copy") is False
    assert not (tmp_path / "copy").exists()
    assert b'<urn:s> <urn:p> "o" <urn:g> .' in store.snapshot_nquads()
