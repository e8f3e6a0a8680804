"""The benchmark runs end to end on tiny data (its numbers are read by people, not asserted)."""

from io import StringIO

from django.core.management import call_command


def test_bench_writes_a_results_table(tmp_path):
    output = tmp_path / "results.md"
    call_command(
        "bench", municipalities=2, requests=2, load_seconds=0, output=output, stdout=StringIO()
    )
    text = output.read_text(encoding="utf-8")
    assert "| plan |" in text and "| empty page (same layout) |" in text
    for page in ("plan", "dashboard", "board overview (reports)", "director's start page"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {page} |"))
        queries = row.split("|")[6].strip()
        alone, national = (int(q) for q in queries.split(" / "))
        # The same page costs the same queries among other tenants.
        assert alone == national > 0, page
