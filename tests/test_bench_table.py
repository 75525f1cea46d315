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


def test_the_store_bench_prints_issue_17s_rows_with_plain_sqlite_beside_them(capsys, tmp_path):
    from bench import store_bench

    store_bench.main(["--quick", "--records", "600", "--dir", str(tmp_path)])
    rows = [r for r in map(parse, capsys.readouterr().out.splitlines()) if r is not None]
    whats = [r[0] for r in rows]
    for figure in ("lookup p99 (warm", "2-char name search p95 (warm", "pinyin search p95 (warm",
                   "lookup p99 (cold", "bulk insert encrypted/plain", "peak RSS"):
        assert any(figure in w for w in whats), figure
    bulk = next(r for r in rows if "bulk insert" in r[0])
    assert bulk[2].startswith("plain ") and bulk[3] == "≤ 1.15×" and bulk[4] in ("met", "NOT met")
    assert list(tmp_path.iterdir()) == []  # the stores it built are gone
