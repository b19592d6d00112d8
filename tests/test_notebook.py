"""The example notebook (``examples/corridor.ipynb``) runs top to bottom, offline, in a fresh kernel.

Executed with nbclient and ipykernel (test extra). The notebook is committed without outputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "corridor.ipynb"


def test_the_committed_notebook_has_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


def test_the_example_notebook_runs_and_shows_the_summaries():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    shown = "\n".join(_outputs(notebook))
    for expected in ("<Corridor 'built-in'", "distance_km", "class='corridor-repr'><b>Assignment",
                     "<b>Minimum cut", "<b>Criticality (N-1)", "<b>Cold-chain reach",
                     "<b>Comparison: dostyk-jam", "<b>Mode comparison",
                     "more days of shelf life in January", "corridor-countries"):
        assert expected in shown, expected


def _outputs(notebook) -> list[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise AssertionError(f"{output['ename']}: {output['evalue']}")
            texts.append(output.get("text", ""))
            data = output.get("data", {})
            texts += [data.get("text/html", ""), data.get("text/plain", "")]
    return [t if isinstance(t, str) else "".join(t) for t in texts]
