"""Only the transitions (and model defaults) set a status: a second writer is a bug waiting to happen."""

import ast
from pathlib import Path

CHILDCARE = Path(__file__).resolve().parents[2] / "childcare"
# The transitions are the one writer; models declare defaults; migrations are history; the demo
# town is fixture data that tells a past story with past dates, written in bulk.
ALLOWED_DIRS = ("admissions/transitions", "models", "migrations", "demo")


# Webhook deliveries are outbox rows (like notifications' OutboxMessage): delivery moves their status.
OWN_STATE_MACHINES = ("AllocationRound", "BackgroundJob", "WebhookDelivery")


def _status_writes(tree: ast.AST, path: Path):
    """Yield (line, code) for each assignment to ``x.status`` and each ``.update(status=...)``."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    owner = ast.unparse(element.value)
                    # The allocation round's and a job's own status belong to their modules.
                    if (path.parts[-2] == "allocation" and "round" in owner) or (
                        path.name == "jobs.py" and owner == "job"
                    ):
                        continue
                    yield node.lineno, ast.unparse(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            # Rounds and background jobs have state machines of their own, kept in their modules.
            if any(name in ast.unparse(node.func) for name in OWN_STATE_MACHINES):
                continue
            if node.func.attr == "update" and any(keyword.arg == "status" for keyword in node.keywords):
                yield node.lineno, ast.unparse(node)
            if node.func.attr == "bulk_update" and "'status'" in ast.unparse(node):
                yield node.lineno, ast.unparse(node)
            if ast.unparse(node.func) == "setattr" and "'status'" in ast.unparse(node):
                yield node.lineno, ast.unparse(node)


def test_no_status_is_written_outside_the_transitions():
    found = []
    for path in sorted(CHILDCARE.rglob("*.py")):
        relative = path.relative_to(CHILDCARE).as_posix()
        if relative.startswith(ALLOWED_DIRS):
            continue
        for line, code in _status_writes(ast.parse(path.read_text(), str(path)), path):
            found.append(f"childcare/{relative}:{line}: {code[:100]}")
    assert found == [], "status written outside childcare/admissions/transitions:\n" + "\n".join(found)


def test_the_check_finds_the_writes_it_is_meant_to_find(tmp_path):
    sample = tmp_path / "admissions" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "offer.status = 'x'\n"
        "wish.rank, wish.status = 1, 'y'\n"
        "Wish.objects.filter(pk=1).update(status='z')\n"
        "Wish.objects.filter(status='a').count()\n"
    )
    assert [line for line, _code in _status_writes(ast.parse(sample.read_text()), sample)] == [1, 2, 3]
