"""`make bench` ends with one table of every goal: the rows a bench prints come back intact."""

from bench.table import parse, render, row


def test_a_row_printed_by_a_bench_reaches_the_summary_table(capsys):
    row("XLSX 100k\trows", "12.1 s", "writer alone 8.9 s", "< 15 s", met=True)
    row("PDF 10k", "9.0 s", "writer 7.1 s", "< 8 s", met=False)
    print("an ordinary line of bench output")
    rows = [r for r in map(parse, capsys.readouterr().out.splitlines()) if r is not None]
    assert rows == [("XLSX 100k rows", "12.1 s", "writer alone 8.9 s", "< 15 s", "met"),
                    ("PDF 10k", "9.0 s", "writer 7.1 s", "< 8 s", "NOT met")]
    table = render(rows)
    assert "| PDF 10k | 9.0 s | writer 7.1 s | < 8 s | NOT met |" in table.splitlines()
